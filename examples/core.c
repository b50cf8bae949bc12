/*
 * core: load a YAML file with libcicd's loader and summarise it, reporting
 * errors the library's way (FILE:LINE:COL: message).
 *
 * check-args: pipeline/.gitlab-ci.yml
 */
#include <stdio.h>

#include <cicd/cicd.h>

static size_t count_nodes(const cicd_node *n)
{
	size_t i, total = 1;
	switch (cicd_node_kind_of(n)) {
	case CICD_NODE_SEQUENCE:
		for (i = 0; i < cicd_node_size(n); i++)
			total += count_nodes(cicd_node_item(n, i));
		break;
	case CICD_NODE_MAPPING:
		for (i = 0; i < cicd_node_size(n); i++)
			total += count_nodes(cicd_node_key(n, i)) + count_nodes(cicd_node_value(n, i));
		break;
	default:
		break;
	}
	return total;
}

int main(int argc, char **argv)
{
	cicd_document *doc = NULL;
	size_t i;
	if (argc != 2) {
		fprintf(stderr, "usage: %s FILE.yml\n", argv[0]);
		return 2;
	}
	if (cicd_document_load_file(&doc, argv[1], NULL) < 0) {
		const cicd_error *e = cicd_error_last();
		fprintf(stderr, "%s:%u:%u: %s\n", e->file, e->line, e->column, e->message);
		return 1;
	}
	printf("libcicd %s: %s has %zu document(s)\n", cicd_version(), cicd_document_name(doc),
	       cicd_document_count(doc));
	for (i = 0; i < cicd_document_count(doc); i++) {
		const cicd_node *root = cicd_document_root(doc, i);
		printf("  document %zu at line %u: %zu nodes\n", i + 1, cicd_document_line(doc, i),
		       root ? count_nodes(root) : 0);
	}
	cicd_document_free(doc);
	return 0;
}

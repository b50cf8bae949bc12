/*
 * manifest: validate two versions of a resource set, print the apply order
 * of the new one with its content hash, then what a deploy would change.
 *
 * check-args: deploy/web/v1 deploy/web/v2
 */
#include <stdio.h>

#include <cicd/cicd.h>

static void print_error(void)
{
	const cicd_error *e = cicd_error_last();
	fprintf(stderr, "%s:%u:%u: %s\n", e->file, e->line, e->column, e->message);
}

static cicd_manifest_set *load_valid(const char *path)
{
	cicd_manifest_set *set = NULL;
	cicd_diagnostics *diags = NULL;
	size_t i;
	if (cicd_manifest_set_new(&set) < 0 || cicd_manifest_set_add_path(set, path, NULL) < 0) {
		print_error();
		cicd_manifest_set_free(set);
		return NULL;
	}
	if (cicd_manifest_set_validate(&diags, set, NULL) < 0) {
		for (i = 0; i < cicd_diagnostics_count(diags); i++) {
			const cicd_diagnostic *d = cicd_diagnostics_get(diags, i);
			fprintf(stderr, "%s:%u:%u: %s\n", d->file, d->line, d->column, d->message);
		}
		if (!diags)
			print_error();
		cicd_diagnostics_free(diags);
		cicd_manifest_set_free(set);
		return NULL;
	}
	cicd_diagnostics_free(diags);
	return set;
}

int main(int argc, char **argv)
{
	cicd_manifest_set *old_set, *new_set;
	cicd_manifest_diff *diff = NULL;
	cicd_buf text = CICD_BUF_INIT;
	char hash[CICD_MANIFEST_HASH_SIZE];
	size_t i;
	int rc = 1;
	if (argc != 3) {
		fprintf(stderr, "usage: %s OLD NEW\n", argv[0]);
		return 2;
	}
	old_set = load_valid(argv[1]);
	new_set = old_set ? load_valid(argv[2]) : NULL;
	if (!new_set)
		goto out;
	cicd_manifest_set_sort(new_set, CICD_MANIFEST_ORDER_APPLY);
	if (cicd_manifest_set_hash(hash, sizeof hash, new_set) < 0)
		goto fail;
	printf("version %s\n", hash);
	for (i = 0; i < cicd_manifest_set_count(new_set); i++) {
		const cicd_manifest *o = cicd_manifest_set_get(new_set, i);
		printf("  apply %s %s/%s\n", cicd_manifest_kind(o), cicd_manifest_namespace(o), cicd_manifest_name(o));
	}
	if (cicd_manifest_diff_new(&diff, old_set, new_set) < 0 ||
	    cicd_manifest_diff_render(&text, diff, CICD_MANIFEST_DIFF_TEXT) < 0)
		goto fail;
	fwrite(text.ptr, 1, text.size, stdout);
	rc = 0;
	goto out;
fail:
	print_error();
out:
	cicd_buf_dispose(&text);
	cicd_manifest_diff_free(diff);
	cicd_manifest_set_free(old_set);
	cicd_manifest_set_free(new_set);
	return rc;
}

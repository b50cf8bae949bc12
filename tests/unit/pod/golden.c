/* Field-by-field comparison of rendered objects against golden YAML files. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "golden.h"
#include "test.h"

static char *fmt_diff(const char *path, const char *what)
{
	size_t n = strlen(path) + strlen(what) + 8;
	char *s = malloc(n);
	snprintf(s, n, "%s: %s", path, what);
	return s;
}

static char *compare(const cicd_node *e, const cicd_node *a, const char *path)
{
	char sub[2048], what[1024];
	size_t i;
	if (cicd_node_kind_of(e) != cicd_node_kind_of(a))
		return fmt_diff(path, "different kinds of node");
	switch (cicd_node_kind_of(e)) {
	case CICD_NODE_SCALAR:
		if (strcmp(cicd_node_scalar(e, NULL), cicd_node_scalar(a, NULL)) ||
		    cicd_node_value_type(e) != cicd_node_value_type(a)) {
			snprintf(what, sizeof what, "expected \"%.400s\", got \"%.400s\"", cicd_node_scalar(e, NULL),
			         cicd_node_scalar(a, NULL));
			return fmt_diff(path, what);
		}
		return NULL;
	case CICD_NODE_SEQUENCE:
		for (i = 0; i < cicd_node_size(e) && i < cicd_node_size(a); i++) {
			char *d;
			snprintf(sub, sizeof sub, "%s[%zu]", path, i);
			if ((d = compare(cicd_node_item(e, i), cicd_node_item(a, i), sub)))
				return d;
		}
		if (cicd_node_size(e) != cicd_node_size(a)) {
			snprintf(what, sizeof what, "expected %zu items, got %zu", cicd_node_size(e),
			         cicd_node_size(a));
			return fmt_diff(path, what);
		}
		return NULL;
	default:
		for (i = 0; i < cicd_node_size(e); i++) {
			const char *key = cicd_node_scalar(cicd_node_key(e, i), NULL);
			const cicd_node *av = cicd_node_get(a, key);
			char *d;
			snprintf(sub, sizeof sub, "%s%s%s", path, *path ? "." : "", key);
			if (!av)
				return fmt_diff(sub, "missing");
			if ((d = compare(cicd_node_value(e, i), av, sub)))
				return d;
		}
		for (i = 0; i < cicd_node_size(a); i++) {
			const char *key = cicd_node_scalar(cicd_node_key(a, i), NULL);
			if (!cicd_node_get(e, key)) {
				snprintf(sub, sizeof sub, "%s%s%s", path, *path ? "." : "", key);
				return fmt_diff(sub, "not expected");
			}
		}
		/* key order is part of deterministic output */
		for (i = 0; i < cicd_node_size(e); i++)
			if (strcmp(cicd_node_scalar(cicd_node_key(e, i), NULL),
			           cicd_node_scalar(cicd_node_key(a, i), NULL)))
				return fmt_diff(path, "keys in a different order");
		return NULL;
	}
}

char *golden_diff(const char *expected_yaml, size_t elen, const char *actual_yaml, size_t alen)
{
	cicd_document *e = NULL, *a = NULL;
	char *diff = NULL;
	size_t i;
	if (cicd_document_load_buffer(&e, expected_yaml, elen, "expected", NULL) ||
	    cicd_document_load_buffer(&a, actual_yaml, alen, "actual", NULL)) {
		diff = strdup(cicd_error_last()->message);
		goto out;
	}
	if (cicd_document_count(e) != cicd_document_count(a)) {
		char what[128];
		snprintf(what, sizeof what, "expected %zu documents, got %zu", cicd_document_count(e),
		         cicd_document_count(a));
		diff = strdup(what);
		goto out;
	}
	for (i = 0; i < cicd_document_count(e) && !diff; i++) {
		char path[32];
		snprintf(path, sizeof path, "doc %zu: ", i + 1);
		diff = compare(cicd_document_root(e, i), cicd_document_root(a, i), "");
		if (diff) {
			char *full = malloc(strlen(diff) + sizeof path);
			sprintf(full, "%s%s", path, diff);
			free(diff);
			diff = full;
		}
	}
out:
	cicd_document_free(e);
	cicd_document_free(a);
	return diff;
}

void golden_check(const char *job_file, const char *runner_file, const char *golden_file)
{
	cicd_job_payload *job = NULL;
	cicd_runner_config *cfg = NULL;
	cicd_buf out = CICD_BUF_INIT;
	size_t glen;
	char *golden, *diff;
	char jpath[4096];
	snprintf(jpath, sizeof jpath, "%s", cicd_test_data_path(job_file));
	CU_ASSERT_EQUAL_FATAL(cicd_job_payload_load_file(&job, jpath, NULL), 0);
	CU_ASSERT_EQUAL_FATAL(cicd_runner_config_load_file(&cfg, cicd_test_data_path(runner_file), NULL), 0);
	CU_ASSERT_EQUAL_FATAL(cicd_pod_render(&out, job, cfg, NULL), 0);
	golden = cicd_test_read_data(golden_file, &glen);
	diff = golden_diff(golden, glen, out.ptr, out.size);
	if (diff) {
		fprintf(stderr, "\n%s differs from the rendering: %s\n", golden_file, diff);
		CU_FAIL("rendered objects differ from the golden file");
	}
	/* byte for byte too: the output is deterministic */
	CU_ASSERT_EQUAL(glen, out.size);
	CU_ASSERT(out.size == glen && memcmp(golden, out.ptr, glen) == 0);
	free(diff);
	free(golden);
	cicd_buf_dispose(&out);
	cicd_runner_config_free(cfg);
	cicd_job_payload_free(job);
}

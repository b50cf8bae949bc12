/* Shared helpers of the manifest tests. */
#ifndef CICD_TEST_MANIFEST_HELPERS_H
#define CICD_TEST_MANIFEST_HELPERS_H

#include <stdio.h>
#include <string.h>

#include "cicd/cicd.h"
#include "test.h"

static inline void print_last_error(void)
{
	const cicd_error *e = cicd_error_last();
	fprintf(stderr, "\nunexpected failure: %s:%u:%u: %s\n", e->file, e->line, e->column, e->message);
}

/* A set loaded from text, named `name`; the test fails at once if it does not load. */
static inline cicd_manifest_set *set_from(const char *text, const char *name)
{
	cicd_manifest_set *set = NULL;
	int rc;
	CU_ASSERT_EQUAL_FATAL(cicd_manifest_set_new(&set), 0);
	rc = cicd_manifest_set_add_buffer(set, text, strlen(text), name, NULL);
	if (rc)
		print_last_error();
	CU_ASSERT_EQUAL_FATAL(rc, 0);
	return set;
}

/* A set loaded from files of tests/unit/manifest/data. */
static inline cicd_manifest_set *set_from_data(const char *const *names, size_t n)
{
	cicd_manifest_set *set = NULL;
	size_t i;
	CU_ASSERT_EQUAL_FATAL(cicd_manifest_set_new(&set), 0);
	for (i = 0; i < n; i++) {
		int rc = cicd_manifest_set_add_path(set, cicd_test_data_path(names[i]), NULL);
		if (rc)
			print_last_error();
		CU_ASSERT_EQUAL_FATAL(rc, 0);
	}
	return set;
}

/* "Kind ns/name" lines of the set in its current order. */
static inline void order_text(char *out, size_t size, const cicd_manifest_set *set)
{
	size_t i, n = 0;
	out[0] = '\0';
	for (i = 0; i < cicd_manifest_set_count(set) && n < size; i++) {
		const cicd_manifest *o = cicd_manifest_set_get(set, i);
		const char *ns = cicd_manifest_namespace(o);
		n += (size_t)snprintf(out + n, size - n, "%s %s%s%s\n", cicd_manifest_kind(o), ns, *ns ? "/" : "",
		                      cicd_manifest_name(o));
	}
}

/* Every diagnostic as "line:col: message" lines. */
static inline void diag_text(char *out, size_t size, const cicd_diagnostics *d)
{
	size_t i, n = 0;
	out[0] = '\0';
	for (i = 0; i < cicd_diagnostics_count(d) && n < size; i++) {
		const cicd_diagnostic *x = cicd_diagnostics_get(d, i);
		n += (size_t)snprintf(out + n, size - n, "%u:%u: %s\n", x->line, x->column, x->message);
	}
}

#endif

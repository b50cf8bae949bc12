/* Allocation failures in the expression compiler, evaluator and expansion: ENOMEM, nothing leaked. */
#include <stdlib.h>
#include <string.h>

#include "cicd/cicd.h"
#include "test.h"
#include "failing_alloc.h"

static int lookup(const char **value, size_t *len, const char *name, void *payload)
{
	(void)payload;
	*value = strcmp(name, "P") == 0 ? "/^fe/i" : "feature/x";
	*len = strlen(*value);
	return 1;
}

static void test_expr_survives_every_allocation_failure(void)
{
	const char *text = "($A == \"feature/x\" || $B =~ /^dev/) && $C =~ $P && $D !~ 'x' && $E != null";
	long n;
	int succeeded = 0;
	CU_ASSERT_EQUAL_FATAL(cicd_allocator_set(cicd_test_failing_malloc, cicd_test_failing_realloc, cicd_test_counting_free), 0);
	for (n = 0; n < 10000 && !succeeded; n++) {
		cicd_expr *e = NULL;
		cicd_buf out = CICD_BUF_INIT;
		int rc, result = 0;
		cicd_test_alloc_budget = n;
		cicd_test_alloc_live = 0;
		rc = cicd_expr_compile(&e, text, strlen(text), NULL);
		if (rc == 0)
			rc = cicd_expr_eval(&result, e, lookup, NULL);
		if (rc == 0)
			rc = cicd_expand(&out, "$A-${B}-%C%", 11, 0, lookup, NULL);
		cicd_test_alloc_budget = -1;
		if (rc == 0) {
			succeeded = 1;
			CU_ASSERT_EQUAL(result, 1);
			CICD_ASSERT_STR(out.ptr, "feature/x-feature/x-feature/x");
		} else {
			CU_ASSERT_EQUAL(rc, CICD_ENOMEM);
		}
		cicd_expr_free(e);
		cicd_buf_dispose(&out);
		CU_ASSERT_EQUAL(cicd_test_alloc_live, 0);
	}
	cicd_allocator_reset();
	CU_ASSERT(succeeded);
	CU_ASSERT(n > 5);
}

CICD_SUITE(expr_alloc, CICD_TEST(test_expr_survives_every_allocation_failure))

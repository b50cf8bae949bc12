/* Allocation failures while planning: ENOMEM, nothing leaked, and the same plan once memory suffices. */
#include <stdlib.h>
#include <string.h>

#include "cicd/cicd.h"
#include "test.h"
#include "failing_alloc.h"

/*
 * Plans yaml for a "dev" branch, the trigger set up by setup(), with every
 * allocation budget from 0 until one suffices: each failure is ENOMEM with
 * nothing leaked; check() looks at the plan that succeeds.
 */
static void plan_under_every_budget(const char *yaml, int (*setup)(cicd_trigger *), void (*check)(const cicd_plan *),
				    long min_budgets)
{
	cicd_pipeline *p = NULL;
	long n;
	int succeeded = 0;
	CU_ASSERT_EQUAL_FATAL(cicd_pipeline_load_buffer(&p, NULL, yaml, strlen(yaml), NULL, NULL), 0);
	CU_ASSERT_EQUAL_FATAL(cicd_allocator_set(cicd_test_failing_malloc, cicd_test_failing_realloc, cicd_test_counting_free), 0);
	for (n = 0; n < 100000 && !succeeded; n++) {
		cicd_planner *pl = NULL;
		cicd_trigger *t = NULL;
		cicd_plan *plan = NULL;
		int rc;
		cicd_test_alloc_budget = n;
		cicd_test_alloc_live = 0;
		rc = cicd_trigger_new(&t, CICD_TRIGGER_BRANCH, "dev");
		if (rc == 0)
			rc = setup(t);
		if (rc == 0)
			rc = cicd_planner_new(&pl, p, NULL);
		if (rc == 0)
			rc = cicd_plan_create(&plan, pl, t);
		cicd_test_alloc_budget = -1;
		if (rc == 0) {
			succeeded = 1;
			check(plan);
		} else {
			CU_ASSERT_EQUAL(rc, CICD_ENOMEM);
			CU_ASSERT_PTR_NULL(plan);
		}
		cicd_plan_free(plan);
		cicd_planner_free(pl);
		cicd_trigger_free(t);
		CU_ASSERT_EQUAL(cicd_test_alloc_live, 0);
	}
	cicd_allocator_reset();
	cicd_pipeline_free(p);
	CU_ASSERT(succeeded);
	CU_ASSERT(n > min_budgets);
}

static int with_variable(cicd_trigger *t)
{
	return cicd_trigger_set_variable(t, "U", "u");
}

static void check_variables_matrix_and_needs(const cicd_plan *plan)
{
	CU_ASSERT_EQUAL(cicd_plan_job_count(plan), 3);
	CICD_ASSERT_STR(cicd_plan_name(plan), "dev x");
	CU_ASSERT_EQUAL(cicd_plan_job_need_count(cicd_plan_job_at(plan, 2)), 2);
}

static void test_plan_survives_every_allocation_failure(void)
{
	static const char yaml[] = "workflow:\n  name: $CI_COMMIT_REF_NAME x\n  rules:\n    - if: $CI_COMMIT_BRANCH\n"
				   "      variables:\n        W: \"1\"\n"
				   "variables:\n  A: $W-a\nstages: [b, t]\n"
				   "build:\n  stage: b\n  script: [x]\n  parallel:\n    matrix:\n      - ARCH: [amd64, arm64]\n"
				   "  rules:\n    - if: $A == \"1-a\" && $ARCH =~ /64$/\n      variables:\n        R: r\n"
				   "test:\n  stage: t\n  script: [x]\n  needs: [build]\n  only: [branches]\n"
				   "  except:\n    variables: [$SKIP]\n";
	plan_under_every_budget(yaml, with_variable, check_variables_matrix_and_needs, 20);
}

static int compare_main(cicd_path_list *changed, const char *ref, void *payload)
{
	(void)payload;
	if (strcmp(ref, "main") != 0)
		return CICD_ENOTFOUND;
	return cicd_path_list_add(changed, "src/a.c") ? CICD_ENOMEM : cicd_path_list_add(changed, "b.md");
}

static int with_compare(cicd_trigger *t)
{
	return cicd_trigger_set_compare(t, compare_main, NULL);
}

static void check_both_compared(const cicd_plan *plan)
{
	CU_ASSERT_EQUAL(cicd_plan_job_count(plan), 2);
}

/* compare_to answers kept for a plan (the list and the cache grow) under every allocation failure. */
static void test_compare_to_survives_every_allocation_failure(void)
{
	static const char yaml[] = "x:\n  script: [x]\n  rules:\n    - changes: {paths: ['*.md'], compare_to: main}\n"
				   "y:\n  script: [x]\n  rules:\n    - changes: {paths: ['src/*'], compare_to: main}\n";
	plan_under_every_budget(yaml, with_compare, check_both_compared, 5);
}

/* A failed set never leaves the masked list pointing at a freed value (ASan reads every entry). */
static void test_masked_list_stays_valid_when_a_set_fails(void)
{
	long n;
	int succeeded = 0;
	CU_ASSERT_EQUAL_FATAL(cicd_allocator_set(cicd_test_failing_malloc, cicd_test_failing_realloc, cicd_test_counting_free), 0);
	for (n = 0; n < 10000 && !succeeded; n++) {
		cicd_trigger *t = NULL;
		const char *const *values;
		size_t count, i;
		int rc;
		cicd_test_alloc_budget = -1;
		CU_ASSERT_EQUAL_FATAL(cicd_trigger_new(&t, CICD_TRIGGER_BRANCH, "dev"), 0);
		CU_ASSERT_EQUAL_FATAL(cicd_trigger_set_masked_variable(t, "S", "old-secret"), 0);
		cicd_test_alloc_budget = n;
		rc = cicd_trigger_set_masked_variable(t, "S", "new-secret");
		if (rc == 0)
			rc = cicd_trigger_set_masked_variable(t, "T", "other-secret");
		cicd_test_alloc_budget = -1;
		values = cicd_trigger_masked_values(t, &count);
		for (i = 0; i < count; i++)
			CU_ASSERT(!strcmp(values[i], "old-secret") || !strcmp(values[i], "new-secret") ||
				  !strcmp(values[i], "other-secret"));
		if (rc == 0) {
			succeeded = 1;
			CU_ASSERT_EQUAL(count, 2);
		} else {
			CU_ASSERT_EQUAL(rc, CICD_ENOMEM);
			CU_ASSERT(count >= 1);
		}
		cicd_trigger_free(t);
	}
	cicd_allocator_reset();
	CU_ASSERT(succeeded);
	CU_ASSERT(n > 2);
}

CICD_SUITE(plan_alloc, CICD_TEST(test_plan_survives_every_allocation_failure),
	   CICD_TEST(test_masked_list_stays_valid_when_a_set_fails),
	   CICD_TEST(test_compare_to_survives_every_allocation_failure))

/*
 * Allocation failure: fail allocation 1, 2, 3, ... in every semver and policy
 * entry point that allocates, until it succeeds. Each failing run must return
 * CICD_ENOMEM and leave nothing allocated.
 */
#include <stdlib.h>
#include <string.h>

#include "cicd/cicd.h"
#include "cicd/policy.h"
#include "cicd/semver.h"
#include "test.h"
#include "failing_alloc.h"

typedef int (*attempt_fn)(void);

/* Runs fn with budgets 0, 1, 2, ... until it returns 0; every failure must be ENOMEM without leaks. */
static void fail_each_allocation(attempt_fn fn, const char *what)
{
	long budget;
	int rc = -1;
	CU_ASSERT_EQUAL_FATAL(cicd_allocator_set(cicd_test_failing_malloc, cicd_test_failing_realloc, cicd_test_counting_free), 0);
	for (budget = 0; budget < 100000; budget++) {
		cicd_test_alloc_budget = budget;
		cicd_test_alloc_live = 0;
		rc = fn();
		if (rc == 0)
			break;
		if (rc != CICD_ENOMEM || cicd_test_alloc_live != 0)
			fprintf(stderr, "\n%s: budget %ld: rc %d, %ld blocks left\n", what, budget, rc, cicd_test_alloc_live);
		CU_ASSERT_EQUAL(rc, CICD_ENOMEM);
		CU_ASSERT_EQUAL(cicd_test_alloc_live, 0);
		if (rc != CICD_ENOMEM || cicd_test_alloc_live != 0)
			break;
	}
	cicd_test_alloc_budget = -1;
	cicd_allocator_reset();
	CU_ASSERT_EQUAL(rc, 0);
	CU_ASSERT_TRUE(budget > 0);
}

static int semver_ops(void)
{
	static const char *texts[] = {"1.2.3-rc.1+b", "=v01.2.3beta", "2.0.0"};
	cicd_semver_options loose = CICD_SEMVER_OPTIONS_INIT;
	cicd_semver *v[3] = {NULL, NULL, NULL}, *n = NULL, *c = NULL;
	int rc = 0, i;
	loose.flags = CICD_SEMVER_LOOSE;
	for (i = 0; i < 3 && !rc; i++)
		rc = cicd_semver_parse(&v[i], texts[i], strlen(texts[i]), &loose);
	if (!rc)
		rc = cicd_semver_inc(&n, v[0], CICD_SEMVER_PRERELEASE, "rc", NULL);
	if (!rc)
		rc = cicd_semver_sort(v, 3, CICD_SEMVER_SORT_REVERSE);
	if (!rc)
		rc = cicd_semver_coerce(&c, "release 1.4 final", 17, NULL);
	for (i = 0; i < 3; i++)
		cicd_semver_free(v[i]);
	cicd_semver_free(n);
	cicd_semver_free(c);
	return rc;
}

static int range_ops(void)
{
	static const char text[] = "^1.2.3 || ~0.4 <0.4.7 || 1.2 - 3.x || >=2.0.0-rc.1 <0.0.0-0 || *";
	cicd_semver_options o = CICD_SEMVER_OPTIONS_INIT;
	cicd_semver_range *r = NULL;
	int rc;
	o.flags = CICD_SEMVER_INCLUDE_PRERELEASE;
	rc = cicd_semver_range_parse(&r, text, sizeof text - 1, &o);
	cicd_semver_range_free(r);
	return rc;
}

static const char POLICY[] = "branches:\n"
                             "  master: {pattern: master, protected: true, release: true}\n"
                             "  feature: {pattern: 'feature/(?P<issue>[0-9]+)-(?P<slug>.+)'}\n"
                             "merge_requests: {feature: [master]}\n"
                             "tags: {release: 'v{major}.{minor}.{patch}'}\n";

static int policy_ops(void)
{
	const char *existing[] = {"v1.0.0", "v1.2.0", "x"};
	const char *msgs[] = {"feat: a", "fix: b"};
	cicd_policy *p = NULL;
	cicd_policy_result *r = NULL;
	cicd_semver *last = NULL, *next = NULL;
	cicd_policy_next_options no = CICD_POLICY_NEXT_OPTIONS_INIT;
	int rc = cicd_policy_load_buffer(&p, POLICY, sizeof POLICY - 1, "p.yml", NULL);
	if (!rc) {
		rc = cicd_policy_check_push(&r, p, "feature/1-x");
		cicd_policy_result_free(r);
		r = NULL;
	}
	if (!rc) {
		rc = cicd_policy_check_merge_request(&r, p, "feature/1-x", "dev");
		cicd_policy_result_free(r);
		r = NULL;
	}
	if (!rc) {
		rc = cicd_policy_check_tag(&r, p, "v1.1.0", "feature/1-x", existing, 3);
		cicd_policy_result_free(r);
	}
	if (!rc)
		rc = cicd_policy_tag_version(&last, p, "v1.2.0");
	no.pre_id = "dev";
	if (!rc)
		rc = cicd_policy_next_version(&next, NULL, last, msgs, NULL, 2, &no);
	cicd_semver_free(last);
	cicd_semver_free(next);
	cicd_policy_free(p);
	return rc;
}

static void test_semver_survives_every_allocation_failure(void)
{
	fail_each_allocation(semver_ops, "semver");
}

static void test_range_parse_survives_every_allocation_failure(void)
{
	CU_ASSERT_EQUAL(range_ops(), 0); /* compiles the shared patterns first */
	fail_each_allocation(range_ops, "range");
}

static void test_policy_survives_every_allocation_failure(void)
{
	CU_ASSERT_EQUAL(policy_ops(), 0);
	fail_each_allocation(policy_ops, "policy");
}

CICD_SUITE(policy_alloc, CICD_TEST(test_semver_survives_every_allocation_failure),
           CICD_TEST(test_range_parse_survives_every_allocation_failure),
           CICD_TEST(test_policy_survives_every_allocation_failure))

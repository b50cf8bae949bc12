/* Allocation failures while loading a pipeline: ENOMEM every time, nothing leaked, then the same result. */
#include <stdlib.h>
#include <string.h>

#include "cicd/cicd.h"
#include "cicd/pipeline.h"
#include "test.h"
#include "failing_alloc.h"

static int resolver(cicd_include_result *res, const cicd_include_request *req, void *payload)
{
	static const char tpl[] =
	    "spec:\n  inputs:\n    env: {default: dev}\n    n: {type: number, default: 2}\n---\n"
	    ".tpl-$[[ inputs.env ]]:\n  parallel: $[[ inputs.n ]]\n  variables:\n    E: $[[ inputs.env ]]\n";
	(void)req;
	(void)payload;
	return cicd_include_result_set(res, tpl, sizeof tpl - 1, "tpl.yml");
}

static const char VALID[] = "include:\n  - template: t.yml\n    inputs: {env: prod}\n"
                            "default:\n  image: alpine\n  tags: [k8s]\n"
                            "workflow:\n  rules:\n    - if: $CI_COMMIT_BRANCH\n      variables: {W: \"1\"}\n"
                            ".base:\n  script: [!reference [.steps, script]]\n  variables: {A: a}\n"
                            ".steps:\n  script: [make, [make check]]\n"
                            "build:\n  extends: [.base, .tpl-prod]\n  stage: build\n"
                            "  rules:\n    - if: $X == \"1\"\n      changes: [src/**]\n      variables: {R: r}\n"
                            "test:\n  stage: test\n  script: x\n  needs: [build, {job: build, optional: true}]\n"
                            "  parallel:\n    matrix:\n      - OS: [linux, mac]\n        ARCH: amd64\n"
                            "  only: {refs: [main], variables: [$V]}\n";

static const char INVALID[] = "build:\n  script: x\n  when: later\n  foo: 1\ntest:\n  stage: nope\n  script: y\n"
                              "  needs: [ghost]\n  extends: .missing\n";

/* Loads `yaml` failing allocation 0, 1, 2, ... until it returns `want`; returns the diagnostics count then. */
static size_t survive(const char *yaml, int want, size_t jobs)
{
	cicd_pipeline_options opts = CICD_PIPELINE_OPTIONS_INIT;
	size_t diags = 0;
	long n;
	int done = 0;
	opts.resolver = resolver;
	opts.flags = CICD_PIPELINE_CHECK_EXPRESSIONS;
	CU_ASSERT_EQUAL_FATAL(cicd_allocator_set(cicd_test_failing_malloc, cicd_test_failing_realloc, cicd_test_counting_free), 0);
	for (n = 0; n < 200000 && !done; n++) {
		cicd_pipeline *p = NULL;
		cicd_diagnostics *d = NULL;
		int rc;
		cicd_test_alloc_budget = n;
		cicd_test_alloc_live = 0;
		rc = cicd_pipeline_load_buffer(&p, &d, yaml, strlen(yaml), "ci.yml", &opts);
		cicd_test_alloc_budget = -1;
		if (rc == want) {
			done = 1;
			CU_ASSERT_EQUAL(cicd_pipeline_job_count(p), jobs);
			diags = cicd_diagnostics_count(d);
		} else {
			CU_ASSERT_EQUAL(rc, CICD_ENOMEM);
			if (rc != CICD_ENOMEM) {
				size_t i;
				fprintf(stderr, "\nallocation %ld failing gave %d: %s\n", n, rc,
				        cicd_error_last()->message);
				for (i = 0; i < cicd_diagnostics_count(d); i++)
					fprintf(stderr, "  %s\n", cicd_diagnostics_get(d, i)->message);
				break;
			}
			CU_ASSERT_PTR_NULL(p);
			CU_ASSERT_PTR_NULL(d);
		}
		cicd_pipeline_free(p);
		cicd_diagnostics_free(d);
		CU_ASSERT_EQUAL(cicd_test_alloc_live, 0);
		if (cicd_test_alloc_live) {
			fprintf(stderr, "\nleak of %ld allocations when allocation %ld fails\n", cicd_test_alloc_live, n);
			break;
		}
	}
	CU_ASSERT_TRUE(done);
	cicd_allocator_set(NULL, NULL, NULL);
	return diags;
}

static void test_load_survives_every_allocation_failure(void)
{
	survive(VALID, 0, 2);
}

static void test_invalid_load_survives_every_allocation_failure(void)
{
	CU_ASSERT_EQUAL(survive(INVALID, CICD_EVALIDATE, 0), 5);
}

CICD_SUITE(pipeline_alloc, CICD_TEST(test_load_survives_every_allocation_failure),
           CICD_TEST(test_invalid_load_survives_every_allocation_failure))

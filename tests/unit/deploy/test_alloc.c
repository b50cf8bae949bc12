/*
 * Allocation-failure loop: fail allocation 1, 2, 3, ... of a whole deploy
 * workflow through the public API (store, target, push of two versions,
 * listing, diff, a job run to its end on a fake cluster, its log, rollback
 * queued and canceled) until it succeeds. Every failing run must report
 * CICD_ENOMEM (never crash) and, once the store is freed, give back every
 * byte it took. SQLite's own memory is not the library's and is not failed.
 */
#include <stdlib.h>
#include <string.h>

#include "cicd/cicd.h"
#include "deploy/deploy_internal.h"
#include "fake_cluster.h"
#include "test.h"
#include "failing_alloc.h"

static int64_t g_clock = 1700000000000LL;

static const char V1[] = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, namespace: demo}\ndata: {a: '1'}\n---\n"
                         "apiVersion: v1\nkind: Secret\nmetadata: {name: s, namespace: demo}\nstringData: {p: x}\n";
static const char V2[] = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, namespace: demo}\ndata: {a: '2'}\n---\n"
                         "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: extra\n  namespace: demo\n"
                         "  annotations: {deploy.cicd.dev/wave: '2'}\n";

/* The fake cluster (plain malloc) lives across the loop's runs of one workflow. */
static int fake_factory(cicd__cluster **out, const cicd__target *t, void *payload)
{
	(void)t;
	*out = fake_base(fake_new(payload));
	return 0;
}

static int ignore_line(long long seq, long long at, int level, const char *m, const char *f, void *p)
{
	(void)seq, (void)at, (void)level, (void)m, (void)f, (void)p;
	return 0;
}

static int workflow(void)
{
	cicd_deploy_target_options t = CICD_DEPLOY_TARGET_OPTIONS_INIT;
	cicd_deploy_run_options r = CICD_DEPLOY_RUN_OPTIONS_INIT;
	cicd_deploy_store *st = NULL;
	cicd_buf out = CICD_BUF_INIT;
	long long job = 0, last;
	int rc = 0;
#define STEP(call)                                                                                                     \
	do {                                                                                                           \
		if (!rc)                                                                                               \
			rc = (call);                                                                                   \
		cicd_buf_dispose(&out);                                                                                \
	} while (0)
	STEP(cicd_deploy_store_open(&st, ":memory:", NULL));
	if (!rc)
		cicd__deploy_set_cluster_factory(st, fake_factory, &g_clock);
	t.namespace_name = "demo";
	STEP(cicd_deploy_target_add(st, "dev", &t));
	STEP(cicd_deploy_push_buffer(&out, st, "shop/web", V1, strlen(V1), "v1.yaml", NULL));
	STEP(cicd_deploy_push_buffer(&out, st, "shop/web", V2, strlen(V2), "v2.yaml", NULL));
	STEP(cicd_deploy_versions_json(&out, st, "shop/web"));
	STEP(cicd_deploy_diff_versions(&out, st, "shop/web@1", "shop/web@2", CICD_DEPLOY_DIFF_TEXT));
	r.wait = 1;
	r.owner = "alloc";
	STEP(cicd_deploy_run(&job, st, "shop/web@1", "dev", &r));
	STEP(cicd_deploy_job_json(&out, st, job));
	STEP(cicd_deploy_log_read(&last, st, job, 0, ignore_line, NULL));
	STEP(cicd_deploy_jobs_json(&out, st, NULL, 0));
	r.wait = 0;
	STEP(cicd_deploy_rollback(&job, st, "shop/web", "dev", "2", &r));
	STEP(cicd_deploy_cancel(st, job, "alloc"));
	STEP(cicd_deploy_targets_json(&out, st));
	cicd_deploy_store_free(st);
	return rc;
}

static void test_deploy_workflow_survives_every_allocation_failure(void)
{
	long n;
	int rc = -1;
	CU_ASSERT_EQUAL(workflow(), 0); /* the workflow itself works */
	CU_ASSERT_EQUAL_FATAL(cicd_allocator_set(cicd_test_failing_malloc, cicd_test_failing_realloc, cicd_test_counting_free), 0);
	for (n = getenv("DEPLOY_ALLOC_FROM") ? atol(getenv("DEPLOY_ALLOC_FROM")) : 0; n < 100000; n++) {
		cicd_test_alloc_budget = n;
		cicd_test_alloc_live = 0;
		rc = workflow();
		if (rc != 0 && rc != CICD_ENOMEM) {
			cicd_test_alloc_budget = -1;
			CU_FAIL("a failed allocation gave another error");
			fprintf(stderr, "allocation %ld: %s: %s\n", n, cicd_error_name(rc), cicd_error_last()->message);
			break;
		}
		if (cicd_test_alloc_live != 0) {
			cicd_test_alloc_budget = -1;
			CU_FAIL("memory leaked after a failed allocation");
			fprintf(stderr, "allocation %ld: %ld blocks leaked\n", n, cicd_test_alloc_live);
			break;
		}
		if (rc == 0)
			break;
	}
	cicd_test_alloc_budget = -1;
	cicd_allocator_reset();
	CU_ASSERT_EQUAL(rc, 0);
}

CICD_SUITE(deploy_alloc, CICD_TEST(test_deploy_workflow_survives_every_allocation_failure))

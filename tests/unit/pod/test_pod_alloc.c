/*
 * Allocation-failure loops: fail allocation 1, 2, 3, ... until the call
 * succeeds. Every failing run must return CICD_ENOMEM and give back every
 * byte it took (parsers, renderers, the masker).
 */
#include <stdlib.h>
#include <string.h>

#include "cicd/cicd.h"
#include "test.h"
#include "failing_alloc.h"

typedef int (*op_fn)(void *ctx);

/* Runs op with 0, 1, 2, ... allocations allowed until it succeeds. */
static void failure_loop(const char *what, op_fn op, void (*cleanup)(void *ctx), void *ctx)
{
	long n;
	int succeeded = 0;
	for (n = 0; n < 100000 && !succeeded; n++) {
		long before = cicd_test_alloc_live;
		int rc;
		cicd_test_alloc_budget = n;
		rc = op(ctx);
		cicd_test_alloc_budget = -1;
		if (rc == 0) {
			succeeded = 1;
			cleanup(ctx);
		} else {
			if (rc != CICD_ENOMEM) {
				fprintf(stderr, "\n%s: allocation %ld failed: %s (%s)\n", what, n, cicd_error_name(rc),
				        cicd_error_last()->message);
				CU_FAIL("a failing allocation must give CICD_ENOMEM");
				return;
			}
			if (cicd_test_alloc_live != before) {
				fprintf(stderr, "\n%s: allocation %ld failed: %ld blocks leaked\n", what, n,
				        cicd_test_alloc_live - before);
				CU_FAIL("a failing call leaked");
				return;
			}
		}
	}
	CU_ASSERT(succeeded);
}

typedef struct ctx {
	const char *text;
	size_t len;
	cicd_job_payload *job;
	cicd_runner_config *cfg;
	cicd_buf out;
	cicd_mask *mask;
} ctx;

static int parse_job(void *p)
{
	ctx *c = p;
	return cicd_job_payload_parse(&c->job, c->text, c->len, "job.json", NULL);
}

static void free_job(void *p)
{
	ctx *c = p;
	cicd_job_payload_free(c->job);
	c->job = NULL;
}

static int load_cfg(void *p)
{
	ctx *c = p;
	return cicd_runner_config_load(&c->cfg, c->text, c->len, "runner.yml", NULL);
}

static void free_cfg(void *p)
{
	ctx *c = p;
	cicd_runner_config_free(c->cfg);
	c->cfg = NULL;
}

static int render(void *p)
{
	ctx *c = p;
	int rc = cicd_pod_render(&c->out, c->job, c->cfg, NULL);
	if (rc)
		cicd_buf_dispose(&c->out);
	return rc;
}

static int script(void *p)
{
	ctx *c = p;
	int rc = cicd_pod_script_render(&c->out, c->job, c->cfg, "script", NULL);
	if (rc)
		cicd_buf_dispose(&c->out);
	return rc;
}

static void free_out(void *p)
{
	ctx *c = p;
	cicd_buf_dispose(&c->out);
}

static int kaniko(void *p)
{
	ctx *c = p;
	static const char *const DEST[] = {"r.example/x:1"};
	static const char *const REG[] = {"r.example"}, *const USER[] = {"u"}, *const PW[] = {"p"};
	cicd_kaniko_build b = CICD_KANIKO_BUILD_INIT;
	int rc;
	b.context = "dir:///workspace";
	b.destinations = DEST;
	b.destination_count = 1;
	b.registries = REG;
	b.usernames = USER;
	b.passwords = PW;
	b.credential_count = 1;
	b.ca_bundle = "-----BEGIN CERTIFICATE-----\n";
	b.flags = CICD_KANIKO_AS_JOB;
	rc = cicd_kaniko_render(&c->out, &b);
	if (rc)
		cicd_buf_dispose(&c->out);
	return rc;
}

static int mask(void *p)
{
	ctx *c = p;
	int rc = cicd_job_payload_mask_new(&c->mask, c->job, NULL);
	if (!rc && (rc = cicd_mask_write(c->mask, &c->out, "x sup3r-s3cret-key glpat-a ?token=1", 35)) == 0)
		rc = cicd_mask_finish(c->mask, &c->out);
	if (rc) {
		cicd_mask_free(c->mask);
		c->mask = NULL;
		cicd_buf_dispose(&c->out);
	}
	return rc;
}

static void free_mask(void *p)
{
	ctx *c = p;
	CICD_ASSERT_STR(c->out.ptr, "x [MASKED] glpat-[MASKED] ?token=[MASKED]");
	cicd_mask_free(c->mask);
	c->mask = NULL;
	cicd_buf_dispose(&c->out);
}

static void test_pod_module_survives_every_allocation_failure(void)
{
	ctx c;
	char *job_text, *cfg_text;
	size_t jlen, clen;
	memset(&c, 0, sizeof c);
	job_text = cicd_test_read_data("job_basic.json", &jlen);
	cfg_text = cicd_test_read_data("runner_basic.yml", &clen);
	CU_ASSERT_EQUAL_FATAL(cicd_allocator_set(cicd_test_failing_malloc, cicd_test_failing_realloc, cicd_test_counting_free), 0);
	c.text = job_text;
	c.len = jlen;
	failure_loop("parse_job", parse_job, free_job, &c);
	c.text = cfg_text;
	c.len = clen;
	failure_loop("load_cfg", load_cfg, free_cfg, &c);
	/* the renderers, over inputs loaded without failures */
	CU_ASSERT_EQUAL_FATAL(cicd_job_payload_parse(&c.job, job_text, jlen, "job.json", NULL), 0);
	CU_ASSERT_EQUAL_FATAL(cicd_runner_config_load(&c.cfg, cfg_text, clen, "runner.yml", NULL), 0);
	failure_loop("render", render, free_out, &c);
	failure_loop("script", script, free_out, &c);
	failure_loop("kaniko", kaniko, free_out, &c);
	failure_loop("mask", mask, free_mask, &c);
	cicd_job_payload_free(c.job);
	cicd_runner_config_free(c.cfg);
	CU_ASSERT_EQUAL(cicd_test_alloc_live, 0);
	cicd_allocator_reset();
	free(job_text);
	free(cfg_text);
}

CICD_SUITE(pod_alloc, CICD_TEST(test_pod_module_survives_every_allocation_failure))

/* Kaniko builds: golden renderings, manifest validation, and refusals that never show a password. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cicd/cicd.h"
#include "golden.h"
#include "test.h"

static const char *const DEST[] = {"registry.example.com/acme/shop:1.2.3", "registry.example.com/acme/shop:latest"};
static const char *const ARGS[] = {"VERSION=1.2.3"};
static const char *const REGS[] = {"registry.example.com"};
static const char *const USERS[] = {"ci"};
static const char *const PWS[] = {"s3cr3t"};
static const char CA[] = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";

static void full_build(cicd_kaniko_build *b)
{
	CU_ASSERT_EQUAL_FATAL(cicd_kaniko_build_init(b, CICD_KANIKO_BUILD_VERSION), 0);
	b->flags = CICD_KANIKO_AS_JOB | CICD_KANIKO_CACHE | CICD_KANIKO_REPRODUCIBLE;
	b->name = "shop-build";
	b->ns = "ci";
	b->context = "git://gitlab.example.com/acme/shop.git#refs/heads/dev";
	b->destinations = DEST;
	b->destination_count = 2;
	b->build_args = ARGS;
	b->build_arg_count = 1;
	b->target = "runtime";
	b->cache_repo = "registry.example.com/acme/shop/cache";
	b->snapshot_mode = "redo";
	b->ca_bundle = CA;
	b->ca_bundle_len = sizeof CA - 1;
	b->registries = REGS;
	b->usernames = USERS;
	b->passwords = PWS;
	b->credential_count = 1;
	b->cpu_request = b->cpu_limit = "1";
	b->memory_request = b->memory_limit = "2Gi";
	b->active_deadline_seconds = 3600;
}

static void expect_golden(const cicd_kaniko_build *b, const char *golden_file)
{
	cicd_buf out = CICD_BUF_INIT;
	size_t glen;
	char *golden, *diff;
	CU_ASSERT_EQUAL_FATAL(cicd_kaniko_render(&out, b), 0);
	golden = cicd_test_read_data(golden_file, &glen);
	diff = golden_diff(golden, glen, out.ptr, out.size);
	if (diff) {
		fprintf(stderr, "\n%s: %s\n", golden_file, diff);
		CU_FAIL("kaniko rendering differs from the golden file");
	}
	CU_ASSERT(out.size == glen && !memcmp(out.ptr, golden, glen));
	free(diff);
	free(golden);
	cicd_buf_dispose(&out);
}

static void test_kaniko_job_matches_golden(void)
{
	cicd_kaniko_build b;
	full_build(&b);
	expect_golden(&b, "golden_kaniko_job.yaml");
}

static void test_kaniko_pod_matches_golden(void)
{
	cicd_kaniko_build b = CICD_KANIKO_BUILD_INIT;
	b.context = "dir:///workspace";
	b.flags = CICD_KANIKO_NO_PUSH;
	b.context_claim = "src";
	expect_golden(&b, "golden_kaniko_pod.yaml");
}

static void test_kaniko_docker_config_has_base64_auth(void)
{
	cicd_kaniko_build b;
	cicd_buf out = CICD_BUF_INIT;
	cicd_document *doc = NULL;
	const cicd_node *items;
	const char *enc;
	full_build(&b);
	b.format = CICD_POD_FORMAT_JSON;
	CU_ASSERT_EQUAL_FATAL(cicd_kaniko_render(&out, &b), 0);
	CU_ASSERT_EQUAL_FATAL(cicd_document_load_json(&doc, out.ptr, out.size, "out.json", NULL), 0);
	items = cicd_node_get(cicd_document_root(doc, 0), "items");
	CU_ASSERT_EQUAL_FATAL(cicd_node_size(items), 3);
	enc =
	    cicd_node_scalar(cicd_node_get(cicd_node_get(cicd_node_item(items, 0), "data"), ".dockerconfigjson"), NULL);
	/* base64 of {"auths":{"registry.example.com":{"username":"ci","password":"s3cr3t","auth":"Y2k6czNjcjN0"}}},
	 * where Y2k6czNjcjN0 is base64("ci:s3cr3t") */
	CICD_ASSERT_STR(enc,
	                "eyJhdXRocyI6eyJyZWdpc3RyeS5leGFtcGxlLmNvbSI6eyJ1c2VybmFtZSI6ImNpIiwicGFzc3dvcmQiOiJzM2NyM3QiLC"
	                "JhdXRoIjoiWTJrNmN6Tmpjak4wIn19fQ==");
	/* the password is nowhere but in the Secret */
	CU_ASSERT_PTR_NULL(strstr(out.ptr, "s3cr3t"));
	cicd_document_free(doc);
	cicd_buf_dispose(&out);
}

static void expect_invalid(cicd_kaniko_build *b, int code, const char *message)
{
	cicd_buf out = CICD_BUF_INIT;
	CU_ASSERT_EQUAL(cicd_kaniko_render(&out, b), code);
	CICD_ASSERT_STR(cicd_error_last()->message, message);
	CU_ASSERT_EQUAL(out.size, 0);
	cicd_buf_dispose(&out);
}

static void test_kaniko_refuses_incomplete_specs(void)
{
	cicd_kaniko_build b;
	static const char *const BAD_ARGS[] = {"NOEQUALS"};
	static const char *const NO_PW[] = {NULL};
	full_build(&b);
	b.context = NULL;
	expect_invalid(&b, CICD_EVALIDATE, "kaniko build: a context is required");
	full_build(&b);
	b.destination_count = 0;
	expect_invalid(&b, CICD_EVALIDATE, "kaniko build: at least one destination is required (or no-push)");
	full_build(&b);
	b.build_args = BAD_ARGS;
	expect_invalid(&b, CICD_EVALIDATE, "kaniko build: build argument 1 is not KEY=VALUE");
	full_build(&b);
	b.snapshot_mode = "fast";
	expect_invalid(&b, CICD_EVALIDATE, "kaniko build: snapshot mode \"fast\" is not full, redo or time");
	full_build(&b);
	b.flags &= ~CICD_KANIKO_CACHE;
	expect_invalid(&b, CICD_EVALIDATE, "kaniko build: a cache repository needs the cache turned on");
	full_build(&b);
	b.name = "Shop_Build";
	expect_invalid(&b, CICD_EVALIDATE, "kaniko build: name must be a DNS-1123 label of at most 40 characters");
	full_build(&b);
	b.passwords = NO_PW;
	expect_invalid(&b, CICD_EVALIDATE, "kaniko build: credential 1 needs a registry, a user name and a password");
	full_build(&b);
	b.memory_limit = "2GB";
	expect_invalid(&b, CICD_EVALIDATE, "kaniko build: memory limit \"2GB\" is not a Kubernetes quantity");
	full_build(&b);
	b.version = 9;
	expect_invalid(&b, CICD_EINVALID, "cicd_kaniko_render: unknown build version 9");
	CU_ASSERT_EQUAL(cicd_kaniko_build_init(&b, 2), CICD_EINVALID);
}

static void test_kaniko_renderings_pass_manifest_validation(void)
{
	static const char *const GOLDEN[] = {"golden_kaniko_job.yaml", "golden_kaniko_pod.yaml"};
	cicd_manifest_validate_options vopts = CICD_MANIFEST_VALIDATE_OPTIONS_INIT;
	size_t i, len, olen;
	char *openapi = cicd_test_read_data("openapi-core-batch.json", &olen);
	vopts.openapi = openapi;
	vopts.openapi_len = olen;
	for (i = 0; i < 2; i++) {
		cicd_manifest_set *set = NULL;
		cicd_diagnostics *diags = NULL;
		char *text = cicd_test_read_data(GOLDEN[i], &len);
		CU_ASSERT_EQUAL_FATAL(cicd_manifest_set_new(&set), 0);
		CU_ASSERT_EQUAL_FATAL(cicd_manifest_set_add_buffer(set, text, len, GOLDEN[i], NULL), 0);
		CU_ASSERT_EQUAL(cicd_manifest_set_validate(&diags, set, &vopts), 0);
		CU_ASSERT_EQUAL(cicd_diagnostics_count(diags), 0);
		cicd_diagnostics_free(diags);
		cicd_manifest_set_free(set);
		free(text);
	}
	free(openapi);
}

CICD_SUITE(pod_kaniko, CICD_TEST(test_kaniko_job_matches_golden), CICD_TEST(test_kaniko_pod_matches_golden),
           CICD_TEST(test_kaniko_docker_config_has_base64_auth), CICD_TEST(test_kaniko_refuses_incomplete_specs),
           CICD_TEST(test_kaniko_renderings_pass_manifest_validation))

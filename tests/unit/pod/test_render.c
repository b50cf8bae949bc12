/* Rendering job Pods: golden files compared field by field, overwrites within and beyond caps, secrets. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cicd/cicd.h"
#include "golden.h"
#include "test.h"

static void test_render_matches_golden_basic(void)
{
	/* services with aliases, file, masked and private variables, registry credentials, pull secrets */
	golden_check("job_basic.json", "runner_basic.yml", "golden_basic.yaml");
}

static void test_render_matches_golden_overwrites_within_caps(void)
{
	golden_check("job_overwrites.json", "runner_caps.yml", "golden_overwrites.yaml");
}

static void test_render_matches_golden_minimal(void)
{
	golden_check("job_minimal.json", "runner_minimal.yml", "golden_minimal.yaml");
}

static const char CAPS_RUNNER[] = "kubernetes:\n"
                                  "  namespace: ci\n"
                                  "  image: alpine:3.20\n"
                                  "  namespace_overwrite_allowed: ^ci-[a-z0-9-]+$\n"
                                  "  cpu_limit_overwrite_max_allowed: \"2\"\n"
                                  "  memory_request_overwrite_max_allowed: 1.5Gi\n"
                                  "  pod_labels_overwrite_allowed: .*\n"
                                  "  allowed_images: [\"golang:*\", \"docker.io/**\"]\n"
                                  "  allowed_services: [\"postgres:*\"]\n"
                                  "  allowed_pull_policies: [if-not-present]\n";

/* Renders a job given as JSON text (named j.json) with a runner config text. */
static int render_text(const char *job_json, const char *runner_yaml, unsigned int flags, cicd_buf *out)
{
	cicd_pod_render_options opts = CICD_POD_RENDER_OPTIONS_INIT;
	cicd_job_payload *job = NULL;
	cicd_runner_config *cfg = NULL;
	int rc;
	opts.flags = flags;
	CU_ASSERT_EQUAL_FATAL(cicd_job_payload_parse(&job, job_json, strlen(job_json), "j.json", NULL), 0);
	CU_ASSERT_EQUAL_FATAL(cicd_runner_config_load(&cfg, runner_yaml, strlen(runner_yaml), "r.yml", NULL), 0);
	rc = cicd_pod_render(out, job, cfg, &opts);
	cicd_runner_config_free(cfg);
	cicd_job_payload_free(job);
	return rc;
}

static void expect_error(const char *job_json, int code, const char *message, unsigned int line, unsigned int column)
{
	cicd_buf out = CICD_BUF_INIT;
	const cicd_error *e;
	CU_ASSERT_EQUAL(render_text(job_json, CAPS_RUNNER, 0, &out), code);
	e = cicd_error_last();
	CICD_ASSERT_STR(e->message, message);
	CU_ASSERT_EQUAL(e->line, line);
	CU_ASSERT_EQUAL(e->column, column);
	if (line)
		CICD_ASSERT_STR(e->file, "j.json");
	cicd_buf_dispose(&out);
}

#define JOB_WITH_VAR(var) "{\"id\": 5, \"job_info\": {\"project_id\": 3},\n \"variables\": [\n  " var "\n]}"

static void test_render_refuses_overwrite_beyond_cap(void)
{
	expect_error(JOB_WITH_VAR("{\"key\": \"KUBERNETES_CPU_LIMIT\", \"value\": \"2500m\", \"public\": true}"),
	             CICD_EDENIED, "KUBERNETES_CPU_LIMIT \"2500m\" is more than cpu_limit_overwrite_max_allowed \"2\"",
	             3, 3);
	expect_error(JOB_WITH_VAR("{\"key\": \"KUBERNETES_MEMORY_REQUEST\", \"value\": \"2Gi\", \"public\": true}"),
	             CICD_EDENIED,
	             "KUBERNETES_MEMORY_REQUEST \"2Gi\" is more than memory_request_overwrite_max_allowed \"1.5Gi\"", 3,
	             3);
	expect_error(JOB_WITH_VAR("{\"key\": \"KUBERNETES_CPU_LIMIT\", \"value\": \"lots\", \"public\": true}"),
	             CICD_EVALIDATE, "KUBERNETES_CPU_LIMIT \"lots\" is not a Kubernetes quantity", 3, 3);
}

static void test_render_refuses_overwrite_not_allowed(void)
{
	cicd_buf out = CICD_BUF_INIT;
	const char *job = JOB_WITH_VAR("{\"key\": \"KUBERNETES_MEMORY_LIMIT\", \"value\": \"1Gi\", \"public\": true}");
	expect_error(job, CICD_EDENIED,
	             "KUBERNETES_MEMORY_LIMIT is set but the runner does not allow this overwrite "
	             "(memory_limit_overwrite_max_allowed is not set)",
	             3, 3);
	/* GitLab Runner's behaviour on request: ignored, nothing set */
	CU_ASSERT_EQUAL(render_text(job, CAPS_RUNNER, CICD_POD_IGNORE_DISABLED_OVERWRITES, &out), 0);
	CU_ASSERT_PTR_NULL(strstr(out.ptr, "memory: 1Gi"));
	cicd_buf_dispose(&out);
	expect_error(
	    JOB_WITH_VAR("{\"key\": \"KUBERNETES_SERVICE_ACCOUNT_OVERWRITE\", \"value\": \"admin\", \"public\": true}"),
	    CICD_EDENIED,
	    "KUBERNETES_SERVICE_ACCOUNT_OVERWRITE is set but the runner does not allow this overwrite "
	    "(service_account_overwrite_allowed is not set)",
	    3, 3);
}

static void test_render_refuses_overwrite_not_matching_pattern(void)
{
	expect_error(
	    JOB_WITH_VAR("{\"key\": \"KUBERNETES_NAMESPACE_OVERWRITE\", \"value\": \"kube-system\", \"public\": true}"),
	    CICD_EDENIED,
	    "KUBERNETES_NAMESPACE_OVERWRITE \"kube-system\" does not match namespace_overwrite_allowed "
	    "\"^ci-[a-z0-9-]+$\"",
	    3, 3);
	expect_error(JOB_WITH_VAR("{\"key\": \"KUBERNETES_POD_LABELS_1\", \"value\": \"job.runner.gitlab.com/id=1\", "
	                          "\"public\": true}"),
	             CICD_EDENIED, "KUBERNETES_POD_LABELS_1 may not set a key in the runner.gitlab.com namespace", 3,
	             3);
	expect_error(JOB_WITH_VAR("{\"key\": \"KUBERNETES_POD_LABELS_1\", \"value\": \"novalue\", \"public\": true}"),
	             CICD_EVALIDATE, "KUBERNETES_POD_LABELS_1 \"novalue\" is not of the form key=value", 3, 3);
}

static void test_render_never_shows_masked_overwrite_value(void)
{
	expect_error(JOB_WITH_VAR("{\"key\": \"KUBERNETES_CPU_LIMIT\", \"value\": \"99\", \"masked\": true}"),
	             CICD_EDENIED,
	             "KUBERNETES_CPU_LIMIT \"(hidden)\" is more than cpu_limit_overwrite_max_allowed \"2\"", 3, 3);
}

static void test_render_checks_allowed_images_and_pull_policies(void)
{
	expect_error("{\"id\": 1,\n \"image\": {\"name\": \"ubuntu:22.04\"}}", CICD_EDENIED,
	             "image \"ubuntu:22.04\" is not allowed by allowed_images", 2, 11);
	expect_error("{\"id\": 1, \"services\": [\n {\"name\": \"redis:7\"}]}", CICD_EDENIED,
	             "image \"redis:7\" is not allowed by allowed_services", 2, 2);
	expect_error("{\"id\": 1,\n \"image\": {\"name\": \"golang:1.22\", \"pull_policy\": [\"always\"]}}",
	             CICD_EDENIED, "pull policy \"always\" is not in allowed_pull_policies", 2, 11);
	/* '*' does not cross '/', '**' does */
	expect_error("{\"id\": 1,\n \"image\": {\"name\": \"golang:1.22/x\"}}", CICD_EDENIED,
	             "image \"golang:1.22/x\" is not allowed by allowed_images", 2, 11);
	{
		cicd_buf out = CICD_BUF_INIT;
		CU_ASSERT_EQUAL(render_text("{\"id\": 1, \"image\": {\"name\": \"docker.io/library/golang:1\"}}",
		                            CAPS_RUNNER, 0, &out),
		                0);
		cicd_buf_dispose(&out);
	}
}

static void test_render_refuses_secrets_in_image_names(void)
{
	expect_error("{\"id\": 1, \"variables\": [{\"key\": \"TOKEN\", \"value\": \"t0k\", \"masked\": true}],\n"
	             " \"image\": {\"name\": \"golang:$TOKEN\"}}",
	             CICD_EDENIED, "image \"golang:$TOKEN\" refers to the secret variable TOKEN", 2, 11);
	expect_error("{\"id\": 1, \"variables\": [{\"key\": \"TOKEN\", \"value\": \"t0k\"}], \"services\": [\n"
	             " {\"name\": \"postgres:1\", \"variables\": [{\"key\": \"PW\", \"value\": \"${TOKEN}\", "
	             "\"public\": true}]}]}",
	             CICD_EDENIED, "service variable PW \"${TOKEN}\" refers to the secret variable TOKEN", 2, 39);
}

static void test_render_needs_an_image(void)
{
	cicd_buf out = CICD_BUF_INIT;
	CU_ASSERT_EQUAL(render_text("{\"id\": 1}", "kubernetes: {namespace: ci}\n", 0, &out), CICD_EVALIDATE);
	CICD_ASSERT_STR(cicd_error_last()->message,
	                "the job names no image and the runner configuration sets no image");
	cicd_buf_dispose(&out);
}

/* The Pod document alone, as text. */
static char *pod_document(const char *stream)
{
	const char *at = strstr(stream, "\nkind: Pod\n");
	CU_ASSERT_PTR_NOT_NULL_FATAL(at);
	return strdup(at);
}

static void test_render_keeps_secrets_out_of_the_pod(void)
{
	cicd_job_payload *job = NULL;
	cicd_runner_config *cfg = NULL;
	cicd_buf out = CICD_BUF_INIT;
	char *pod;
	static const char *const SECRETS[] = {"sup3r-s3cret-key", "not-masked-but-private", "JobTokenSecretValue1",
	                                      "apiVersion: v1\\nkind: Config", "c3VwM3ItczNjcmV0LWtleQ"};
	size_t i;
	CU_ASSERT_EQUAL_FATAL(cicd_job_payload_load_file(&job, cicd_test_data_path("job_basic.json"), NULL), 0);
	CU_ASSERT_EQUAL_FATAL(cicd_runner_config_load_file(&cfg, cicd_test_data_path("runner_basic.yml"), NULL), 0);
	CU_ASSERT_EQUAL_FATAL(cicd_pod_render(&out, job, cfg, NULL), 0);
	pod = pod_document(out.ptr);
	for (i = 0; i < sizeof SECRETS / sizeof SECRETS[0]; i++)
		CU_ASSERT_PTR_NULL(strstr(pod, SECRETS[i]));
	/* and they are in the Secret, base64-encoded */
	CU_ASSERT_PTR_NOT_NULL(strstr(out.ptr, "env-API_KEY: c3VwM3ItczNjcmV0LWtleQ=="));
	free(pod);
	cicd_buf_dispose(&out);
	cicd_runner_config_free(cfg);
	cicd_job_payload_free(job);
}

static void test_render_escapes_dollar_in_env(void)
{
	cicd_buf out = CICD_BUF_INIT;
	/* raw: as sent; not raw: expanded once with the values as sent (Go's os.Expand), then escaped */
	CU_ASSERT_EQUAL(
	    render_text(JOB_WITH_VAR("{\"key\": \"P\", \"value\": \"a$b $(c) $$\", \"public\": true, "
	                             "\"raw\": true},\n {\"key\": \"Q\", \"value\": \"v=${P}|$b|$$|${}|$\", "
	                             "\"public\": true}"),
	                CAPS_RUNNER, 0, &out),
	    0);
	CU_ASSERT_PTR_NOT_NULL(strstr(out.ptr, "- name: P\n      value: a$$b $$(c) $$$$\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out.ptr, "- name: Q\n      value: v=a$$b $$(c) $$$$||||$$\n"));
	cicd_buf_dispose(&out);
}

static void test_render_json_list_and_names(void)
{
	cicd_pod_render_options opts;
	cicd_job_payload *job = NULL;
	cicd_runner_config *cfg = NULL;
	cicd_buf out = CICD_BUF_INIT;
	cicd_document *doc = NULL;
	const cicd_node *items, *pod;
	CU_ASSERT_EQUAL(cicd_pod_render_options_init(&opts, 7), CICD_EINVALID);
	CU_ASSERT_EQUAL(cicd_pod_render_options_init(&opts, CICD_POD_RENDER_OPTIONS_VERSION), 0);
	opts.format = CICD_POD_FORMAT_JSON;
	opts.slot = 3;
	opts.name_suffix = "x9";
	CU_ASSERT_EQUAL_FATAL(cicd_job_payload_load_file(&job, cicd_test_data_path("job_basic.json"), NULL), 0);
	CU_ASSERT_EQUAL_FATAL(cicd_runner_config_load_file(&cfg, cicd_test_data_path("runner_basic.yml"), NULL), 0);
	CU_ASSERT_EQUAL_FATAL(cicd_pod_render(&out, job, cfg, &opts), 0);
	CU_ASSERT_EQUAL_FATAL(cicd_document_load_json(&doc, out.ptr, out.size, "out.json", NULL), 0);
	CICD_ASSERT_STR(cicd_node_scalar(cicd_node_get(cicd_document_root(doc, 0), "kind"), NULL), "List");
	items = cicd_node_get(cicd_document_root(doc, 0), "items");
	CU_ASSERT_EQUAL_FATAL(cicd_node_size(items), 3);
	pod = cicd_node_item(items, 2);
	CICD_ASSERT_STR(cicd_node_scalar(cicd_node_get(cicd_node_get(pod, "metadata"), "name"), NULL),
	                "runner-abcd1234-project-17-concurrent-3-x9");
	opts.name_suffix = "Bad!";
	cicd_buf_dispose(&out);
	CU_ASSERT_EQUAL(cicd_pod_render(&out, job, cfg, &opts), CICD_EINVALID);
	CICD_ASSERT_STR(cicd_error_last()->message, "name_suffix must be 1 to 8 characters of [a-z0-9]");
	cicd_document_free(doc);
	cicd_buf_dispose(&out);
	cicd_runner_config_free(cfg);
	cicd_job_payload_free(job);
}

static void test_golden_diff_reports_the_path(void)
{
	static const char A[] = "a:\n  b: [1, {c: x}]\n";
	static const char B[] = "a:\n  b: [1, {c: y}]\n";
	char *d = golden_diff(A, sizeof A - 1, B, sizeof B - 1);
	CICD_ASSERT_STR(d, "doc 1: a.b[1].c: expected \"x\", got \"y\"");
	free(d);
	CU_ASSERT_PTR_NULL(golden_diff(A, sizeof A - 1, A, sizeof A - 1));
}

CICD_SUITE(pod_render, CICD_TEST(test_render_matches_golden_basic),
           CICD_TEST(test_render_matches_golden_overwrites_within_caps), CICD_TEST(test_render_matches_golden_minimal),
           CICD_TEST(test_render_refuses_overwrite_beyond_cap), CICD_TEST(test_render_refuses_overwrite_not_allowed),
           CICD_TEST(test_render_refuses_overwrite_not_matching_pattern),
           CICD_TEST(test_render_never_shows_masked_overwrite_value),
           CICD_TEST(test_render_checks_allowed_images_and_pull_policies), CICD_TEST(test_render_needs_an_image),
           CICD_TEST(test_render_keeps_secrets_out_of_the_pod), CICD_TEST(test_render_escapes_dollar_in_env),
           CICD_TEST(test_render_json_list_and_names), CICD_TEST(test_golden_diff_reports_the_path),
           CICD_TEST(test_render_refuses_secrets_in_image_names))

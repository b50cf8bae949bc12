/* The rendered objects pass the manifest module's validation, against Kubernetes' own OpenAPI schema. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cicd/cicd.h"
#include "cicd/manifest.h"
#include "test.h"

static void validate(const char *text, size_t len, const char *name)
{
	cicd_manifest_validate_options vopts = CICD_MANIFEST_VALIDATE_OPTIONS_INIT;
	cicd_manifest_set *set = NULL;
	cicd_diagnostics *diags = NULL;
	size_t i, olen;
	char *openapi = cicd_test_read_data("openapi-core-batch.json", &olen);
	int rc;
	vopts.openapi = openapi;
	vopts.openapi_len = olen;
	CU_ASSERT_EQUAL_FATAL(cicd_manifest_set_new(&set), 0);
	CU_ASSERT_EQUAL_FATAL(cicd_manifest_set_add_buffer(set, text, len, name, NULL), 0);
	CU_ASSERT(cicd_manifest_set_count(set) >= 2);
	rc = cicd_manifest_set_validate(&diags, set, &vopts);
	for (i = 0; i < cicd_diagnostics_count(diags); i++) {
		const cicd_diagnostic *d = cicd_diagnostics_get(diags, i);
		fprintf(stderr, "\n%s:%u:%u: %s\n", d->file, d->line, d->column, d->message);
	}
	CU_ASSERT_EQUAL(rc, 0);
	/* not even a warning */
	CU_ASSERT_EQUAL(cicd_diagnostics_count(diags), 0);
	cicd_diagnostics_free(diags);
	cicd_manifest_set_free(set);
	free(openapi);
}

static void test_golden_renderings_pass_manifest_validation(void)
{
	static const char *const GOLDEN[] = {"golden_basic.yaml", "golden_overwrites.yaml", "golden_minimal.yaml"};
	size_t i, len;
	for (i = 0; i < sizeof GOLDEN / sizeof GOLDEN[0]; i++) {
		char *text = cicd_test_read_data(GOLDEN[i], &len);
		validate(text, len, GOLDEN[i]);
		free(text);
	}
}

static void test_json_list_passes_manifest_validation(void)
{
	cicd_pod_render_options opts = CICD_POD_RENDER_OPTIONS_INIT;
	cicd_job_payload *job = NULL;
	cicd_runner_config *cfg = NULL;
	cicd_buf out = CICD_BUF_INIT;
	opts.format = CICD_POD_FORMAT_JSON;
	CU_ASSERT_EQUAL_FATAL(cicd_job_payload_load_file(&job, cicd_test_data_path("job_basic.json"), NULL), 0);
	CU_ASSERT_EQUAL_FATAL(cicd_runner_config_load_file(&cfg, cicd_test_data_path("runner_basic.yml"), NULL), 0);
	CU_ASSERT_EQUAL_FATAL(cicd_pod_render(&out, job, cfg, &opts), 0);
	validate(out.ptr, out.size, "rendered.json");
	cicd_buf_dispose(&out);
	cicd_runner_config_free(cfg);
	cicd_job_payload_free(job);
}

static void test_schema_catches_a_broken_pod(void)
{
	/* the check is real: a Pod with a container port as a string fails */
	static const char BAD[] = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n"
	                          "  - name: c\n    image: x\n    ports: [{containerPort: eighty}]\n";
	static const char GOOD[] = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n"
	                           "  - name: c\n    image: x\n    ports: [{containerPort: 80}]\n";
	cicd_manifest_validate_options vopts = CICD_MANIFEST_VALIDATE_OPTIONS_INIT;
	cicd_manifest_set *set = NULL;
	size_t olen;
	char *openapi = cicd_test_read_data("openapi-core-batch.json", &olen);
	vopts.openapi = openapi;
	vopts.openapi_len = olen;
	CU_ASSERT_EQUAL_FATAL(cicd_manifest_set_new(&set), 0);
	CU_ASSERT_EQUAL_FATAL(cicd_manifest_set_add_buffer(set, BAD, sizeof BAD - 1, "bad.yaml", NULL), 0);
	CU_ASSERT_EQUAL(cicd_manifest_set_validate(NULL, set, &vopts), CICD_EVALIDATE);
	CU_ASSERT_PTR_NOT_NULL(strstr(cicd_error_last()->message, "containerPort"));
	cicd_manifest_set_free(set);
	/* and the same Pod with a number passes */
	CU_ASSERT_EQUAL_FATAL(cicd_manifest_set_new(&set), 0);
	CU_ASSERT_EQUAL_FATAL(cicd_manifest_set_add_buffer(set, GOOD, sizeof GOOD - 1, "good.yaml", NULL), 0);
	CU_ASSERT_EQUAL(cicd_manifest_set_validate(NULL, set, &vopts), 0);
	cicd_manifest_set_free(set);
	free(openapi);
}

CICD_SUITE(pod_manifest_validation, CICD_TEST(test_golden_renderings_pass_manifest_validation),
           CICD_TEST(test_json_list_passes_manifest_validation), CICD_TEST(test_schema_catches_a_broken_pod))

/* The job payload parser: typed fields, unknown fields kept, errors with positions, limits. */
#include <string.h>

#include "cicd/cicd.h"
#include "test.h"

static void test_job_parses_typed_fields(void)
{
	cicd_job_payload *job = NULL;
	const char *key, *value;
	size_t len;
	unsigned int flags;
	CU_ASSERT_EQUAL_FATAL(cicd_job_payload_load_file(&job, cicd_test_data_path("job_basic.json"), NULL), 0);
	CU_ASSERT_EQUAL(cicd_job_payload_id(job), 4242);
	CU_ASSERT_EQUAL(cicd_job_payload_project_id(job), 17);
	CU_ASSERT_EQUAL(cicd_job_payload_timeout(job), 3600);
	CICD_ASSERT_STR(cicd_job_payload_name(job), "test:unit");
	CICD_ASSERT_STR(cicd_job_payload_stage(job), "test");
	CICD_ASSERT_STR(cicd_job_payload_image(job), "node:20-alpine");
	CU_ASSERT_EQUAL(cicd_job_payload_variable_count(job), 7);
	CU_ASSERT_EQUAL(cicd_job_payload_variable(job, 2, &key, &value, &len, &flags), 0);
	CICD_ASSERT_STR(key, "API_KEY");
	CICD_ASSERT_STR(value, "sup3r-s3cret-key");
	CU_ASSERT_EQUAL(len, 16);
	CU_ASSERT_EQUAL(flags, CICD_JOB_PAYLOAD_VAR_MASKED);
	CU_ASSERT_EQUAL(cicd_job_payload_variable(job, 4, &key, NULL, NULL, &flags), 0);
	CU_ASSERT_EQUAL(flags, CICD_JOB_PAYLOAD_VAR_PUBLIC | CICD_JOB_PAYLOAD_VAR_FILE);
	CU_ASSERT_EQUAL(cicd_job_payload_variable(job, 7, &key, NULL, NULL, NULL), CICD_ENOTFOUND);
	CU_ASSERT_EQUAL(cicd_job_payload_service_count(job), 2);
	CICD_ASSERT_STR(cicd_job_payload_service_name(job, 0), "postgres:16");
	CICD_ASSERT_STR(cicd_job_payload_service_alias(job, 0), "db");
	CICD_ASSERT_STR(cicd_job_payload_service_alias(job, 1), "");
	CU_ASSERT_PTR_NULL(cicd_job_payload_service_name(job, 2));
	CU_ASSERT_EQUAL(cicd_job_payload_step_count(job), 2);
	CICD_ASSERT_STR(cicd_job_payload_step_name(job, 1), "after_script");
	/* unknown fields are kept */
	CU_ASSERT_EQUAL(cicd_job_payload_unknown_count(job), 1);
	CICD_ASSERT_STR(cicd_job_payload_unknown_key(job, 0), "a_future_field");
	CU_ASSERT_PTR_NOT_NULL(cicd_node_get(cicd_node_get(cicd_job_payload_raw(job), "a_future_field"), "kept"));
	cicd_job_payload_free(job);
	cicd_job_payload_free(NULL);
}

static void test_job_timeout_defaults_to_two_hours(void)
{
	cicd_job_payload *job = NULL;
	const char *j = "{\"id\": 1, \"runner_info\": {\"timeout\": 0}}";
	CU_ASSERT_EQUAL_FATAL(cicd_job_payload_parse(&job, j, strlen(j), NULL, NULL), 0);
	CU_ASSERT_EQUAL(cicd_job_payload_timeout(job), 7200);
	CICD_ASSERT_STR(cicd_job_payload_image(job), "");
	cicd_job_payload_free(job);
}

static void expect(const char *json, int code, const char *message, unsigned int line, unsigned int column)
{
	cicd_job_payload *job = NULL;
	const cicd_error *e;
	CU_ASSERT_EQUAL(cicd_job_payload_parse(&job, json, strlen(json), "j.json", NULL), code);
	CU_ASSERT_PTR_NULL(job);
	e = cicd_error_last();
	CICD_ASSERT_STR(e->message, message);
	CU_ASSERT_EQUAL(e->line, line);
	CU_ASSERT_EQUAL(e->column, column);
}

static void test_job_reports_wrong_types_with_positions(void)
{
	expect("{\"id\": \"7\"}", CICD_EPARSE, "job payload: \"id\" must be an integer", 1, 8);
	expect("{\"job_info\": {}}", CICD_EPARSE, "job payload: \"id\" is missing", 1, 1);
	expect("[1]", CICD_EPARSE, "job payload: the top level must be an object", 1, 1);
	expect("{\"id\": 1,\n \"variables\": {}}", CICD_EPARSE, "job payload: \"variables\" must be an array", 2, 15);
	expect("{\"id\": 1, \"variables\": [\n {\"value\": \"x\"}]}", CICD_EPARSE,
	       "job payload: a variable has no \"key\"", 2, 2);
	expect("{\"id\": 1, \"variables\": [{\"key\": \"A\", \"masked\": \"yes\"}]}", CICD_EPARSE,
	       "job payload: \"masked\" must be true or false", 1, 48);
	expect("{\"id\": 1, \"steps\": [{\"name\": \"Bad Step\"}]}", CICD_EPARSE,
	       "job payload: step name \"Bad Step\" may only have [a-z0-9_-]", 1, 21);
	expect("{\"id\": 1, \"services\": [{\"name\": \"x\", \"ports\": [{\"number\": 70000}]}]}", CICD_EPARSE,
	       "job payload: port number 70000 is not between 1 and 65535", 1, 48);
	expect("{\"id\": 1,\n \"token\": 5}", CICD_EPARSE, "job payload: \"token\" must be a string", 2, 11);
}

static void test_job_malformed_json_has_position(void)
{
	cicd_job_payload *job = NULL;
	CU_ASSERT_EQUAL(cicd_job_payload_parse(&job, "{\"id\": 1,,}", 11, "j.json", NULL), CICD_EPARSE);
	CICD_ASSERT_STR(cicd_error_last()->file, "j.json");
	CU_ASSERT_EQUAL(cicd_error_last()->line, 1);
	/* duplicate keys are errors: a payload must not be ambiguous */
	CU_ASSERT_EQUAL(cicd_job_payload_parse(&job, "{\"id\": 1, \"id\": 2}", 18, "j.json", NULL), CICD_EPARSE);
}

static void test_job_limits(void)
{
	cicd_job_payload_options o;
	cicd_job_payload *job = NULL;
	const char *j = "{\"id\": 1, \"variables\": [{\"key\": \"A\"}, {\"key\": \"B\"}, {\"key\": \"C\"}]}";
	CU_ASSERT_EQUAL(cicd_job_payload_options_init(&o, 0), CICD_EINVALID);
	CU_ASSERT_EQUAL(cicd_job_payload_options_init(&o, CICD_JOB_PAYLOAD_OPTIONS_VERSION), 0);
	o.max_variables = 2;
	CU_ASSERT_EQUAL(cicd_job_payload_parse(&job, j, strlen(j), "j.json", &o), CICD_ELIMIT);
	CICD_ASSERT_STR(cicd_error_last()->message, "job payload: 3 variables, more than the limit of 2");
	o.max_variables = 0;
	o.max_bytes = 10;
	CU_ASSERT_EQUAL(cicd_job_payload_parse(&job, j, strlen(j), "j.json", &o), CICD_ELIMIT);
	o.max_bytes = 0;
	o.max_depth = 2;
	CU_ASSERT_EQUAL(cicd_job_payload_parse(&job, j, strlen(j), "j.json", &o), CICD_ELIMIT);
	CU_ASSERT_EQUAL(cicd_job_payload_load_file(&job, "/nonexistent/job.json", NULL), CICD_EIO);
}

CICD_SUITE(pod_job, CICD_TEST(test_job_parses_typed_fields), CICD_TEST(test_job_timeout_defaults_to_two_hours),
           CICD_TEST(test_job_reports_wrong_types_with_positions), CICD_TEST(test_job_malformed_json_has_position),
           CICD_TEST(test_job_limits))

static void test_job_masker_covers_secrets_and_server_prefixes(void)
{
	cicd_job_payload *job = NULL;
	cicd_mask *m = NULL;
	cicd_buf out = CICD_BUF_INIT;
	static const char LINE[] = "key sup3r-s3cret-key token glcbt-64_JobTokenSecretValue1 team acme_abc123 "
	                           "private not-masked-but-private\n";
	CU_ASSERT_EQUAL_FATAL(cicd_job_payload_load_file(&job, cicd_test_data_path("job_basic.json"), NULL), 0);
	CU_ASSERT_EQUAL_FATAL(cicd_job_payload_mask_new(&m, job, NULL), 0);
	CU_ASSERT_EQUAL(cicd_mask_write(m, &out, LINE, sizeof LINE - 1), 0);
	CU_ASSERT_EQUAL(cicd_mask_finish(m, &out), 0);
	/* masked values, the job token, the server's acme_ prefix; a private but unmasked value stays (as in GitLab) */
	CICD_ASSERT_STR(out.ptr, "key [MASKED] token [MASKED] team acme_[MASKED] private not-masked-but-private\n");
	cicd_buf_dispose(&out);
	cicd_mask_free(m);
	cicd_job_payload_free(job);
}

static void test_job_failure_reason_falls_back_for_older_servers(void)
{
	cicd_job_payload *job = NULL;
	const char *j = "{\"id\": 1, \"features\": {\"failure_reasons\": [\"image_pull_failure\"]}}";
	CU_ASSERT_EQUAL_FATAL(cicd_job_payload_parse(&job, j, strlen(j), "j.json", NULL), 0);
	CICD_ASSERT_STR(cicd_job_payload_failure_reason(job, "image_pull_failure"), "image_pull_failure");
	CICD_ASSERT_STR(cicd_job_payload_failure_reason(job, "runner_external_dependency_failure"),
	                "runner_system_failure");
	CICD_ASSERT_STR(cicd_job_payload_failure_reason(job, "runner_configuration_error"), "script_failure");
	CICD_ASSERT_STR(cicd_job_payload_failure_reason(job, "job_execution_timeout"), "job_execution_timeout");
	CICD_ASSERT_STR(cicd_job_payload_failure_reason(job, "runner_interrupted"), "unknown_failure");
	CICD_ASSERT_STR(cicd_job_payload_failure_reason(job, ""), "script_failure");
	CICD_ASSERT_STR(cicd_job_payload_failure_reason(job, "made_up"), "unknown_failure");
	cicd_job_payload_free(job);
}

CICD_SUITE(pod_job_helpers, CICD_TEST(test_job_masker_covers_secrets_and_server_prefixes),
           CICD_TEST(test_job_failure_reason_falls_back_for_older_servers))

/* Failure reasons read from a Pod's status. */
#include <stdio.h>
#include <string.h>

#include "cicd/cicd.h"
#include "test.h"

static void expect(const char *status_json, const char *reason, const char *message)
{
	char pod[4096];
	const char *got = NULL;
	cicd_buf msg = CICD_BUF_INIT;
	snprintf(pod, sizeof pod, "{\"kind\": \"Pod\", \"metadata\": {\"name\": \"p\"}, \"status\": %s}", status_json);
	CU_ASSERT_EQUAL_FATAL(cicd_pod_failure_reason(&got, &msg, pod, strlen(pod), "pod.json"), 0);
	CICD_ASSERT_STR(got, reason);
	CICD_ASSERT_STR(msg.ptr, message);
	cicd_buf_dispose(&msg);
}

#define WAITING(name, image, reason, message)                                                                          \
	"{\"name\": \"" name "\", \"image\": \"" image "\", \"state\": {\"waiting\": {\"reason\": \"" reason           \
	"\", \"message\": \"" message "\"}}}"

static void test_failure_image_pull_is_classified_by_message(void)
{
	expect("{\"phase\": \"Pending\", \"containerStatuses\": [" WAITING(
	           "build", "node:99", "ErrImagePull",
	           "rpc error: failed to pull: dial tcp 10.0.0.1:443: i/o timeout") "]}",
	       "runner_external_dependency_failure",
	       "the image \"node:99\" of container \"build\" could not be pulled: rpc error: failed to pull: dial tcp "
	       "10.0.0.1:443: i/o timeout");
	expect(
	    "{\"phase\": \"Pending\", \"containerStatuses\": [" WAITING(
	        "svc-0", "postgres:nope", "ImagePullBackOff", "Back-off pulling image: manifest unknown") "]}",
	    "runner_configuration_error",
	    "the image \"postgres:nope\" of container \"svc-0\" could not be pulled: Back-off pulling image: manifest "
	    "unknown");
	expect(
	    "{\"phase\": \"Pending\", \"containerStatuses\": [" WAITING("build", "node:20", "ErrImagePull",
	                                                                "toomanyrequests: rate limit exceeded") "]}",
	    "image_pull_failure",
	    "the image \"node:20\" of container \"build\" could not be pulled: toomanyrequests: rate limit exceeded");
}

static void test_failure_message_hides_credentials(void)
{
	expect(
	    "{\"containerStatuses\": [" WAITING("build", "r.example/x:1", "ErrImagePull",
	                                        "pull https://ci:glpat-S3cr3tT0ken@r.example/v2/x: unauthorized") "]}",
	    "runner_configuration_error",
	    "the image \"r.example/x:1\" of container \"build\" could not be pulled: pull "
	    "https://ci:[MASKED]@r.example/v2/x: unauthorized");
}

static void test_failure_configuration_errors(void)
{
	expect("{\"containerStatuses\": [" WAITING("build", "Bad Image", "InvalidImageName", "x") "]}",
	       "runner_configuration_error", "the image name \"Bad Image\" of container \"build\" is invalid");
	expect("{\"containerStatuses\": [" WAITING("build", "a", "CreateContainerConfigError",
	                                           "secret \\\"s\\\" not found") "]}",
	       "runner_configuration_error",
	       "container \"build\" could not be created (a Secret, ConfigMap or user it needs is missing or wrong): "
	       "secret \"s\" not found");
	expect("{\"containerStatuses\": [" WAITING("db", "postgres:16", "CrashLoopBackOff", "back-off 5m0s") "]}",
	       "runner_configuration_error", "container \"db\" keeps crashing (CrashLoopBackOff): back-off 5m0s");
}

static void test_failure_oom_names_the_container(void)
{
	expect("{\"phase\": \"Running\", \"containerStatuses\": [{\"name\": \"build\", \"state\": {\"terminated\": "
	       "{\"reason\": \"OOMKilled\", \"exitCode\": 137}}}]}",
	       "script_failure", "container \"build\" was killed because it ran out of memory (OOMKilled)");
	expect("{\"phase\": \"Running\", \"containerStatuses\": [{\"name\": \"build\", \"state\": {\"running\": {}}},"
	       "{\"name\": \"helper\", \"state\": {\"terminated\": {\"reason\": \"OOMKilled\", \"exitCode\": 137}}}]}",
	       "runner_system_failure", "container \"helper\" was killed because it ran out of memory (OOMKilled)");
}

static void test_failure_eviction_and_deadline_are_not_script_failures(void)
{
	expect(
	    "{\"phase\": \"Failed\", \"reason\": \"Evicted\", \"message\": \"The node was low on resource: memory.\"}",
	    "runner_system_failure", "the Pod was evicted by the node: The node was low on resource: memory.");
	expect("{\"phase\": \"Running\", \"conditions\": [{\"type\": \"DisruptionTarget\", \"status\": \"True\", "
	       "\"reason\": \"PreemptionByScheduler\", \"message\": \"preempted\"}]}",
	       "runner_system_failure", "the Pod was disrupted (PreemptionByScheduler): preempted");
	expect("{\"phase\": \"Failed\", \"reason\": \"DeadlineExceeded\", \"message\": \"Pod was active too long\", "
	       "\"containerStatuses\": [{\"name\": \"build\", \"state\": {\"terminated\": {\"reason\": \"Error\", "
	       "\"exitCode\": 137}}}]}",
	       "job_execution_timeout",
	       "the Pod ran longer than its activeDeadlineSeconds (the job timeout) and was stopped");
	expect("{\"phase\": \"Unknown\"}", "runner_system_failure",
	       "the Pod's state is unknown (its node may be lost)");
}

static void test_failure_none_and_bad_input(void)
{
	const char *reason = "x";
	cicd_buf msg = CICD_BUF_INIT;
	static const char OK[] = "{\"status\": {\"phase\": \"Running\", \"containerStatuses\": [{\"name\": \"build\", "
	                         "\"state\": {\"running\": {}}}]}}";
	CU_ASSERT_EQUAL(cicd_pod_failure_reason(&reason, &msg, OK, sizeof OK - 1, NULL), CICD_ENOTFOUND);
	CU_ASSERT_PTR_NULL(reason);
	CU_ASSERT_EQUAL(cicd_pod_failure_reason(&reason, &msg, "{\"status\": ", 11, "pod.json"), CICD_EPARSE);
	CICD_ASSERT_STR(cicd_error_last()->file, "pod.json");
	CU_ASSERT_EQUAL(cicd_pod_failure_reason(&reason, &msg, "[]", 2, "pod.json"), CICD_EPARSE);
	CICD_ASSERT_STR(cicd_error_last()->message, "a Pod must be a JSON object");
	cicd_buf_dispose(&msg);
}

CICD_SUITE(pod_failure, CICD_TEST(test_failure_image_pull_is_classified_by_message),
           CICD_TEST(test_failure_configuration_errors), CICD_TEST(test_failure_oom_names_the_container),
           CICD_TEST(test_failure_eviction_and_deadline_are_not_script_failures),
           CICD_TEST(test_failure_none_and_bad_input), CICD_TEST(test_failure_message_hides_credentials))

/* The rollout decisions (kubectl's rollout status rules) and pod problem detection, from object JSON. */
#include <stdio.h>
#include <string.h>

#include "cicd/cicd.h"
#include "cicd/kube.h"
#include "test.h"

static cicd_document *g_doc;

static const cicd_node *obj(const char *json)
{
	cicd_document_free(g_doc);
	g_doc = NULL;
	CU_ASSERT_EQUAL_FATAL(cicd_document_load_json(&g_doc, json, strlen(json), "obj.json", NULL), 0);
	return cicd_document_root(g_doc, 0);
}

static void expect(const char *json, cicd_kube_rollout_state want_state, const char *want_message)
{
	cicd_kube_rollout_state state = 99;
	cicd_buf msg = CICD_BUF_INIT;
	CU_ASSERT_EQUAL(cicd_kube_rollout_decide(&state, &msg, obj(json)), 0);
	CU_ASSERT_EQUAL(state, want_state);
	CICD_ASSERT_STR(msg.ptr ? msg.ptr : "", want_message);
	cicd_buf_dispose(&msg);
}

#define DEPLOY(gen, spec, status)                                                                                     \
	"{\"kind\":\"Deployment\",\"metadata\":{\"name\":\"web\",\"generation\":" gen "},\"spec\":{" spec "},"        \
	"\"status\":{" status "}}"

static void test_deployment_rules_follow_kubectl(void)
{
	expect(DEPLOY("2", "\"replicas\":3", "\"observedGeneration\":1"), CICD_KUBE_ROLLOUT_PROGRESSING,
	       "Waiting for deployment spec update to be observed...");
	expect(DEPLOY("2", "\"replicas\":3", "\"observedGeneration\":2,\"updatedReplicas\":1,\"replicas\":3"),
	       CICD_KUBE_ROLLOUT_PROGRESSING,
	       "Waiting for deployment \"web\" rollout to finish: 1 out of 3 new replicas have been updated...");
	expect(DEPLOY("2", "\"replicas\":3", "\"observedGeneration\":2,\"updatedReplicas\":3,\"replicas\":4"),
	       CICD_KUBE_ROLLOUT_PROGRESSING,
	       "Waiting for deployment \"web\" rollout to finish: 1 old replicas are pending termination...");
	expect(DEPLOY("2", "\"replicas\":3",
		      "\"observedGeneration\":2,\"updatedReplicas\":3,\"replicas\":3,\"availableReplicas\":2"),
	       CICD_KUBE_ROLLOUT_PROGRESSING,
	       "Waiting for deployment \"web\" rollout to finish: 2 of 3 updated replicas are available...");
	expect(DEPLOY("2", "\"replicas\":3",
		      "\"observedGeneration\":2,\"updatedReplicas\":3,\"replicas\":3,\"availableReplicas\":3"),
	       CICD_KUBE_ROLLOUT_DONE, "deployment \"web\" successfully rolled out");
	/* the deadline wins over the counts once the generation is observed */
	expect(DEPLOY("2", "\"replicas\":3",
		      "\"observedGeneration\":2,\"conditions\":[{\"type\":\"Available\",\"status\":\"False\"},"
		      "{\"type\":\"Progressing\",\"status\":\"False\",\"reason\":\"ProgressDeadlineExceeded\"}]"),
	       CICD_KUBE_ROLLOUT_FAILED, "deployment \"web\" exceeded its progress deadline");
	/* scaled to zero */
	expect(DEPLOY("1", "\"replicas\":0", "\"observedGeneration\":1"), CICD_KUBE_ROLLOUT_DONE,
	       "deployment \"web\" successfully rolled out");
}

static void test_daemonset_rules_follow_kubectl(void)
{
	const char *base = "{\"kind\":\"DaemonSet\",\"metadata\":{\"name\":\"agent\",\"generation\":1},"
			   "\"spec\":{\"updateStrategy\":{\"type\":\"RollingUpdate\"}},\"status\":{\"observedGeneration\":1,%s}}";
	char json[1024];
	cicd_kube_rollout_state state;
	snprintf(json, sizeof json, base, "\"desiredNumberScheduled\":2,\"updatedNumberScheduled\":1");
	expect(json, CICD_KUBE_ROLLOUT_PROGRESSING,
	       "Waiting for daemon set \"agent\" rollout to finish: 1 out of 2 new pods have been updated...");
	snprintf(json, sizeof json, base, "\"desiredNumberScheduled\":2,\"updatedNumberScheduled\":2,\"numberAvailable\":1");
	expect(json, CICD_KUBE_ROLLOUT_PROGRESSING,
	       "Waiting for daemon set \"agent\" rollout to finish: 1 of 2 updated pods are available...");
	snprintf(json, sizeof json, base, "\"desiredNumberScheduled\":2,\"updatedNumberScheduled\":2,\"numberAvailable\":2");
	expect(json, CICD_KUBE_ROLLOUT_DONE, "daemon set \"agent\" successfully rolled out");
	CU_ASSERT_EQUAL(cicd_kube_rollout_decide(&state, NULL,
						 obj("{\"kind\":\"DaemonSet\",\"metadata\":{\"name\":\"a\"},"
						     "\"spec\":{\"updateStrategy\":{\"type\":\"OnDelete\"}}}")),
			CICD_EUNSUPPORTED);
	CICD_ASSERT_STR(cicd_error_last()->message, "rollout status is only available for RollingUpdate strategy type");
}

static void test_statefulset_rules_follow_kubectl(void)
{
	expect("{\"kind\":\"StatefulSet\",\"metadata\":{\"name\":\"db\",\"generation\":1},\"spec\":{\"replicas\":3},"
	       "\"status\":{}}",
	       CICD_KUBE_ROLLOUT_PROGRESSING, "Waiting for statefulset spec update to be observed...");
	expect("{\"kind\":\"StatefulSet\",\"metadata\":{\"name\":\"db\",\"generation\":1},\"spec\":{\"replicas\":3},"
	       "\"status\":{\"observedGeneration\":1,\"readyReplicas\":1}}",
	       CICD_KUBE_ROLLOUT_PROGRESSING, "Waiting for 2 pods to be ready...");
	expect("{\"kind\":\"StatefulSet\",\"metadata\":{\"name\":\"db\",\"generation\":1},\"spec\":{\"replicas\":3,"
	       "\"updateStrategy\":{\"type\":\"RollingUpdate\",\"rollingUpdate\":{\"partition\":1}}},"
	       "\"status\":{\"observedGeneration\":1,\"readyReplicas\":3,\"updatedReplicas\":1}}",
	       CICD_KUBE_ROLLOUT_PROGRESSING, "Waiting for partitioned roll out to finish: 1 out of 2 new pods have been updated...");
	expect("{\"kind\":\"StatefulSet\",\"metadata\":{\"name\":\"db\",\"generation\":1},\"spec\":{\"replicas\":3,"
	       "\"updateStrategy\":{\"type\":\"RollingUpdate\",\"rollingUpdate\":{\"partition\":0}}},"
	       "\"status\":{\"observedGeneration\":1,\"readyReplicas\":3,\"updatedReplicas\":3}}",
	       CICD_KUBE_ROLLOUT_DONE, "partitioned roll out complete: 3 new pods have been updated...");
	expect("{\"kind\":\"StatefulSet\",\"metadata\":{\"name\":\"db\",\"generation\":1},\"spec\":{\"replicas\":2,"
	       "\"updateStrategy\":{\"type\":\"RollingUpdate\"}},\"status\":{\"observedGeneration\":1,\"readyReplicas\":2,"
	       "\"updatedReplicas\":1,\"updateRevision\":\"db-2\",\"currentRevision\":\"db-1\"}}",
	       CICD_KUBE_ROLLOUT_PROGRESSING, "waiting for statefulset rolling update to complete 1 pods at revision db-2...");
	expect("{\"kind\":\"StatefulSet\",\"metadata\":{\"name\":\"db\",\"generation\":1},\"spec\":{\"replicas\":2},"
	       "\"status\":{\"observedGeneration\":1,\"readyReplicas\":2,\"currentReplicas\":2,"
	       "\"updateRevision\":\"db-2\",\"currentRevision\":\"db-2\"}}",
	       CICD_KUBE_ROLLOUT_DONE, "statefulset rolling update complete 2 pods at revision db-2...");
}

static void test_job_and_pod_rules(void)
{
	expect("{\"kind\":\"Job\",\"metadata\":{\"name\":\"migrate\"},\"spec\":{\"completions\":2},"
	       "\"status\":{\"succeeded\":1,\"active\":1}}",
	       CICD_KUBE_ROLLOUT_PROGRESSING, "Waiting for job \"migrate\" to complete: 1 of 2 succeeded, 1 active, 0 failed...");
	expect("{\"kind\":\"Job\",\"metadata\":{\"name\":\"migrate\"},\"status\":{\"conditions\":["
	       "{\"type\":\"Complete\",\"status\":\"True\"}]}}",
	       CICD_KUBE_ROLLOUT_DONE, "job \"migrate\" completed");
	expect("{\"kind\":\"Job\",\"metadata\":{\"name\":\"migrate\"},\"status\":{\"conditions\":["
	       "{\"type\":\"Failed\",\"status\":\"True\",\"reason\":\"BackoffLimitExceeded\","
	       "\"message\":\"Job has reached the specified backoff limit\"}]}}",
	       CICD_KUBE_ROLLOUT_FAILED, "job \"migrate\" failed: BackoffLimitExceeded: Job has reached the specified backoff limit");
	expect("{\"kind\":\"Pod\",\"metadata\":{\"name\":\"p\"},\"status\":{\"phase\":\"Pending\"}}",
	       CICD_KUBE_ROLLOUT_PROGRESSING, "Waiting for pod \"p\" to be ready (phase Pending)...");
	expect("{\"kind\":\"Pod\",\"metadata\":{\"name\":\"p\"},\"status\":{\"phase\":\"Running\",\"conditions\":["
	       "{\"type\":\"Ready\",\"status\":\"True\"}]}}",
	       CICD_KUBE_ROLLOUT_DONE, "pod \"p\" is ready");
	expect("{\"kind\":\"Pod\",\"metadata\":{\"name\":\"p\"},\"status\":{\"phase\":\"Failed\",\"reason\":\"Evicted\"}}",
	       CICD_KUBE_ROLLOUT_FAILED, "pod \"p\" failed: Evicted");
}

static void test_other_kinds_are_unsupported(void)
{
	cicd_kube_rollout_state state;
	CU_ASSERT_EQUAL(cicd_kube_rollout_decide(&state, NULL, obj("{\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"c\"}}")),
			CICD_EUNSUPPORTED);
	CICD_ASSERT_STR(cicd_error_last()->message, "no rollout status for kind ConfigMap");
	CU_ASSERT_EQUAL(cicd_kube_rollout_decide(&state, NULL, obj("[1]")), CICD_EINVALID);
	CU_ASSERT_EQUAL(cicd_kube_rollout_decide(&state, NULL, obj("{\"kind\":\"Pod\"}")), CICD_EINVALID);
}

static void problem(const char *json, int want_rc, const char *want_reason, const char *want_container)
{
	cicd_buf reason = CICD_BUF_INIT, container = CICD_BUF_INIT;
	CU_ASSERT_EQUAL(cicd_kube_pod_problem(&reason, &container, obj(json)), want_rc);
	CICD_ASSERT_STR(reason.ptr ? reason.ptr : "", want_reason);
	CICD_ASSERT_STR(container.ptr ? container.ptr : "", want_container);
	cicd_buf_dispose(&reason);
	cicd_buf_dispose(&container);
}

static void test_pod_problems_name_the_cause(void)
{
	problem("{\"metadata\":{\"name\":\"web-1\"},\"status\":{\"phase\":\"Pending\",\"containerStatuses\":[{\"name\":\"app\","
		"\"image\":\"r/doesnotexist:1\",\"state\":{\"waiting\":{\"reason\":\"ImagePullBackOff\","
		"\"message\":\"Back-off pulling image\"}}}]}}",
		1, "ImagePullBackOff: pod \"web-1\" container \"app\" cannot pull image \"r/doesnotexist:1\": Back-off pulling image",
		"");
	problem("{\"metadata\":{\"name\":\"web-1\"},\"status\":{\"phase\":\"Running\",\"containerStatuses\":[{\"name\":\"ok\","
		"\"state\":{\"running\":{}}},{\"name\":\"app\",\"restartCount\":4,\"lastState\":{\"terminated\":{"
		"\"exitCode\":1,\"reason\":\"Error\"}},\"state\":{\"waiting\":{\"reason\":\"CrashLoopBackOff\"}}}]}}",
		1, "CrashLoopBackOff: pod \"web-1\" container \"app\" keeps crashing (restarted 4 times, last exit code 1 Error)",
		"app");
	problem("{\"metadata\":{\"name\":\"web-1\"},\"status\":{\"phase\":\"Pending\",\"conditions\":[{\"type\":\"PodScheduled\","
		"\"status\":\"False\",\"reason\":\"Unschedulable\",\"message\":\"0/2 nodes are available: 2 node(s) didn't "
		"match Pod's node affinity/selector.\"}]}}",
		1,
		"Unschedulable: pod \"web-1\" cannot be scheduled: 0/2 nodes are available: 2 node(s) didn't match Pod's node "
		"affinity/selector.",
		"");
	problem("{\"metadata\":{\"name\":\"web-1\"},\"status\":{\"phase\":\"Pending\",\"initContainerStatuses\":[{"
		"\"name\":\"init\",\"image\":\"i\",\"state\":{\"waiting\":{\"reason\":\"ErrImagePull\"}}}]}}",
		1, "ErrImagePull: pod \"web-1\" container \"init\" cannot pull image \"i\"", "");
	/* starting, running, and terminating pods have no problem */
	problem("{\"metadata\":{\"name\":\"web-1\"},\"status\":{\"phase\":\"Pending\",\"containerStatuses\":[{\"name\":\"app\","
		"\"state\":{\"waiting\":{\"reason\":\"ContainerCreating\"}}}]}}",
		0, "", "");
	problem("{\"metadata\":{\"name\":\"web-1\",\"deletionTimestamp\":\"2026-01-01T00:00:00Z\"},\"status\":{"
		"\"containerStatuses\":[{\"name\":\"app\",\"state\":{\"waiting\":{\"reason\":\"CrashLoopBackOff\"}}}]}}",
		0, "", "");
	problem("{\"metadata\":{\"name\":\"job-1\"},\"status\":{\"phase\":\"Failed\"}}", 1, "pod \"job-1\" failed", "");
	cicd_document_free(g_doc);
	g_doc = NULL;
}

CICD_SUITE(rollout_rules, CICD_TEST(test_deployment_rules_follow_kubectl), CICD_TEST(test_daemonset_rules_follow_kubectl),
	   CICD_TEST(test_statefulset_rules_follow_kubectl), CICD_TEST(test_job_and_pod_rules),
	   CICD_TEST(test_other_kinds_are_unsupported), CICD_TEST(test_pod_problems_name_the_cause))

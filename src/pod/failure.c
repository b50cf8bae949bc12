/*
 * Why a job Pod failed, read from its status as the API returns it, as one
 * of GitLab's failure_reason values. The classification follows GitLab
 * Runner (executors/kubernetes: waitForPodRunning, ClassifyImagePullFailure,
 * the DisruptionTarget watcher) and fixes its known gaps: an eviction or
 * a lost node is a runner_system_failure (retryable), never a
 * script_failure (runner issues #26856, #28100); an OOM kill is reported
 * with the container's name instead of a broken connection (#39842).
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/buf.h"
#include "core/error.h"
#include "core/log.h"
#include "pod_internal.h"

typedef struct verdict {
	int rank; /* higher wins */
	const char *reason;
	cicd_buf msg;
} verdict;

static const char *str_at(const cicd_node *map, const char *key)
{
	const cicd_node *n = map && map->kind == CICD_NODE_MAPPING ? cicd__node_get(map, key, strlen(key)) : NULL;
	return n && n->kind == CICD_NODE_SCALAR && n->style != CICD_SCALAR_PLAIN ? n->u.scalar.text : NULL;
}

static const cicd_node *map_at(const cicd_node *map, const char *key)
{
	const cicd_node *n = map && map->kind == CICD_NODE_MAPPING ? cicd__node_get(map, key, strlen(key)) : NULL;
	return n && n->kind == CICD_NODE_MAPPING ? n : NULL;
}

static const cicd_node *seq_at(const cicd_node *map, const char *key)
{
	const cicd_node *n = map && map->kind == CICD_NODE_MAPPING ? cicd__node_get(map, key, strlen(key)) : NULL;
	return n && n->kind == CICD_NODE_SEQUENCE ? n : NULL;
}

static int set(verdict *v, int rank, const char *reason, const char *fmt, ...) CICD__PRINTF(4, 5);

/* Keeps the most telling verdict: a higher rank replaces a lower one. */
static int set(verdict *v, int rank, const char *reason, const char *fmt, ...)
{
	char msg[1024];
	size_t len;
	va_list ap;
	if (rank <= v->rank)
		return 0;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	/* a registry's or kubelet's message may carry credentials (GitLab Runner #39081) */
	len = cicd__redact(msg, strlen(msg), sizeof msg);
	msg[len] = '\0';
	v->rank = rank;
	v->reason = reason;
	cicd__buf_clear(&v->msg);
	return cicd__buf_puts(&v->msg, msg);
}

static const char * or (const char *s, const char *dflt)
{
	return s ? s : dflt;
}

static int contains_any(const char *s, const char *const *needles, size_t n)
{
	size_t i;
	for (i = 0; s && i < n; i++)
		if (strstr(s, needles[i]))
			return 1;
	return 0;
}

/* GitLab Runner's ClassifyImagePullFailure: the registry's answer says whose problem it is. */
static const char *classify_pull(const char *message)
{
	static const char *const NETWORK[] = {"dial tcp",
	                                      "i/o timeout",
	                                      "connection refused",
	                                      "no such host",
	                                      "TLS handshake timeout",
	                                      "connection reset",
	                                      "network is unreachable",
	                                      "context deadline exceeded",
	                                      "502 Bad Gateway",
	                                      "503 Service Unavailable"};
	static const char *const CONFIG[] = {"not found",
	                                     "unauthorized",
	                                     "denied",
	                                     "manifest unknown",
	                                     "authentication required",
	                                     "no basic auth credentials"};
	if (contains_any(message, NETWORK, sizeof NETWORK / sizeof NETWORK[0]))
		return "runner_external_dependency_failure";
	if (contains_any(message, CONFIG, sizeof CONFIG / sizeof CONFIG[0]))
		return "runner_configuration_error";
	return "image_pull_failure";
}

static int container(verdict *v, const cicd_node *cs, int init)
{
	const char *name = str_at(cs, "name"), *image = str_at(cs, "image");
	const cicd_node *state = map_at(cs, "state"), *waiting = map_at(state, "waiting"),
	                *term = map_at(state, "terminated");
	const char *reason = str_at(waiting, "reason"), *msg = str_at(waiting, "message");
	int build = name && !strcmp(name, "build");
	if (!name)
		name = "?";
	if (reason && (!strcmp(reason, "ErrImagePull") || !strcmp(reason, "ImagePullBackOff")))
		return set(v, 60, classify_pull(msg), "the image \"%s\" of container \"%s\" could not be pulled: %s",
		           or (image, "?"), name, msg ? msg : reason);
	if (reason && !strcmp(reason, "InvalidImageName"))
		return set(v, 60, "runner_configuration_error", "the image name \"%s\" of container \"%s\" is invalid",
		           or (image, "?"), name);
	if (reason && !strcmp(reason, "CreateContainerConfigError"))
		return set(v, 55, "runner_configuration_error",
		           "container \"%s\" could not be created (a Secret, ConfigMap or user it needs is missing "
		           "or wrong): %s",
		           name, msg ? msg : reason);
	if (reason && !strcmp(reason, "CrashLoopBackOff"))
		return set(v, 50, build ? "script_failure" : "runner_configuration_error",
		           "container \"%s\" keeps crashing (CrashLoopBackOff): %s", name, or (msg, ""));
	if (term) {
		const char *treason = str_at(term, "reason");
		if (treason && !strcmp(treason, "OOMKilled"))
			return set(v, 45, build ? "script_failure" : "runner_system_failure",
			           "container \"%s\" was killed because it ran out of memory (OOMKilled)", name);
		if (!build && !init)
			return set(v, 30, "runner_system_failure", "container \"%s\" stopped before the job ended",
			           name);
		if (init) {
			const cicd_node *ec = cicd__node_get(term, "exitCode", 8);
			if (ec && !cicd__node_is(ec, "0"))
				return set(v, 40, "runner_system_failure", "init container \"%s\" failed", name);
		}
	}
	return 0;
}

static int classify(verdict *v, const cicd_node *pod)
{
	const cicd_node *status = map_at(pod, "status"), *list;
	const char *phase = str_at(status, "phase"), *reason = str_at(status, "reason"),
	           *msg = str_at(status, "message");
	size_t i;
	int rc = 0;
	if (reason && !strcmp(reason, "DeadlineExceeded"))
		rc = set(v, 100, "job_execution_timeout",
		         "the Pod ran longer than its activeDeadlineSeconds (the job timeout) and was stopped");
	else if (reason && (!strcmp(reason, "Evicted") || !strcmp(reason, "Preempting") || !strcmp(reason, "NodeLost")))
		rc = set(v, 90, "runner_system_failure", "the Pod was %s by the node: %s",
		         !strcmp(reason, "NodeLost") ? "lost" : "evicted", msg ? msg : reason);
	if (!rc && (list = seq_at(status, "conditions")))
		for (i = 0; !rc && i < list->count; i++) {
			const cicd_node *cond = list->u.seq.items[i];
			const char *type = str_at(cond, "type"), *st = str_at(cond, "status");
			if (type && st && !strcmp(type, "DisruptionTarget") && !strcmp(st, "True"))
				rc = set(v, 85, "runner_system_failure", "the Pod was disrupted (%s): %s",
				         or (str_at(cond, "reason"), "DisruptionTarget"),
				         or (str_at(cond, "message"), ""));
		}
	if (!rc && (list = seq_at(status, "initContainerStatuses")))
		for (i = 0; !rc && i < list->count; i++)
			rc = container(v, list->u.seq.items[i], 1);
	if (!rc && (list = seq_at(status, "containerStatuses")))
		for (i = 0; !rc && i < list->count; i++)
			rc = container(v, list->u.seq.items[i], 0);
	if (!rc && phase && !strcmp(phase, "Failed"))
		rc = set(v, 10, "runner_system_failure", "the Pod failed: %s",
		         msg ? msg : or (reason, "no reason given"));
	if (!rc && phase && !strcmp(phase, "Unknown"))
		rc = set(v, 10, "runner_system_failure", "the Pod's state is unknown (its node may be lost)");
	return rc;
}

CICD_EXTERN(int)
cicd_pod_failure_reason(const char **reason, cicd_buf *message, const char *pod_json, size_t len, const char *name)
{
	cicd_document_options dopts = CICD_DOCUMENT_OPTIONS_INIT;
	cicd_document *doc = NULL;
	const cicd_node *root;
	verdict v;
	int rc;
	if (!reason || !message || (!pod_json && len))
		return cicd__error_set(CICD_EINVALID,
		                       "cicd_pod_failure_reason: reason, message and pod_json are required");
	*reason = NULL;
	dopts.max_bytes = 16u << 20;
	dopts.max_depth = 64;
	if ((rc = cicd_document_load_json(&doc, pod_json ? pod_json : "", len, name ? name : "<pod>", &dopts)))
		return rc;
	root = cicd_document_root(doc, 0);
	memset(&v, 0, sizeof v);
	if (!root || root->kind != CICD_NODE_MAPPING)
		rc = cicd__error_set_at(CICD_EPARSE, name ? name : "<pod>", 1, 1, "a Pod must be a JSON object");
	else
		rc = classify(&v, root);
	cicd_document_free(doc);
	if (!rc && !v.reason)
		rc = cicd__error_set(CICD_ENOTFOUND, "the Pod shows no failure");
	if (!rc && !(rc = cicd__buf_put(message, v.msg.ptr ? v.msg.ptr : "", v.msg.size)))
		*reason = v.reason;
	cicd_buf_dispose(&v.msg);
	return rc;
}

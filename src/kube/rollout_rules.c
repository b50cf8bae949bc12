/*
 * The rollout decisions, as pure functions of an object: the Deployment,
 * DaemonSet and StatefulSet rules are those of kubectl's
 * polymorphichelpers/rollout_status.go (same tests, same messages without
 * the trailing newline); Jobs and bare Pods follow their conditions and
 * phase. Pod problems explain why a rollout cannot progress.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/document.h"
#include "core/error.h"
#include "kube_internal.h"

static long long num(const cicd_node *obj, const char *a, const char *b)
{
	return kube__int(kube__path(obj, a, b, NULL), 0);
}

static int has(const cicd_node *obj, const char *a, const char *b)
{
	const cicd_node *n = kube__path(obj, a, b, NULL);
	return n && n->kind == CICD_NODE_SCALAR && n->value_type == CICD_VALUE_INT;
}

/* The condition of the given type, or NULL. */
static const cicd_node *condition(const cicd_node *obj, const char *type)
{
	const cicd_node *conds = kube__path(obj, "status", "conditions", NULL);
	size_t i;
	for (i = 0; conds && conds->kind == CICD_NODE_SEQUENCE && i < conds->count; i++) {
		const char *t = kube__str(conds->u.seq.items[i], "type");
		if (t && !strcmp(t, type))
			return conds->u.seq.items[i];
	}
	return NULL;
}

static int condition_true(const cicd_node *obj, const char *type)
{
	const cicd_node *c = condition(obj, type);
	const char *s = c ? kube__str(c, "status") : NULL;
	return s && !strcmp(s, "True");
}

static int say(cicd_buf *message, int rc, const char *fmt, ...) CICD__PRINTF(3, 4);
static int say(cicd_buf *message, int rc, const char *fmt, ...)
{
	va_list ap;
	char text[1024];
	va_start(ap, fmt);
	vsnprintf(text, sizeof text, fmt, ap);
	va_end(ap);
	if (message && cicd__buf_puts(message, text))
		return CICD_ENOMEM;
	return rc;
}

static int deployment(cicd_kube_rollout_state *state, cicd_buf *msg, const cicd_node *d, const char *name)
{
	const cicd_node *progressing;
	const char *reason;
	long long updated = num(d, "status", "updatedReplicas"), replicas = num(d, "status", "replicas"),
		  available = num(d, "status", "availableReplicas");
	*state = CICD_KUBE_ROLLOUT_PROGRESSING;
	if (num(d, "metadata", "generation") > num(d, "status", "observedGeneration"))
		return say(msg, 0, "Waiting for deployment spec update to be observed...");
	progressing = condition(d, "Progressing");
	reason = progressing ? kube__str(progressing, "reason") : NULL;
	if (reason && !strcmp(reason, "ProgressDeadlineExceeded")) {
		*state = CICD_KUBE_ROLLOUT_FAILED;
		return say(msg, 0, "deployment \"%s\" exceeded its progress deadline", name);
	}
	if (has(d, "spec", "replicas") && updated < num(d, "spec", "replicas"))
		return say(msg, 0, "Waiting for deployment \"%s\" rollout to finish: %lld out of %lld new replicas have been updated...",
			   name, updated, num(d, "spec", "replicas"));
	if (replicas > updated)
		return say(msg, 0, "Waiting for deployment \"%s\" rollout to finish: %lld old replicas are pending termination...",
			   name, replicas - updated);
	if (available < updated)
		return say(msg, 0, "Waiting for deployment \"%s\" rollout to finish: %lld of %lld updated replicas are available...",
			   name, available, updated);
	*state = CICD_KUBE_ROLLOUT_DONE;
	return say(msg, 0, "deployment \"%s\" successfully rolled out", name);
}

static int daemonset(cicd_kube_rollout_state *state, cicd_buf *msg, const cicd_node *ds, const char *name)
{
	const char *strategy = kube__str(kube__path(ds, "spec", "updateStrategy", NULL), "type");
	long long updated = num(ds, "status", "updatedNumberScheduled"), desired = num(ds, "status", "desiredNumberScheduled"),
		  available = num(ds, "status", "numberAvailable");
	*state = CICD_KUBE_ROLLOUT_PROGRESSING;
	if (strategy && strcmp(strategy, "RollingUpdate"))
		return say(msg, cicd__error_set(CICD_EUNSUPPORTED, "rollout status is only available for RollingUpdate strategy type"),
			   "rollout status is only available for RollingUpdate strategy type");
	if (num(ds, "metadata", "generation") > num(ds, "status", "observedGeneration"))
		return say(msg, 0, "Waiting for daemon set spec update to be observed...");
	if (updated < desired)
		return say(msg, 0, "Waiting for daemon set \"%s\" rollout to finish: %lld out of %lld new pods have been updated...",
			   name, updated, desired);
	if (available < desired)
		return say(msg, 0, "Waiting for daemon set \"%s\" rollout to finish: %lld of %lld updated pods are available...", name,
			   available, desired);
	*state = CICD_KUBE_ROLLOUT_DONE;
	return say(msg, 0, "daemon set \"%s\" successfully rolled out", name);
}

static int statefulset(cicd_kube_rollout_state *state, cicd_buf *msg, const cicd_node *sts)
{
	const cicd_node *strategy = kube__path(sts, "spec", "updateStrategy", NULL);
	const char *type = kube__str(strategy, "type");
	const cicd_node *rolling = kube__path(strategy, "rollingUpdate", NULL);
	const char *update_rev = kube__str(kube__path(sts, "status", NULL), "updateRevision");
	const char *current_rev = kube__str(kube__path(sts, "status", NULL), "currentRevision");
	long long observed = num(sts, "status", "observedGeneration"), ready = num(sts, "status", "readyReplicas"),
		  updated = num(sts, "status", "updatedReplicas"), replicas = num(sts, "spec", "replicas");
	*state = CICD_KUBE_ROLLOUT_PROGRESSING;
	if (type && strcmp(type, "RollingUpdate"))
		return say(msg, cicd__error_set(CICD_EUNSUPPORTED, "rollout status is only available for RollingUpdate strategy type"),
			   "rollout status is only available for RollingUpdate strategy type");
	if (observed == 0 || num(sts, "metadata", "generation") > observed)
		return say(msg, 0, "Waiting for statefulset spec update to be observed...");
	if (has(sts, "spec", "replicas") && ready < replicas)
		return say(msg, 0, "Waiting for %lld pods to be ready...", replicas - ready);
	if (rolling && rolling->kind == CICD_NODE_MAPPING) {
		const cicd_node *partition = cicd__node_get(rolling, "partition", 9);
		if (has(sts, "spec", "replicas") && partition && updated < replicas - kube__int(partition, 0))
			return say(msg, 0, "Waiting for partitioned roll out to finish: %lld out of %lld new pods have been updated...",
				   updated, replicas - kube__int(partition, 0));
		*state = CICD_KUBE_ROLLOUT_DONE;
		return say(msg, 0, "partitioned roll out complete: %lld new pods have been updated...", updated);
	}
	if (strcmp(update_rev ? update_rev : "", current_rev ? current_rev : ""))
		return say(msg, 0, "waiting for statefulset rolling update to complete %lld pods at revision %s...", updated,
			   update_rev ? update_rev : "");
	*state = CICD_KUBE_ROLLOUT_DONE;
	return say(msg, 0, "statefulset rolling update complete %lld pods at revision %s...",
		   num(sts, "status", "currentReplicas"), current_rev ? current_rev : "");
}

static int job(cicd_kube_rollout_state *state, cicd_buf *msg, const cicd_node *j, const char *name)
{
	const cicd_node *failed = condition(j, "Failed");
	long long completions = has(j, "spec", "completions") ? num(j, "spec", "completions") : 1;
	*state = CICD_KUBE_ROLLOUT_PROGRESSING;
	if (condition_true(j, "Complete")) {
		*state = CICD_KUBE_ROLLOUT_DONE;
		return say(msg, 0, "job \"%s\" completed", name);
	}
	if (condition_true(j, "Failed")) {
		const char *reason = kube__str(failed, "reason"), *message = kube__str(failed, "message");
		*state = CICD_KUBE_ROLLOUT_FAILED;
		return say(msg, 0, "job \"%s\" failed: %s%s%s", name, reason ? reason : "Failed", message ? ": " : "",
			   message ? message : "");
	}
	return say(msg, 0, "Waiting for job \"%s\" to complete: %lld of %lld succeeded, %lld active, %lld failed...", name,
		   num(j, "status", "succeeded"), completions, num(j, "status", "active"), num(j, "status", "failed"));
}

static int pod(cicd_kube_rollout_state *state, cicd_buf *msg, const cicd_node *p, const char *name)
{
	const char *phase = kube__str(kube__path(p, "status", NULL), "phase");
	*state = CICD_KUBE_ROLLOUT_PROGRESSING;
	if (phase && !strcmp(phase, "Succeeded")) {
		*state = CICD_KUBE_ROLLOUT_DONE;
		return say(msg, 0, "pod \"%s\" succeeded", name);
	}
	if (phase && !strcmp(phase, "Failed")) {
		const char *reason = kube__str(kube__path(p, "status", NULL), "reason");
		const char *message = kube__str(kube__path(p, "status", NULL), "message");
		*state = CICD_KUBE_ROLLOUT_FAILED;
		return say(msg, 0, "pod \"%s\" failed%s%s%s%s", name, reason ? ": " : "", reason ? reason : "",
			   message ? ": " : "", message ? message : "");
	}
	if (phase && !strcmp(phase, "Running") && condition_true(p, "Ready")) {
		*state = CICD_KUBE_ROLLOUT_DONE;
		return say(msg, 0, "pod \"%s\" is ready", name);
	}
	return say(msg, 0, "Waiting for pod \"%s\" to be ready (phase %s)...", name, phase ? phase : "unknown");
}

int cicd_kube_rollout_decide(cicd_kube_rollout_state *state, cicd_buf *message, const cicd_node *obj)
{
	const char *kind, *name;
	if (!state || !obj || obj->kind != CICD_NODE_MAPPING)
		return cicd__error_set(CICD_EINVALID, "cicd_kube_rollout_decide: an object mapping is required");
	*state = CICD_KUBE_ROLLOUT_PROGRESSING;
	kind = kube__str(obj, "kind");
	name = kube__str(kube__path(obj, "metadata", NULL), "name");
	if (!kind || !name)
		return cicd__error_set_at(CICD_EINVALID, obj->meta->file, obj->line, obj->column, "the object has no kind or name");
	if (!strcmp(kind, "Deployment"))
		return deployment(state, message, obj, name);
	if (!strcmp(kind, "DaemonSet"))
		return daemonset(state, message, obj, name);
	if (!strcmp(kind, "StatefulSet"))
		return statefulset(state, message, obj);
	if (!strcmp(kind, "Job"))
		return job(state, message, obj, name);
	if (!strcmp(kind, "Pod"))
		return pod(state, message, obj, name);
	return cicd__error_set(CICD_EUNSUPPORTED, "no rollout status for kind %s", kind);
}

/* One container status's problem, if any. */
static int container_problem(cicd_buf *reason, cicd_buf *container, const cicd_node *cs, const char *pod_name)
{
	const cicd_node *waiting = kube__path(cs, "state", "waiting", NULL);
	const char *why = kube__str(waiting, "reason"), *msg = kube__str(waiting, "message");
	const char *cname = kube__str(cs, "name"), *image = kube__str(cs, "image");
	if (!why)
		return 0;
	if (!strcmp(why, "ImagePullBackOff") || !strcmp(why, "ErrImagePull") || !strcmp(why, "InvalidImageName") ||
	    !strcmp(why, "ErrImageNeverPull")) {
		if (cicd__buf_printf(reason, "%s: pod \"%s\" container \"%s\" cannot pull image \"%s\"%s%s", why, pod_name,
				     cname ? cname : "?", image ? image : "?", msg ? ": " : "", msg ? msg : ""))
			return CICD_ENOMEM;
		return 1;
	}
	if (!strcmp(why, "CrashLoopBackOff")) {
		const cicd_node *last = kube__path(cs, "lastState", "terminated", NULL);
		if (cicd__buf_printf(reason, "CrashLoopBackOff: pod \"%s\" container \"%s\" keeps crashing (restarted %lld times",
				     pod_name, cname ? cname : "?", kube__int(cicd__node_get(cs, "restartCount", 12), 0)))
			return CICD_ENOMEM;
		if (last && cicd__buf_printf(reason, ", last exit code %lld%s%s", kube__int(cicd__node_get(last, "exitCode", 8), 0),
					     kube__str(last, "reason") ? " " : "", kube__str(last, "reason") ? kube__str(last, "reason") : ""))
			return CICD_ENOMEM;
		if (cicd__buf_putc(reason, ')'))
			return CICD_ENOMEM;
		if (container && cname && cicd__buf_puts(container, cname))
			return CICD_ENOMEM;
		return 1;
	}
	if (!strcmp(why, "CreateContainerConfigError") || !strcmp(why, "CreateContainerError") ||
	    !strcmp(why, "RunContainerError")) {
		if (cicd__buf_printf(reason, "%s: pod \"%s\" container \"%s\"%s%s", why, pod_name, cname ? cname : "?",
				     msg ? ": " : "", msg ? msg : ""))
			return CICD_ENOMEM;
		return 1;
	}
	return 0;
}

int cicd_kube_pod_problem(cicd_buf *reason, cicd_buf *container, const cicd_node *p)
{
	static const char *const lists[] = {"initContainerStatuses", "containerStatuses"};
	const char *name, *phase;
	const cicd_node *sched;
	size_t l, i;
	if (!reason || !p || p->kind != CICD_NODE_MAPPING)
		return cicd__error_set(CICD_EINVALID, "cicd_kube_pod_problem: a reason buffer and a pod mapping are required");
	name = kube__str(kube__path(p, "metadata", NULL), "name");
	if (!name)
		name = "?";
	if (kube__path(p, "metadata", "deletionTimestamp", NULL))
		return 0; /* going away: old pods of a rollout do not count */
	phase = kube__str(kube__path(p, "status", NULL), "phase");
	if (phase && !strcmp(phase, "Failed")) {
		const char *why = kube__str(kube__path(p, "status", NULL), "reason");
		return cicd__buf_printf(reason, "pod \"%s\" failed%s%s", name, why ? ": " : "", why ? why : "") ? CICD_ENOMEM : 1;
	}
	for (l = 0; l < 2; l++) {
		const cicd_node *list = kube__path(p, "status", lists[l], NULL);
		for (i = 0; list && list->kind == CICD_NODE_SEQUENCE && i < list->count; i++) {
			int rc = container_problem(reason, container, list->u.seq.items[i], name);
			if (rc)
				return rc;
		}
	}
	sched = condition(p, "PodScheduled");
	if (sched && kube__str(sched, "status") && !strcmp(kube__str(sched, "status"), "False") && kube__str(sched, "reason") &&
	    !strcmp(kube__str(sched, "reason"), "Unschedulable")) {
		const char *msg = kube__str(sched, "message");
		return cicd__buf_printf(reason, "Unschedulable: pod \"%s\" cannot be scheduled%s%s", name, msg ? ": " : "",
					msg ? msg : "")
			       ? CICD_ENOMEM
			       : 1;
	}
	return 0;
}

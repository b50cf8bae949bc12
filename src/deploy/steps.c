/*
 * The steps of a deploy job that touch the cluster: apply a wave
 * (server-side apply, inventory updated per object), wait for it to be
 * ready (in slices, renewing the lease, failing fast on doomed rollouts),
 * and prune what the set no longer has, if the set owns it.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "cicd/document.h"
#include "core/alloc.h"
#include "core/buf.h"
#include "core/log.h"
#include "run.h"

/*
 * The namespace of object i, asked of the cluster until it knows the kind (a
 * custom kind once an earlier wave created its CRD). Until then, or when the
 * cluster cannot say (a negative code), *out is the guess for a namespaced kind.
 */
static int object_ns(deploy_run *r, size_t i, const char **out)
{
	int rc;
	if (r->scope[i].known) {
		*out = r->scope[i].ns;
		return 0;
	}
	rc = cicd__object_namespace(out, r->cl, r->objects.items[i], r->target.namespace_);
	if (rc > 0) {
		r->scope[i].ns = *out;
		r->scope[i].known = 1;
	}
	return rc < 0 ? rc : 0;
}

int cicd__run_apply(deploy_run *r, int wave, int *failed)
{
	size_t i;
	int err = 0;
	*failed = 0;
	for (i = 0; i < r->objects.count && !err; i++) {
		cicd__object *o = r->objects.items[i];
		const char *ns;
		char *label, *fields;
		int action = 0, rc;
		if (o->wave != wave)
			continue;
		if (cicd__run_interrupted(r)) {
			*failed = 1;
			return cicd__run_end_interrupted(r, NULL);
		}
		if ((err = cicd__run_keepalive(r)) < 0)
			return err;
		rc = object_ns(r, i, &ns);
		if (!rc)
			rc = r->cl->ops->apply(r->cl, &action, NULL, o->body, strlen(o->body), r->target.namespace_, 0);
		/* Applied, so the cluster knows the kind now. */
		if (!rc && !r->scope[i].known)
			rc = object_ns(r, i, &ns);
		if (rc == CICD_ENOMEM)
			return rc; /* the worker's trouble, not the deploy's: the job stays resumable */
		if (cicd__run_cut_short(r, rc)) {
			*failed = 1;
			return cicd__run_end_interrupted(r, NULL);
		}
		if (!(label = cicd__object_label(o->kind, ns, o->name)))
			return cicd__error_oom();
		if (rc < 0) {
			char msg[1024];
			snprintf(msg, sizeof msg, "%s: %s", label, cicd_error_last()->message);
			cicd__redact(msg, strlen(msg), sizeof msg);
			fields = cicd__fields("object", label, "kind", o->kind, "name", o->name, "error",
			                      cicd_error_name(rc), (const char *)NULL);
			cicd__joblog_add(&r->log, 1, fields, "apply failed: %s", msg);
			cicd__free(fields);
			cicd__free(label);
			*failed = 1;
			return cicd__run_step_failed(r, rc, msg);
		}
		if (action == CICD__APPLY_CREATED)
			r->created++;
		else if (action == CICD__APPLY_CONFIGURED)
			r->configured++;
		else
			r->unchanged++;
		fields = cicd__fields("object", label, "kind", o->kind, "name", o->name, "action",
		                      action == CICD__APPLY_CREATED      ? "created"
		                      : action == CICD__APPLY_CONFIGURED ? "configured"
		                                                         : "unchanged",
		                      (const char *)NULL);
		err = cicd__joblog_add(&r->log, 3, fields, "%s %s",
		                       action == CICD__APPLY_CREATED      ? "created"
		                       : action == CICD__APPLY_CONFIGURED ? "configured"
		                                                          : "unchanged",
		                       label);
		cicd__free(fields);
		cicd__free(label);
		if (!err && cicd__run_crash(r, "applied"))
			return CICD_EUSER;
		if (!err)
			err = cicd__store_inventory_add(r->st, r->job.id, r->epoch, r->target.name, r->job.project,
			                                r->job.set, o->api_version, o->kind, ns, o->name,
			                                r->job.version_id);
	}
	return err;
}

/* Waits for each object of the wave in slices, renewing the lease, until ready, doomed or the deadline. */
int cicd__run_wait(deploy_run *r, int wave, int *stopped)
{
	cicd_buf msg = CICD_BUF_INIT, notready = CICD_BUF_INIT;
	size_t i;
	int err = 0, timed_out = 0;
	*stopped = 0;
	for (i = 0; i < r->objects.count && !err && !*stopped; i++) {
		cicd__object *o = r->objects.items[i];
		const char *ns;
		char *label;
		int rc = CICD_ETIMEOUT;
		if (o->wave != wave)
			continue;
		/* A cluster that cannot say fails the wait below just the same, which handles it. */
		if ((err = object_ns(r, i, &ns)) == CICD_ENOMEM)
			break;
		if (err < 0)
			cicd_error_clear();
		err = 0;
		if (!(label = cicd__object_label(o->kind, ns, o->name))) {
			err = cicd__error_oom();
			break;
		}
		while (rc == CICD_ETIMEOUT && !*stopped && !err) {
			int64_t left = r->deadline - cicd__run_now(r), slice = r->o->lease_ttl_ms / 3;
			if (timed_out || left <= 0)
				left = 1; /* past the deadline: only ask for the current status */
			if (slice > left)
				slice = left;
			cicd__buf_clear(&msg);
			rc = r->cl->ops->wait(r->cl, &msg, o->api_version, o->kind, ns, o->name, (long)slice);
			if (rc == CICD_ETIMEOUT && (timed_out || cicd__run_now(r) >= r->deadline)) {
				timed_out = 1;
				cicd__buf_printf(&notready, "%s%s: %s", notready.size ? "; " : "", label,
				                 msg.size ? msg.ptr : "not ready");
				break;
			}
			if (rc == CICD_ETIMEOUT)
				err = cicd__run_checkpoint(r, stopped, "while waiting");
		}
		if (!err && !*stopped && rc == CICD_ERROR) {
			char *fields = cicd__fields("object", label, "kind", o->kind, "name", o->name, "reason",
			                            "rollout_failed", (const char *)NULL);
			cicd__buf_clear(&notready);
			cicd__buf_printf(&notready, "%s: %s", label, msg.size ? msg.ptr : "rollout failed");
			cicd__joblog_add(&r->log, 1, fields, "rollout failed: %s", notready.ptr);
			cicd__free(fields);
			err = cicd__run_finish(r, CICD__JOB_FAILED, "rollout_failed", notready.ptr);
			*stopped = 1;
		} else if (!err && !*stopped && rc == 0) {
			char *fields = cicd__fields("object", label, "kind", o->kind, "name", o->name, "ready", "true",
			                            (const char *)NULL);
			err = cicd__joblog_add(&r->log, 3, fields, "ready %s%s%s", label, msg.size ? ": " : "",
			                       msg.size ? msg.ptr : "");
			cicd__free(fields);
		} else if (!err && !*stopped && rc == CICD_ENOMEM) {
			err = rc;
		} else if (!err && !*stopped && cicd__run_cut_short(r, rc)) {
			err = cicd__run_end_interrupted(r, NULL);
			*stopped = 1;
		} else if (!err && !*stopped && rc < 0 && rc != CICD_ETIMEOUT) {
			char text[1024];
			snprintf(text, sizeof text, "%s: %s", label, cicd_error_last()->message);
			cicd__joblog_add(&r->log, 1, NULL, "waiting failed: %s", text);
			err = cicd__run_step_failed(r, rc, text);
			*stopped = 1;
		}
		cicd__free(label);
	}
	if (!err && !*stopped && timed_out) {
		char *text = cicd__buf_detach(&notready);
		cicd_buf full = CICD_BUF_INIT;
		cicd__buf_printf(&full, "not ready after %" PRId64 " ms: %s", r->job.timeout_ms, text ? text : "");
		err = cicd__run_finish(r, CICD__JOB_TIMED_OUT, "timed_out", full.ptr ? full.ptr : "not ready");
		cicd_buf_dispose(&full);
		cicd__free(text);
		*stopped = 1;
	}
	cicd_buf_dispose(&msg);
	cicd_buf_dispose(&notready);
	return err;
}

/* Deletes what the change set marks for deletion, but only objects that carry the set's owner labels. */
int cicd__run_prune(deploy_run *r)
{
	size_t i;
	int err = 0;
	for (i = 0; i < r->changes.count && !err; i++) {
		cicd__change *c = r->changes.items[i];
		cicd_buf live = CICD_BUF_INIT;
		cicd_document *doc = NULL;
		char *label;
		int rc, owned = 0;
		if (strcmp(c->action, "delete") != 0)
			continue;
		if (cicd__run_interrupted(r))
			return cicd__run_end_interrupted(r, NULL);
		if ((err = cicd__run_keepalive(r)) < 0)
			return err;
		if (!(label = cicd__object_label(c->kind, c->namespace_, c->name)))
			return cicd__error_oom();
		rc = r->cl->ops->get(r->cl, &live, c->api_version, c->kind, c->namespace_, c->name);
		if (rc == 0 && cicd_document_load_json(&doc, live.ptr, live.size, label, NULL) == 0) {
			const cicd_node *labels =
			    cicd_node_get(cicd_node_get(cicd_document_root(doc, 0), "metadata"), "labels");
			const char *p = cicd_node_scalar(cicd_node_get(labels, CICD__LABEL_PROJECT), NULL);
			const char *s = cicd_node_scalar(cicd_node_get(labels, CICD__LABEL_SET), NULL);
			owned = p && s && !strcmp(p, r->job.project) && !strcmp(s, r->job.set);
		}
		cicd_document_free(doc);
		cicd_buf_dispose(&live);
		if (rc == CICD_ENOTFOUND) {
			err = cicd__joblog_add(&r->log, 3, NULL, "already gone %s", label);
		} else if (rc == CICD_ENOMEM) {
			err = rc;
		} else if (cicd__run_cut_short(r, rc)) {
			cicd__free(label);
			return cicd__run_end_interrupted(r, NULL);
		} else if (rc < 0) {
			char text[1024];
			snprintf(text, sizeof text, "%s: %s", label, cicd_error_last()->message);
			cicd__free(label);
			cicd__joblog_add(&r->log, 1, NULL, "prune failed: %s", text);
			return cicd__run_step_failed(r, rc, text);
		} else if (!owned) {
			err = cicd__joblog_add(
			    &r->log, 2, NULL,
			    "not pruned %s: it lacks the owner labels of %s/%s, so the set does not own it", label,
			    r->job.project, r->job.set);
		} else {
			rc = r->cl->ops->remove(r->cl, c->api_version, c->kind, c->namespace_, c->name);
			if (rc == CICD_ENOMEM) {
				cicd__free(label);
				return rc;
			}
			if (cicd__run_cut_short(r, rc)) {
				cicd__free(label);
				return cicd__run_end_interrupted(r, NULL);
			}
			if (rc < 0 && rc != CICD_ENOTFOUND) {
				char text[1024];
				snprintf(text, sizeof text, "%s: %s", label, cicd_error_last()->message);
				cicd__free(label);
				cicd__joblog_add(&r->log, 1, NULL, "prune failed: %s", text);
				return cicd__run_step_failed(r, rc, text);
			}
			r->pruned++;
			char *fields = cicd__fields("object", label, "kind", c->kind, "name", c->name, "action",
			                            "pruned", (const char *)NULL);
			err = cicd__joblog_add(&r->log, 3, fields, "pruned %s", label);
			cicd__free(fields);
		}
		if (!err)
			err = cicd__store_inventory_remove(r->st, r->job.id, r->epoch, r->target.name, r->job.project,
			                                   r->job.set, c->kind, c->namespace_, c->name);
		cicd__free(label);
	}
	return err;
}


/*
 * The deploy job engine: runs a job's steps under the target's lease,
 * journaling each before and after, checking for cancel, deadline and a
 * lost lease between steps, and ends the job with a specific reason.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cicd/document.h"
#include "core/alloc.h"
#include "core/buf.h"
#include "core/log.h"
#include "engine.h"

int64_t cicd__now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int64_t wall_clock(void *payload)
{
	(void)payload;
	return cicd__now_ms();
}

char *cicd__object_label(const char *kind, const char *ns, const char *name)
{
	cicd_buf b = CICD_BUF_INIT;
	if (cicd__buf_printf(&b, "%s %s%s%s", kind, ns && *ns ? ns : "", ns && *ns ? "/" : "", name) < 0) {
		cicd_buf_dispose(&b);
		return NULL;
	}
	return cicd__buf_detach(&b);
}

typedef struct {
	const char *ns; /* the object's namespace ("" when cluster-scoped), borrowed */
	int known;      /* the cluster knew the kind: ns is final */
} object_scope;

typedef struct {
	cicd__store *st;
	cicd__cluster *cl;
	const cicd__exec_options *o;
	cicd__job job;
	cicd__target target;
	cicd__joblog log;
	cicd_vec objects; /* cicd__object * in apply order */
	object_scope *scope; /* one per object */
	cicd_vec changes; /* cicd__change * */
	int waves[256];
	size_t nwaves;
	int64_t epoch, deadline, renewed_at;
	int64_t backoff; /* the last retry delay of a step that could not reach the cluster */
	int crashed, lost;
	int adopted; /* taken over from a worker that was lost */
	int stopped;     /* the job has ended (finish() was called) */
	int interrupted; /* ... canceled because the caller was interrupted; `ended` says how */
	int step;        /* the step under way, for "during step N (name)" */
	char ended[600];
	int retry;   /* the step could not reach the cluster: run it again after `backoff` */
	int created, configured, unchanged, pruned;
} run;

static int64_t now(run *r)
{
	return r->o->clock(r->o->clock_payload);
}

/* Test hook: a non-zero answer means "the process died here". */
static int crash(run *r, const char *point)
{
	if (r->o->crash_hook && r->o->crash_hook(point, r->o->hook_payload)) {
		r->crashed = 1;
		return 1;
	}
	return 0;
}

#define CRASH_POINT(r, point)                                                                                          \
	do {                                                                                                           \
		if (crash(r, point))                                                                                   \
			return CICD_EUSER;                                                                             \
	} while (0)

static int step_count(const run *r)
{
	return 2 + 2 * (int)r->nwaves;
}

static void step_name(const run *r, int step, char *out, size_t size)
{
	if (step == 0)
		snprintf(out, size, "plan");
	else if (step == 1 + 2 * (int)r->nwaves)
		snprintf(out, size, "prune");
	else if (step % 2)
		snprintf(out, size, "apply wave %d", r->waves[(step - 1) / 2]);
	else
		snprintf(out, size, "wait wave %d", r->waves[(step - 2) / 2]);
}

/* Ends the job: flushes the log, moves it to `to` from its current state, releases the lease. */
static int finish(run *r, int to, const char *reason, const char *message)
{
	int from = r->job.state, err;
	if (to != CICD__JOB_SUCCEEDED)
		cicd__joblog_add(&r->log, to == CICD__JOB_CANCELED ? 2 : 1, NULL, "job %s: %s: %s",
		                 cicd__job_state_name(to), reason, message);
	else
		cicd__joblog_add(&r->log, 3, NULL, "job succeeded: %s", message);
	if ((err = cicd__joblog_flush(&r->log)) < 0)
		return err;
	err = cicd__store_job_transition(r->st, r->job.id, from, to, reason, message, r->epoch, now(r));
	if (err == CICD_ECONFLICT) {
		/* A person asked to cancel since we last looked: finish as canceled if that is where we were going. */
		cicd__job fresh;
		if (cicd__store_job_get(r->st, &fresh, r->job.id) == 0 && fresh.state == CICD__JOB_CANCELING &&
		    from == CICD__JOB_RUNNING) {
			r->job.state = fresh.state;
			err = cicd__store_job_transition(r->st, r->job.id, CICD__JOB_CANCELING, to, reason, message,
			                                 r->epoch, now(r));
		}
		cicd__job_dispose(&fresh);
	}
	if (err < 0)
		return err;
	r->job.state = to;
	r->stopped = 1;
	cicd__store_lease_release(r->st, r->job.target, r->epoch);
	return 0;
}

static int is_interrupted(run *r)
{
	return r->o->interrupted && r->o->interrupted(r->o->interrupt_payload);
}

/* A cluster operation that failed because the caller was interrupted (its cluster was canceled). */
static int cut_short(run *r, int code)
{
	return code == CICD_ECANCELED && is_interrupted(r);
}

/*
 * The caller was interrupted: the job ends canceled as if a person had
 * asked (running, canceling, canceled) with what was done so far. `where`
 * NULL: "during step N (name)".
 */
static int end_interrupted(run *r, const char *where)
{
	char during[96], name[64], by[300];
	int err;
	if (!where) {
		step_name(r, r->step, name, sizeof name);
		snprintf(during, sizeof during, "during step %d (%s)", r->step, name);
		where = during;
	}
	cicd_error_clear();
	snprintf(r->ended, sizeof r->ended, "interrupted %s; %d created, %d configured, %d unchanged, %d pruned before it",
	         where, r->created, r->configured, r->unchanged, r->pruned);
	if (r->job.state == CICD__JOB_RUNNING) {
		snprintf(by, sizeof by, "by an interrupt of worker %s", r->o->owner);
		err = cicd__store_job_transition(r->st, r->job.id, CICD__JOB_RUNNING, CICD__JOB_CANCELING,
		                                 "cancel_requested", by, r->epoch, now(r));
		if (err == CICD_ECONFLICT) {
			/* A person asked first: the job is canceling already. */
			cicd__job fresh;
			if (cicd__store_job_get(r->st, &fresh, r->job.id) == 0 && fresh.state == CICD__JOB_CANCELING)
				err = 0;
			cicd__job_dispose(&fresh);
		}
		if (err < 0)
			return err;
		r->job.state = CICD__JOB_CANCELING;
	}
	r->interrupted = 1;
	return finish(r, CICD__JOB_CANCELED, "canceled", r->ended);
}

/* Renews the lease and looks at the job: lost lease, cancel request, interrupt or deadline end the run here. */
static int checkpoint(run *r, int *stop, const char *where)
{
	cicd__job fresh;
	int err;
	*stop = 0;
	if ((err = cicd__store_lease_renew(r->st, r->target.name, r->epoch, r->o->lease_ttl_ms, now(r))) < 0) {
		r->lost = 1;
		return err;
	}
	r->renewed_at = now(r);
	if ((err = cicd__store_job_get(r->st, &fresh, r->job.id)) < 0)
		return err;
	r->job.state = fresh.state;
	cicd__job_dispose(&fresh);
	if (r->job.state == CICD__JOB_CANCELING) {
		char msg[512];
		snprintf(msg, sizeof msg, "canceled %s; %d created, %d configured, %d unchanged, %d pruned before it",
		         where, r->created, r->configured, r->unchanged, r->pruned);
		*stop = 1;
		return finish(r, CICD__JOB_CANCELED, "canceled", msg);
	}
	if (is_interrupted(r)) {
		*stop = 1;
		return end_interrupted(r, where);
	}
	if (r->deadline && now(r) >= r->deadline) {
		char msg[512];
		snprintf(msg, sizeof msg, "the job's deadline of %" PRId64 " ms passed %s", r->job.timeout_ms, where);
		*stop = 1;
		return finish(r, CICD__JOB_TIMED_OUT, "timed_out", msg);
	}
	return 0;
}

/*
 * Renews the lease inside a long step (many objects, a slow cluster) once a
 * third of its time has passed, so that a live worker never looks dead.
 */
static int keepalive(run *r)
{
	int64_t t = now(r);
	if (t - r->renewed_at < r->o->lease_ttl_ms / 3)
		return 0;
	if (cicd__store_lease_renew(r->st, r->job.target, r->epoch, r->o->lease_ttl_ms, t) < 0) {
		r->lost = 1;
		return CICD_ECONFLICT;
	}
	r->renewed_at = t;
	return 0;
}

static void default_sleep(int64_t ms, void *payload)
{
	struct timespec ts;
	(void)payload;
	ts.tv_sec = (time_t)(ms / 1000);
	ts.tv_nsec = (long)(ms % 1000) * 1000000L;
	nanosleep(&ts, NULL);
}

/* Waits ms, renewing the lease on the way; an interrupt cuts it short (the next checkpoint ends the job). */
static int pause_for(run *r, int64_t ms)
{
	while (ms > 0 && !is_interrupted(r)) {
		int64_t slice = r->o->lease_ttl_ms / 3 < ms ? r->o->lease_ttl_ms / 3 : ms;
		int err;
		r->o->sleep_ms(slice, r->o->clock_payload);
		ms -= slice;
		if ((err = keepalive(r)) < 0)
			return err;
	}
	return 0;
}

static int plan_keepalive(void *payload)
{
	run *r = payload;
	if (is_interrupted(r))
		return cicd__error_set(CICD_ECANCELED, "interrupted");
	return keepalive(r);
}

/* The reason a cluster error gives a failed job. */
static const char *failure_reason(int code)
{
	switch (code) {
	case CICD_ECONFLICT:
		return "apply_conflict";
	case CICD_EVALIDATE:
	case CICD_EPARSE:
	case CICD_EINVALID:
	case CICD_ENOTFOUND:
		return "invalid_manifest";
	case CICD_EHTTP:
	case CICD_ETLS:
	case CICD_EAUTH:
	case CICD_ETIMEOUT:
		return "cluster_unreachable";
	default:
		return "apply_failed";
	}
}

/*
 * A step failed. A cluster out of reach does not end the job: the step runs
 * again after a growing pause (1 s doubling to 30 s) as long as the deadline
 * allows, and a worker that dies meanwhile leaves it to its successor. Any
 * other failure ends the job failed with its reason.
 */
static int step_failed(run *r, int code, const char *text)
{
	const char *reason = failure_reason(code);
	if (cut_short(r, code))
		return end_interrupted(r, NULL);
	if (!strcmp(reason, "cluster_unreachable")) {
		int64_t delay = r->backoff ? r->backoff * 2 : 1000;
		if (delay > 30000)
			delay = 30000;
		if (now(r) + delay < r->deadline) {
			r->backoff = delay;
			r->retry = 1;
			return cicd__joblog_add(&r->log, 2, NULL,
			                        "cluster unreachable, the step runs again in %" PRId64 " ms: %s", delay,
			                        text);
		}
	}
	return finish(r, CICD__JOB_FAILED, reason, text);
}

/*
 * The namespace of object i, asked of the cluster until it knows the kind (a
 * custom kind once an earlier wave created its CRD). Until then, or when the
 * cluster cannot say (a negative code), *out is the guess for a namespaced kind.
 */
static int object_ns(run *r, size_t i, const char **out)
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

static int step_apply(run *r, int wave, int *failed)
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
		if (is_interrupted(r)) {
			*failed = 1;
			return end_interrupted(r, NULL);
		}
		if ((err = keepalive(r)) < 0)
			return err;
		rc = object_ns(r, i, &ns);
		if (!rc)
			rc = r->cl->ops->apply(r->cl, &action, NULL, o->body, strlen(o->body), r->target.namespace_, 0);
		/* Applied, so the cluster knows the kind now. */
		if (!rc && !r->scope[i].known)
			rc = object_ns(r, i, &ns);
		if (rc == CICD_ENOMEM)
			return rc; /* the worker's trouble, not the deploy's: the job stays resumable */
		if (cut_short(r, rc)) {
			*failed = 1;
			return end_interrupted(r, NULL);
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
			return step_failed(r, rc, msg);
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
		if (!err && crash(r, "applied"))
			return CICD_EUSER;
		if (!err)
			err = cicd__store_inventory_add(r->st, r->job.id, r->epoch, r->target.name, r->job.project,
			                                r->job.set, o->api_version, o->kind, ns, o->name,
			                                r->job.version_id);
	}
	return err;
}

/* Waits for each object of the wave in slices, renewing the lease, until ready, doomed or the deadline. */
static int step_wait(run *r, int wave, int *stopped)
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
			int64_t left = r->deadline - now(r), slice = r->o->lease_ttl_ms / 3;
			if (timed_out || left <= 0)
				left = 1; /* past the deadline: only ask for the current status */
			if (slice > left)
				slice = left;
			cicd__buf_clear(&msg);
			rc = r->cl->ops->wait(r->cl, &msg, o->api_version, o->kind, ns, o->name, (long)slice);
			if (rc == CICD_ETIMEOUT && (timed_out || now(r) >= r->deadline)) {
				timed_out = 1;
				cicd__buf_printf(&notready, "%s%s: %s", notready.size ? "; " : "", label,
				                 msg.size ? msg.ptr : "not ready");
				break;
			}
			if (rc == CICD_ETIMEOUT)
				err = checkpoint(r, stopped, "while waiting");
		}
		if (!err && !*stopped && rc == CICD_ERROR) {
			char *fields = cicd__fields("object", label, "kind", o->kind, "name", o->name, "reason",
			                            "rollout_failed", (const char *)NULL);
			cicd__buf_clear(&notready);
			cicd__buf_printf(&notready, "%s: %s", label, msg.size ? msg.ptr : "rollout failed");
			cicd__joblog_add(&r->log, 1, fields, "rollout failed: %s", notready.ptr);
			cicd__free(fields);
			err = finish(r, CICD__JOB_FAILED, "rollout_failed", notready.ptr);
			*stopped = 1;
		} else if (!err && !*stopped && rc == 0) {
			char *fields = cicd__fields("object", label, "kind", o->kind, "name", o->name, "ready", "true",
			                            (const char *)NULL);
			err = cicd__joblog_add(&r->log, 3, fields, "ready %s%s%s", label, msg.size ? ": " : "",
			                       msg.size ? msg.ptr : "");
			cicd__free(fields);
		} else if (!err && !*stopped && rc == CICD_ENOMEM) {
			err = rc;
		} else if (!err && !*stopped && cut_short(r, rc)) {
			err = end_interrupted(r, NULL);
			*stopped = 1;
		} else if (!err && !*stopped && rc < 0 && rc != CICD_ETIMEOUT) {
			char text[1024];
			snprintf(text, sizeof text, "%s: %s", label, cicd_error_last()->message);
			cicd__joblog_add(&r->log, 1, NULL, "waiting failed: %s", text);
			err = step_failed(r, rc, text);
			*stopped = 1;
		}
		cicd__free(label);
	}
	if (!err && !*stopped && timed_out) {
		char *text = cicd__buf_detach(&notready);
		cicd_buf full = CICD_BUF_INIT;
		cicd__buf_printf(&full, "not ready after %" PRId64 " ms: %s", r->job.timeout_ms, text ? text : "");
		err = finish(r, CICD__JOB_TIMED_OUT, "timed_out", full.ptr ? full.ptr : "not ready");
		cicd_buf_dispose(&full);
		cicd__free(text);
		*stopped = 1;
	}
	cicd_buf_dispose(&msg);
	cicd_buf_dispose(&notready);
	return err;
}

/* Deletes what the change set marks for deletion, but only objects that carry the set's owner labels. */
static int step_prune(run *r)
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
		if (is_interrupted(r))
			return end_interrupted(r, NULL);
		if ((err = keepalive(r)) < 0)
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
		} else if (cut_short(r, rc)) {
			cicd__free(label);
			return end_interrupted(r, NULL);
		} else if (rc < 0) {
			char text[1024];
			snprintf(text, sizeof text, "%s: %s", label, cicd_error_last()->message);
			cicd__free(label);
			cicd__joblog_add(&r->log, 1, NULL, "prune failed: %s", text);
			return step_failed(r, rc, text);
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
			if (cut_short(r, rc)) {
				cicd__free(label);
				return end_interrupted(r, NULL);
			}
			if (rc < 0 && rc != CICD_ENOTFOUND) {
				char text[1024];
				snprintf(text, sizeof text, "%s: %s", label, cicd_error_last()->message);
				cicd__free(label);
				cicd__joblog_add(&r->log, 1, NULL, "prune failed: %s", text);
				return step_failed(r, rc, text);
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

static int run_step(run *r, int step, int *stopped)
{
	int failed = 0, err;
	*stopped = 0;
	if (step == 0) {
		cicd__vec_dispose_with(&r->changes, cicd__change_free_item);
		err = cicd__deploy_plan(&r->changes, r->st, r->cl, &r->job, r->target.namespace_, &r->objects, &r->log,
		                        plan_keepalive, r);
		if (err < 0 && err != CICD_ENOMEM && err != CICD_ESTORE && err != CICD_EUSER && !r->log.failed &&
		    !r->lost) {
			char text[1024];
			snprintf(text, sizeof text, "planning: %s", cicd_error_last()->message);
			*stopped = 1;
			return step_failed(r, err, text);
		}
		if (!err)
			err = cicd__joblog_flush(&r->log);
		return err < 0 ? err
		               : cicd__store_changes_put(r->st, r->job.id, r->epoch,
		                                         (cicd__change *const *)r->changes.items, r->changes.count);
	}
	if (step == 1 + 2 * (int)r->nwaves)
		return step_prune(r);
	if (step % 2) {
		err = step_apply(r, r->waves[(step - 1) / 2], &failed);
		*stopped = failed;
		return err;
	}
	return step_wait(r, r->waves[(step - 2) / 2], stopped);
}

static int load(run *r)
{
	size_t i;
	int err;
	if ((err = cicd__store_target_get(r->st, r->job.target, &r->target)) < 0)
		return err;
	if ((err = cicd__store_version_objects(r->st, &r->objects, r->job.version_id)) < 0)
		return err;
	if (!(r->scope = cicd__calloc(r->objects.count ? r->objects.count : 1, sizeof *r->scope)))
		return cicd__error_oom();
	for (i = 0; i < r->objects.count; i++) {
		int w = ((cicd__object *)r->objects.items[i])->wave;
		if (!r->nwaves || r->waves[r->nwaves - 1] != w) {
			if (r->nwaves == sizeof r->waves / sizeof r->waves[0])
				return cicd__error_set(CICD_ELIMIT, "a version may have at most 256 waves");
			r->waves[r->nwaves++] = w;
		}
	}
	return 0;
}

/* Takes the lease and the job: starts a queued job, takes over an orphaned one, or gives up on it. */
static int take(run *r, int *done)
{
	int err, resumes = 0;
	size_t i;
	cicd_vec tr = CICD_VEC_INIT;
	*done = 0;
	if ((err = cicd__store_lease_acquire(r->st, &r->epoch, r->job.target, r->o->owner, r->o->lease_ttl_ms,
	                                     now(r))) < 0)
		return err;
	r->renewed_at = now(r);
	cicd__joblog_init(&r->log, r->st, r->job.id, r->epoch);
	r->log.clock = r->o->clock;
	r->log.clock_payload = r->o->clock_payload;
	r->log.progress = r->o->progress;
	r->log.payload = r->o->payload;
	if (r->job.state == CICD__JOB_QUEUED) {
		char msg[300];
		snprintf(msg, sizeof msg, "by worker %s", r->o->owner);
		err = cicd__store_job_transition(r->st, r->job.id, CICD__JOB_QUEUED, CICD__JOB_RUNNING, "started", msg,
		                                 r->epoch, now(r));
		if (err < 0) {
			cicd__store_lease_release(r->st, r->job.target, r->epoch);
			return err;
		}
		r->job.state = CICD__JOB_RUNNING;
		r->job.started_at = now(r);
		return 0;
	}
	/* Orphaned: running or canceling under an older epoch whose holder is gone. */
	r->adopted = 1;
	if ((err = cicd__store_job_adopt(r->st, r->job.id, r->epoch, now(r))) < 0) {
		cicd__store_lease_release(r->st, r->job.target, r->epoch);
		return err;
	}
	if ((err = cicd__store_job_transitions(r->st, &tr, r->job.id)) < 0) {
		cicd__vec_dispose_with(&tr, cicd__transition_free_item);
		return err;
	}
	for (i = 0; i < tr.count; i++)
		if (((cicd__transition *)tr.items[i])->reason &&
		    !strcmp(((cicd__transition *)tr.items[i])->reason, "resumed"))
			resumes++;
	cicd__vec_dispose_with(&tr, cicd__transition_free_item);
	if (resumes > r->o->max_resumes) {
		char msg[300];
		snprintf(msg, sizeof msg, "its worker was lost %d times; not resumed again", resumes);
		*done = 1;
		return finish(r, CICD__JOB_FAILED, "worker_lost", msg);
	}
	return 0;
}

static int execute(run *r, int *final_state)
{
	int err, done = 0, stop = 0, step, first = 0;
	char name[64];
	if (cicd__job_state_terminal(r->job.state)) {
		*final_state = r->job.state;
		return 0;
	}
	if ((err = take(r, &done)) < 0)
		return err;
	if (done) {
		*final_state = r->job.state;
		return 0;
	}
	err = load(r);
	if (err == CICD_ENOTFOUND)
		return finish(r, CICD__JOB_FAILED, "invalid_manifest", cicd_error_last()->message);
	if (err < 0)
		return err;
	r->deadline = (r->job.started_at ? r->job.started_at : now(r)) + r->job.timeout_ms;
	if ((err = cicd__store_journal_first_open(r->st, &first, r->job.id)) < 0)
		return err;
	if (first > 0) {
		cicd__vec_dispose_with(&r->changes, cicd__change_free_item);
		if ((err = cicd__store_changes_get(r->st, &r->changes, r->job.id)) < 0)
			return err;
	}
	if (r->adopted) {
		/* Also when the lost worker had not finished its plan: the log says who took over. */
		step_name(r, first, name, sizeof name);
		if ((err = cicd__joblog_add(&r->log, 2, NULL,
		                            "resumed by worker %s at step %d (%s), lease epoch %" PRId64, r->o->owner,
		                            first, name, r->epoch)) < 0)
			return err;
	} else {
		cicd__version v;
		if ((err = cicd__store_version_get_id(r->st, &v, r->job.version_id)) < 0)
			return err;
		err = cicd__joblog_add(&r->log, 3, NULL,
		                       "deploying %s/%s version %" PRId64 " (%.12s) to target %s (namespace %s)"
		                       " by %s",
		                       r->job.project, r->job.set, v.number, v.hash, r->target.name,
		                       r->target.namespace_, r->job.who && *r->job.who ? r->job.who : "someone");
		cicd__version_dispose(&v);
		if (err < 0)
			return err;
	}
	for (step = first; step < step_count(r); step++) {
		char where[96];
		if (step == 1 + 2 * (int)r->nwaves && !r->job.prune)
			continue;
		step_name(r, step, name, sizeof name);
		r->step = step;
		snprintf(where, sizeof where, "before step %d (%s)", step, name);
		if ((err = checkpoint(r, &stop, where)) < 0 || stop)
			break;
		CRASH_POINT(r, "step-begin");
		if ((err = cicd__joblog_flush(&r->log)) < 0 ||
		    (err = cicd__store_journal(r->st, r->job.id, r->epoch, step, name, CICD__STEP_BEGIN, NULL,
		                               now(r))) < 0)
			break;
		err = run_step(r, step, &stop);
		if (err < 0 || r->stopped) {
			stop = r->stopped;
			break;
		}
		if (r->retry) {
			/* The same step again after a pause; the loop's checkpoint looks at cancel and the deadline. */
			r->retry = 0;
			stop = 0;
			if ((err = cicd__joblog_flush(&r->log)) < 0 || (err = pause_for(r, r->backoff)) < 0)
				break;
			step--;
			continue;
		}
		r->backoff = 0;
		CRASH_POINT(r, "step-end");
		if ((err = cicd__joblog_flush(&r->log)) < 0 ||
		    (err = cicd__store_journal(r->st, r->job.id, r->epoch, step, name, CICD__STEP_DONE, NULL, now(r))) <
		        0)
			break;
		CRASH_POINT(r, "step-done");
	}
	if (!err && !stop) {
		char msg[256];
		if ((err = checkpoint(r, &stop, "after the last step")) < 0 || stop)
			goto out;
		snprintf(msg, sizeof msg, "%d created, %d configured, %d unchanged, %d pruned", r->created,
		         r->configured, r->unchanged, r->pruned);
		err = finish(r, CICD__JOB_SUCCEEDED, "succeeded", msg);
	}
out:
	if (err == CICD_EUSER && r->crashed)
		return err;
	if (r->log.failed || r->lost)
		return err < 0 ? err : r->log.failed;
	*final_state = r->job.state;
	if (!err && r->interrupted && r->job.state == CICD__JOB_CANCELED)
		err = cicd__error_set(CICD_ECANCELED, "deploy job %" PRId64 " ended canceled: %s", r->job.id, r->ended);
	return err;
}

int cicd__deploy_execute(int *final_state, cicd__store *st, cicd__cluster *cluster, int64_t job,
                         const cicd__exec_options *opts)
{
	cicd__exec_options o = *opts;
	run r;
	int err;
	if (!o.lease_ttl_ms)
		o.lease_ttl_ms = 15000;
	if (!o.max_resumes)
		o.max_resumes = 3;
	if (!o.clock)
		o.clock = wall_clock;
	if (!o.sleep_ms)
		o.sleep_ms = default_sleep;
	if (!o.owner)
		o.owner = "worker";
	memset(&r, 0, sizeof r);
	r.st = st;
	r.cl = cluster;
	r.o = &o;
	*final_state = -1;
	if ((err = cicd__store_job_get(st, &r.job, job)) < 0)
		return err;
	err = execute(&r, final_state);
	if (r.crashed)
		r.log.failed = CICD_EUSER; /* a dead process writes nothing more */
	cicd__joblog_dispose(&r.log);
	cicd__job_dispose(&r.job);
	cicd__target_dispose(&r.target);
	cicd__vec_dispose_with(&r.objects, cicd__object_free_item);
	cicd__free(r.scope);
	cicd__vec_dispose_with(&r.changes, cicd__change_free_item);
	return err;
}

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

#include "core/alloc.h"
#include "core/buf.h"
#include "engine.h"
#include "run.h"

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

int64_t cicd__run_now(deploy_run *r)
{
	return r->o->clock(r->o->clock_payload);
}

/* Test hook: a non-zero answer means "the process died here". */
int cicd__run_crash(deploy_run *r, const char *point)
{
	if (r->o->crash_hook && r->o->crash_hook(point, r->o->hook_payload)) {
		r->crashed = 1;
		return 1;
	}
	return 0;
}

static int step_count(const deploy_run *r)
{
	return 2 + 2 * (int)r->nwaves;
}

static void step_name(const deploy_run *r, int step, char *out, size_t size)
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
int cicd__run_finish(deploy_run *r, int to, const char *reason, const char *message)
{
	int from = r->job.state, err;
	if (to != CICD__JOB_SUCCEEDED)
		cicd__joblog_add(&r->log, to == CICD__JOB_CANCELED ? 2 : 1, NULL, "job %s: %s: %s",
		                 cicd__job_state_name(to), reason, message);
	else
		cicd__joblog_add(&r->log, 3, NULL, "job succeeded: %s", message);
	if ((err = cicd__joblog_flush(&r->log)) < 0)
		return err;
	err = cicd__store_job_transition(r->st, r->job.id, from, to, reason, message, r->epoch, cicd__run_now(r));
	if (err == CICD_ECONFLICT) {
		/* A person asked to cancel since we last looked: finish as canceled if that is where we were going. */
		cicd__job fresh;
		if (cicd__store_job_get(r->st, &fresh, r->job.id) == 0 && fresh.state == CICD__JOB_CANCELING &&
		    from == CICD__JOB_RUNNING) {
			r->job.state = fresh.state;
			err = cicd__store_job_transition(r->st, r->job.id, CICD__JOB_CANCELING, to, reason, message,
			                                 r->epoch, cicd__run_now(r));
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

int cicd__run_interrupted(deploy_run *r)
{
	return r->o->interrupted && r->o->interrupted(r->o->interrupt_payload);
}

/* A cluster operation that failed because the caller was interrupted (its cluster was canceled). */
int cicd__run_cut_short(deploy_run *r, int code)
{
	return code == CICD_ECANCELED && cicd__run_interrupted(r);
}

/*
 * The caller was interrupted: the job ends canceled as if a person had
 * asked (running, canceling, canceled) with what was done so far. `where`
 * NULL: "during step N (name)".
 */
int cicd__run_end_interrupted(deploy_run *r, const char *where)
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
		                                 "cancel_requested", by, r->epoch, cicd__run_now(r));
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
	return cicd__run_finish(r, CICD__JOB_CANCELED, "canceled", r->ended);
}

/* Renews the lease and looks at the job: lost lease, cancel request, interrupt or deadline end the run here. */
int cicd__run_checkpoint(deploy_run *r, int *stop, const char *where)
{
	cicd__job fresh;
	int err;
	*stop = 0;
	if ((err = cicd__store_lease_renew(r->st, r->target.name, r->epoch, r->o->lease_ttl_ms, cicd__run_now(r))) < 0) {
		r->lost = 1;
		return err;
	}
	r->renewed_at = cicd__run_now(r);
	if ((err = cicd__store_job_get(r->st, &fresh, r->job.id)) < 0)
		return err;
	r->job.state = fresh.state;
	cicd__job_dispose(&fresh);
	if (r->job.state == CICD__JOB_CANCELING) {
		char msg[512];
		snprintf(msg, sizeof msg, "canceled %s; %d created, %d configured, %d unchanged, %d pruned before it",
		         where, r->created, r->configured, r->unchanged, r->pruned);
		*stop = 1;
		return cicd__run_finish(r, CICD__JOB_CANCELED, "canceled", msg);
	}
	if (cicd__run_interrupted(r)) {
		*stop = 1;
		return cicd__run_end_interrupted(r, where);
	}
	if (r->deadline && cicd__run_now(r) >= r->deadline) {
		char msg[512];
		snprintf(msg, sizeof msg, "the job's deadline of %" PRId64 " ms passed %s", r->job.timeout_ms, where);
		*stop = 1;
		return cicd__run_finish(r, CICD__JOB_TIMED_OUT, "timed_out", msg);
	}
	return 0;
}

/*
 * Renews the lease inside a long step (many objects, a slow cluster) once a
 * third of its time has passed, so that a live worker never looks dead.
 */
int cicd__run_keepalive(deploy_run *r)
{
	int64_t t = cicd__run_now(r);
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
static int pause_for(deploy_run *r, int64_t ms)
{
	while (ms > 0 && !cicd__run_interrupted(r)) {
		int64_t slice = r->o->lease_ttl_ms / 3 < ms ? r->o->lease_ttl_ms / 3 : ms;
		int err;
		r->o->sleep_ms(slice, r->o->clock_payload);
		ms -= slice;
		if ((err = cicd__run_keepalive(r)) < 0)
			return err;
	}
	return 0;
}

static int plan_keepalive(void *payload)
{
	deploy_run *r = payload;
	if (cicd__run_interrupted(r))
		return cicd__error_set(CICD_ECANCELED, "interrupted");
	return cicd__run_keepalive(r);
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
int cicd__run_step_failed(deploy_run *r, int code, const char *text)
{
	const char *reason = failure_reason(code);
	if (cicd__run_cut_short(r, code))
		return cicd__run_end_interrupted(r, NULL);
	if (!strcmp(reason, "cluster_unreachable")) {
		int64_t delay = r->backoff ? r->backoff * 2 : 1000;
		if (delay > 30000)
			delay = 30000;
		if (cicd__run_now(r) + delay < r->deadline) {
			r->backoff = delay;
			r->retry = 1;
			return cicd__joblog_add(&r->log, 2, NULL,
			                        "cluster unreachable, the step runs again in %" PRId64 " ms: %s", delay,
			                        text);
		}
	}
	return cicd__run_finish(r, CICD__JOB_FAILED, reason, text);
}

static int run_step(deploy_run *r, int step, int *stopped)
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
			return cicd__run_step_failed(r, err, text);
		}
		if (!err)
			err = cicd__joblog_flush(&r->log);
		return err < 0 ? err
		               : cicd__store_changes_put(r->st, r->job.id, r->epoch,
		                                         (cicd__change *const *)r->changes.items, r->changes.count);
	}
	if (step == 1 + 2 * (int)r->nwaves)
		return cicd__run_prune(r);
	if (step % 2) {
		err = cicd__run_apply(r, r->waves[(step - 1) / 2], &failed);
		*stopped = failed;
		return err;
	}
	return cicd__run_wait(r, r->waves[(step - 2) / 2], stopped);
}

static int load(deploy_run *r)
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
static int take(deploy_run *r, int *done)
{
	int err, resumes = 0;
	size_t i;
	cicd_vec tr = CICD_VEC_INIT;
	*done = 0;
	if ((err = cicd__store_lease_acquire(r->st, &r->epoch, r->job.target, r->o->owner, r->o->lease_ttl_ms,
	                                     cicd__run_now(r))) < 0)
		return err;
	r->renewed_at = cicd__run_now(r);
	cicd__joblog_init(&r->log, r->st, r->job.id, r->epoch);
	r->log.clock = r->o->clock;
	r->log.clock_payload = r->o->clock_payload;
	r->log.progress = r->o->progress;
	r->log.payload = r->o->payload;
	if (r->job.state == CICD__JOB_QUEUED) {
		char msg[300];
		snprintf(msg, sizeof msg, "by worker %s", r->o->owner);
		err = cicd__store_job_transition(r->st, r->job.id, CICD__JOB_QUEUED, CICD__JOB_RUNNING, "started", msg,
		                                 r->epoch, cicd__run_now(r));
		if (err < 0) {
			cicd__store_lease_release(r->st, r->job.target, r->epoch);
			return err;
		}
		r->job.state = CICD__JOB_RUNNING;
		r->job.started_at = cicd__run_now(r);
		return 0;
	}
	/* Orphaned: running or canceling under an older epoch whose holder is gone. */
	r->adopted = 1;
	if ((err = cicd__store_job_adopt(r->st, r->job.id, r->epoch, cicd__run_now(r))) < 0) {
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
		return cicd__run_finish(r, CICD__JOB_FAILED, "worker_lost", msg);
	}
	return 0;
}

static int execute(deploy_run *r, int *final_state)
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
		return cicd__run_finish(r, CICD__JOB_FAILED, "invalid_manifest", cicd_error_last()->message);
	if (err < 0)
		return err;
	r->deadline = (r->job.started_at ? r->job.started_at : cicd__run_now(r)) + r->job.timeout_ms;
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
		if ((err = cicd__run_checkpoint(r, &stop, where)) < 0 || stop)
			break;
		CICD__RUN_CRASH_POINT(r, "step-begin");
		if ((err = cicd__joblog_flush(&r->log)) < 0 ||
		    (err = cicd__store_journal(r->st, r->job.id, r->epoch, step, name, CICD__STEP_BEGIN, NULL,
		                               cicd__run_now(r))) < 0)
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
		CICD__RUN_CRASH_POINT(r, "step-end");
		if ((err = cicd__joblog_flush(&r->log)) < 0 ||
		    (err = cicd__store_journal(r->st, r->job.id, r->epoch, step, name, CICD__STEP_DONE, NULL, cicd__run_now(r))) <
		        0)
			break;
		CICD__RUN_CRASH_POINT(r, "step-done");
	}
	if (!err && !stop) {
		char msg[256];
		if ((err = cicd__run_checkpoint(r, &stop, "after the last step")) < 0 || stop)
			goto out;
		snprintf(msg, sizeof msg, "%d created, %d configured, %d unchanged, %d pruned", r->created,
		         r->configured, r->unchanged, r->pruned);
		err = cicd__run_finish(r, CICD__JOB_SUCCEEDED, "succeeded", msg);
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
	deploy_run r;
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

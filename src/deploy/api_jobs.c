/* Public deploy API: running, canceling and listing jobs, their logs, and the worker loop. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/alloc.h"
#include "core/buf.h"
#include "deploy_internal.h"

#define NAME_MAX_LEN       64
#define DEFAULT_TIMEOUT_MS 300000

/* The engine's pauses and interrupt checks, on the store's interrupt flag. */
static void engine_sleep(int64_t ms, void *payload)
{
	cicd__deploy_nap(payload, (long)ms);
}

static int engine_interrupted(void *payload)
{
	return cicd__deploy_interrupted(payload);
}

/* Applies the store's history_keep setting after a job ended. */
static void apply_retention(cicd__store *st)
{
	char *keep = NULL;
	int64_t removed;
	if (cicd__store_setting_get(st, "history_keep", &keep) == 0 && keep && atoll(keep) > 0)
		cicd__store_history_prune(st, (size_t)atoll(keep), &removed);
	cicd__free(keep);
	cicd_error_clear();
}

typedef struct {
	const char *owner;
	int64_t ttl;
	cicd_deploy_progress_cb progress;
	void *payload;
} exec_cfg;

static void progress_bridge(int level, const char *message, const char *fields, void *payload)
{
	const exec_cfg *c = payload;
	if (c->progress)
		c->progress(level, message, fields, c->payload);
}

/* Runs one job with a cluster for its target. CICD_ECONFLICT when the target is busy. */
static int execute_job(cicd_deploy_store *store, int64_t id, const exec_cfg *cfg, int *state)
{
	cicd__exec_options o;
	cicd__cluster *cl = NULL;
	cicd__target t;
	cicd__job j;
	int err;
	*state = -1;
	if ((err = cicd__store_job_get(store->st, &j, id)) < 0)
		return err;
	err = cicd__store_target_get(store->st, j.target, &t);
	cicd__job_dispose(&j);
	if (err < 0)
		return err;
	err = store->cluster_new(&cl, &t, store->cluster_payload);
	cicd__target_dispose(&t);
	if (err < 0)
		return err;
	memset(&o, 0, sizeof o);
	o.owner = cfg->owner;
	o.lease_ttl_ms = cfg->ttl;
	o.progress = progress_bridge;
	o.payload = (void *)(uintptr_t)cfg;
	o.sleep_ms = engine_sleep;
	o.clock_payload = store; /* the default clock ignores it */
	o.interrupted = engine_interrupted;
	o.interrupt_payload = store;
	cicd__deploy_use_cluster(store, cl);
	err = cicd__deploy_execute(state, store->st, cl, id, &o);
	cicd__deploy_use_cluster(store, NULL);
	cl->ops->free(cl);
	if (err == 0)
		apply_retention(store->st);
	return err;
}

/* Resumes the jobs of a target (or of all) whose worker was lost. */
static int recover_orphans(cicd_deploy_store *store, const char *target, const exec_cfg *cfg, int *ran)
{
	cicd_vec ids = CICD_VEC_INIT;
	size_t i;
	int err = cicd__store_job_orphans(store->st, &ids, cicd__now_ms()), state;
	for (i = 0; i < ids.count && !err; i++) {
		int64_t id = *(int64_t *)ids.items[i];
		cicd__job j;
		if (target) {
			if ((err = cicd__store_job_get(store->st, &j, id)) < 0)
				break;
			if (strcmp(j.target, target) != 0) {
				cicd__job_dispose(&j);
				continue;
			}
			cicd__job_dispose(&j);
		}
		err = execute_job(store, id, cfg, &state);
		if (err == CICD_ECONFLICT)
			err = 0; /* another worker got there first */
		else if (!err)
			(*ran)++;
	}
	cicd__vec_dispose_with(&ids, cicd__free);
	return err;
}

/*
 * A run with wait was interrupted before its job got its turn: the job, if
 * still queued, ends canceled; CICD_ECANCELED saying so.
 */
static int give_up_waiting(cicd_deploy_store *store, int64_t id)
{
	static const char msg[] = "interrupted while waiting for its turn";
	for (;;) {
		cicd__job j;
		int err, state;
		if ((err = cicd__store_job_get(store->st, &j, id)) < 0)
			return err;
		state = j.state;
		cicd__job_dispose(&j);
		if (state != CICD__JOB_QUEUED)
			return cicd__error_set(CICD_ECANCELED, "interrupted while waiting for deploy job %" PRId64
			                                       " (%s) to end",
			                       id, cicd__job_state_name(state));
		err = cicd__store_job_transition(store->st, id, CICD__JOB_QUEUED, CICD__JOB_CANCELED, "canceled", msg,
		                                 0, cicd__now_ms());
		if (!err)
			return cicd__error_set(CICD_ECANCELED, "deploy job %" PRId64 " ended canceled: %s", id, msg);
		if (err != CICD_ECONFLICT)
			return err;
		/* A worker took it meanwhile: look again. */
	}
}

static int check_run_opts(const cicd_deploy_run_options *opts)
{
	if (opts && opts->version != CICD_DEPLOY_RUN_OPTIONS_VERSION)
		return cicd__error_set(CICD_EINVALID, "run options version %u is not supported", opts->version);
	return 0;
}

static int run_version(long long *job_id, cicd_deploy_store *store, const cicd__version *v, const char *target,
                       const cicd_deploy_run_options *opts)
{
	static const cicd_deploy_run_options defaults = CICD_DEPLOY_RUN_OPTIONS_INIT;
	char owner[256];
	exec_cfg cfg;
	cicd__target t;
	int64_t id, active = 0, head;
	int err, set_prune = 0, state = -1, ran = 0;
	if (!opts)
		opts = &defaults;
	if (opts->wait && cicd__deploy_interrupted(store))
		return cicd__deploy_interrupt_error("before creating the deploy job");
	if ((err = cicd__store_target_get(store->st, target, &t)) < 0)
		return err;
	cicd__target_dispose(&t);
	if (opts->no_queue) {
		cicd__lease l;
		if ((err = cicd__store_job_active_count(store->st, &active, target)) < 0 ||
		    (err = cicd__store_lease_get(store->st, &l, target)) < 0)
			return err;
		if (active || (*l.owner && l.expires_at > cicd__now_ms()))
			err = cicd__error_set(CICD_ECONFLICT,
			                      "target '%s' is busy (%" PRId64
			                      " jobs queued or running) and queueing was refused",
			                      target, active);
		cicd__lease_dispose(&l);
		if (err < 0)
			return err;
	}
	cicd__store_set_get_prune(store->st, v->project, v->set, &set_prune);
	if ((err = cicd__store_job_create(
	         store->st, &id, v->id, target, opts->who ? opts->who : "", opts->prune || set_prune,
	         opts->timeout_ms > 0 ? opts->timeout_ms : DEFAULT_TIMEOUT_MS, cicd__now_ms())) < 0)
		return err;
	*job_id = id;
	if (!opts->wait)
		return 0;
	if (opts->owner)
		snprintf(owner, sizeof owner, "%s", opts->owner);
	else
		cicd__default_owner(owner, sizeof owner);
	cfg.owner = owner;
	cfg.ttl = opts->lease_ttl_ms > 0 ? opts->lease_ttl_ms : 15000;
	cfg.progress = opts->progress;
	cfg.payload = opts->payload;
	/* Oldest first: run when this job heads the target's queue and the target is free. */
	for (;;) {
		cicd__job j;
		if ((err = cicd__store_job_get(store->st, &j, id)) < 0)
			return err;
		state = j.state;
		cicd__job_dispose(&j);
		if (cicd__job_state_terminal(state))
			return 0;
		if (cicd__deploy_interrupted(store))
			return give_up_waiting(store, id);
		err = recover_orphans(store, target, &cfg, &ran);
		if (err == CICD_ECANCELED && cicd__deploy_interrupted(store))
			return give_up_waiting(store, id); /* an orphan this call resumed ended canceled */
		if (err < 0)
			return err;
		err = cicd__store_job_next_queued(store->st, &head, target);
		if (err == CICD_ENOTFOUND) {
			/* Not queued any more: running under a worker that may die; wait for its end. */
			cicd_error_clear();
			cicd__deploy_nap(store, 200);
			continue;
		}
		if (err < 0)
			return err;
		if (head == id) {
			err = execute_job(store, id, &cfg, &state);
			if (err == 0)
				return 0;
			if (err != CICD_ECONFLICT)
				return err; /* CICD_ECANCELED: the job ended canceled, as the error says */
			cicd_error_clear();
		}
		cicd__deploy_nap(store, 200);
	}
}

int cicd_deploy_run(long long *job_id, cicd_deploy_store *store, const char *ref, const char *target,
                    const cicd_deploy_run_options *opts)
{
	char project[NAME_MAX_LEN], set[NAME_MAX_LEN], version[80];
	cicd__version v;
	int err;
	if (!job_id || !store || !ref || !target)
		return cicd__error_set(CICD_EINVALID, "no job id, store, version or target given");
	*job_id = 0;
	if ((err = check_run_opts(opts)) < 0)
		return err;
	if ((err = cicd__split_ref(project, sizeof project, set, sizeof set, version, sizeof version, ref)) < 0)
		return err;
	if ((err = cicd__store_version_get(store->st, &v, project, set, version)) < 0)
		return err;
	err = run_version(job_id, store, &v, target, opts);
	cicd__version_dispose(&v);
	return err;
}

int cicd_deploy_rollback(long long *job_id, cicd_deploy_store *store, const char *project_set, const char *target,
                         const char *to_version, const cicd_deploy_run_options *opts)
{
	char project[NAME_MAX_LEN], set[NAME_MAX_LEN];
	cicd_vec jobs = CICD_VEC_INIT;
	cicd__version v;
	size_t i;
	int64_t current = -1, previous = -1;
	int err;
	if (!job_id || !store || !project_set || !target)
		return cicd__error_set(CICD_EINVALID, "no job id, store, set or target given");
	*job_id = 0;
	if ((err = check_run_opts(opts)) < 0)
		return err;
	if ((err = cicd__split_set(project, sizeof project, set, sizeof set, project_set)) < 0)
		return err;
	if (to_version) {
		if ((err = cicd__store_version_get(store->st, &v, project, set, to_version)) < 0)
			return err;
	} else {
		/* The version deployed now is the newest that succeeded; go back to the one before it. */
		if ((err = cicd__store_job_list(store->st, &jobs, target, 0)) < 0) {
			cicd__vec_dispose_with(&jobs, cicd__job_free_item);
			return err;
		}
		for (i = 0; i < jobs.count; i++) {
			const cicd__job *j = jobs.items[i];
			if (j->state != CICD__JOB_SUCCEEDED || strcmp(j->project, project) || strcmp(j->set, set))
				continue;
			if (current < 0)
				current = j->version_id;
			else if (j->version_id != current) {
				previous = j->version_id;
				break;
			}
		}
		cicd__vec_dispose_with(&jobs, cicd__job_free_item);
		if (previous < 0)
			return cicd__error_set(
			    CICD_ENOTFOUND,
			    "no earlier version of '%s/%s' succeeded on target '%s': nothing to roll back to", project,
			    set, target);
		if ((err = cicd__store_version_get_id(store->st, &v, previous)) < 0)
			return err;
	}
	err = run_version(job_id, store, &v, target, opts);
	cicd__version_dispose(&v);
	return err;
}

int cicd_deploy_cancel(cicd_deploy_store *store, long long job_id, const char *who)
{
	char msg[300];
	cicd__job j;
	int err, terminal;
	if (!store)
		return cicd__error_set(CICD_EINVALID, "no store given");
	snprintf(msg, sizeof msg, "by %s", who && *who ? who : "someone");
	for (;;) {
		if ((err = cicd__store_job_get(store->st, &j, job_id)) < 0)
			return err;
		if (cicd__job_state_terminal(j.state))
			err =
			    cicd__error_set(CICD_ECONFLICT, "deploy job %lld is %s: a finished job cannot be canceled",
			                    job_id, cicd__job_state_name(j.state));
		else if (j.state == CICD__JOB_CANCELING)
			err = 0;
		else
			err = cicd__store_job_transition(
			    store->st, job_id, j.state,
			    j.state == CICD__JOB_QUEUED ? CICD__JOB_CANCELED : CICD__JOB_CANCELING,
			    j.state == CICD__JOB_QUEUED ? "canceled" : "cancel_requested", msg, 0, cicd__now_ms());
		terminal = cicd__job_state_terminal(j.state);
		cicd__job_dispose(&j);
		/* Lost a race with a worker starting the job: look again. */
		if (err != CICD_ECONFLICT || terminal)
			return err;
	}
}

static int write_jobs(cicd_json_writer *w, void *ctx)
{
	cicd_vec *list = ctx;
	size_t i;
	int err = cicd__json_begin_array(w);
	for (i = 0; i < list->count && !err; i++)
		err = cicd__json_job(w, list->items[i]);
	return err ? err : cicd__json_end_array(w);
}

int cicd_deploy_jobs_json(cicd_buf *out, cicd_deploy_store *store, const char *target, size_t limit)
{
	cicd_vec list = CICD_VEC_INIT;
	int err;
	if (!out || !store)
		return cicd__error_set(CICD_EINVALID, "no output or store given");
	if (target) {
		cicd__target t;
		if ((err = cicd__store_target_get(store->st, target, &t)) < 0)
			return err;
		cicd__target_dispose(&t);
	}
	if ((err = cicd__store_job_list(store->st, &list, target, limit)) == 0)
		err = cicd__json_write(out, write_jobs, &list);
	cicd__vec_dispose_with(&list, cicd__job_free_item);
	return err;
}

typedef struct {
	const cicd__job *job;
	const cicd_vec *transitions, *changes;
} job_detail;

static int write_job_detail(cicd_json_writer *w, void *ctx)
{
	const job_detail *d = ctx;
	size_t i;
	int err = cicd__json_begin_object(w);
	if (!err)
		err = cicd__json_job_fields(w, d->job);
	if (!err && !(err = cicd__json_key(w, "transitions")))
		err = cicd__json_begin_array(w);
	for (i = 0; i < d->transitions->count && !err; i++) {
		const cicd__transition *t = d->transitions->items[i];
		err = cicd__json_begin_object(w);
		if (!err)
			err = cicd__json_kv_int(w, "seq", t->seq);
		if (!err)
			err = cicd__json_kv_int(w, "at", t->at);
		if (!err)
			err = cicd__json_kv_string(w, "from", cicd__job_state_name(t->from));
		if (!err)
			err = cicd__json_kv_string(w, "to", cicd__job_state_name(t->to));
		if (!err && !(err = cicd__json_key(w, "reason")))
			err = cicd__json_string_or_null(w, t->reason);
		if (!err && !(err = cicd__json_key(w, "message")))
			err = cicd__json_string_or_null(w, t->message);
		if (!err)
			err = cicd__json_end_object(w);
	}
	if (!err)
		err = cicd__json_end_array(w);
	if (!err && !(err = cicd__json_key(w, "changes")))
		err = cicd__json_changes_w(w, d->changes);
	return err ? err : cicd__json_end_object(w);
}

int cicd_deploy_job_json(cicd_buf *out, cicd_deploy_store *store, long long job_id)
{
	cicd_vec tr = CICD_VEC_INIT, changes = CICD_VEC_INIT;
	job_detail d;
	cicd__job j;
	int err;
	if (!out || !store)
		return cicd__error_set(CICD_EINVALID, "no output or store given");
	if ((err = cicd__store_job_get(store->st, &j, job_id)) < 0)
		return err;
	err = cicd__store_job_transitions(store->st, &tr, job_id);
	if (!err)
		err = cicd__store_changes_get(store->st, &changes, job_id);
	d.job = &j;
	d.transitions = &tr;
	d.changes = &changes;
	if (!err)
		err = cicd__json_write(out, write_job_detail, &d);
	cicd__vec_dispose_with(&tr, cicd__transition_free_item);
	cicd__vec_dispose_with(&changes, cicd__change_free_item);
	cicd__job_dispose(&j);
	return err;
}

int cicd_deploy_job_state(const char **state, cicd_deploy_store *store, long long job_id)
{
	cicd__job j;
	int err;
	if (!state || !store)
		return cicd__error_set(CICD_EINVALID, "no output or store given");
	if ((err = cicd__store_job_get(store->st, &j, job_id)) < 0)
		return err;
	*state = cicd__job_state_name(j.state);
	cicd__job_dispose(&j);
	return 0;
}

/* Reads the committed lines after *last in pages; *count gets how many were read. */
static int read_lines(cicd_deploy_store *store, long long job_id, long long *last, cicd_deploy_log_cb cb, void *payload,
                      size_t *count)
{
	cicd_vec lines = CICD_VEC_INIT;
	size_t i;
	int err;
	*count = 0;
	do {
		if ((err = cicd__store_log_read(store->st, &lines, job_id, *last, 1000)) < 0) {
			cicd__vec_dispose_with(&lines, cicd__logline_free_item);
			return err;
		}
		for (i = 0; i < lines.count && !err; i++) {
			const cicd__logline *l = lines.items[i];
			int rc = cb ? cb(l->seq, l->at, l->level, l->message, l->fields, payload) : 0;
			*last = l->seq;
			(*count)++;
			if (rc)
				err = rc;
		}
		i = lines.count;
		cicd__vec_dispose_with(&lines, cicd__logline_free_item);
	} while (!err && i == 1000);
	return err;
}

int cicd_deploy_log_read(long long *last_seq, cicd_deploy_store *store, long long job_id, long long after,
                         cicd_deploy_log_cb cb, void *payload)
{
	cicd__job j;
	size_t n;
	long long last = after;
	int err;
	if (!store)
		return cicd__error_set(CICD_EINVALID, "no store given");
	if ((err = cicd__store_job_get(store->st, &j, job_id)) < 0)
		return err;
	cicd__job_dispose(&j);
	err = read_lines(store, job_id, &last, cb, payload, &n);
	if (last_seq)
		*last_seq = last;
	return err;
}

int cicd_deploy_log_follow(long long *last_seq, cicd_deploy_store *store, long long job_id, long long after,
                           long poll_ms, cicd_deploy_log_cb cb, void *payload)
{
	long long last = after;
	char what[96];
	int err;
	if (!store)
		return cicd__error_set(CICD_EINVALID, "no store given");
	snprintf(what, sizeof what, "while following the log of deploy job %lld", job_id);
	for (;;) {
		cicd__job j;
		size_t n;
		int ended;
		if (cicd__deploy_interrupted(store)) {
			err = cicd__deploy_interrupt_error(what);
			break;
		}
		if ((err = cicd__store_job_get(store->st, &j, job_id)) < 0)
			break;
		ended = cicd__job_state_terminal(j.state);
		cicd__job_dispose(&j);
		/* Read after looking at the state, so lines written before the end are not missed. */
		if ((err = read_lines(store, job_id, &last, cb, payload, &n)) != 0 || (ended && !n))
			break;
		if (!n)
			cicd__deploy_nap(store, poll_ms > 0 ? poll_ms : 500);
	}
	if (last_seq)
		*last_seq = last;
	return err;
}

int cicd_deploy_worker_run(cicd_deploy_store *store, const cicd_deploy_worker_options *opts)
{
	static const cicd_deploy_worker_options defaults = CICD_DEPLOY_WORKER_OPTIONS_INIT;
	char owner[256];
	exec_cfg cfg;
	char what[300];
	long jobs = 0;
	int err = 0;
	if (!store)
		return cicd__error_set(CICD_EINVALID, "no store given");
	if (!opts)
		opts = &defaults;
	if (opts->version != CICD_DEPLOY_WORKER_OPTIONS_VERSION)
		return cicd__error_set(CICD_EINVALID, "worker options version %u is not supported", opts->version);
	if (opts->owner)
		snprintf(owner, sizeof owner, "%s", opts->owner);
	else
		cicd__default_owner(owner, sizeof owner);
	cfg.owner = owner;
	cfg.ttl = opts->lease_ttl_ms > 0 ? opts->lease_ttl_ms : 15000;
	cfg.progress = opts->progress;
	cfg.payload = opts->payload;
	snprintf(what, sizeof what, "the worker %s", owner);
	for (;;) {
		cicd_vec heads = CICD_VEC_INIT;
		size_t i;
		int ran = 0, state;
		int64_t active = 0;
		if (cicd__deploy_interrupted(store)) {
			err = cicd__deploy_interrupt_error(what);
			break;
		}
		if ((err = recover_orphans(store, NULL, &cfg, &ran)) < 0)
			break;
		if ((err = cicd__store_job_queued_heads(store->st, &heads)) < 0) {
			cicd__vec_dispose_with(&heads, cicd__free);
			break;
		}
		for (i = 0; i < heads.count && !err; i++) {
			if (cicd__deploy_interrupted(store)) {
				err = cicd__deploy_interrupt_error(what);
				break;
			}
			err = execute_job(store, *(int64_t *)heads.items[i], &cfg, &state);
			if (err == CICD_ECONFLICT) {
				cicd_error_clear();
				err = 0;
			} else if (!err) {
				ran++;
			}
		}
		cicd__vec_dispose_with(&heads, cicd__free);
		if (err < 0)
			break;
		jobs += ran;
		if (opts->max_jobs > 0 && jobs >= opts->max_jobs)
			break;
		if (opts->until_idle) {
			if ((err = cicd__store_job_active_count(store->st, &active, NULL)) < 0)
				break;
			if (!active)
				break;
		}
		if (!ran)
			cicd__deploy_nap(store, opts->poll_ms > 0 ? opts->poll_ms : 1000);
	}
	return err;
}

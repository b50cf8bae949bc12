/*
 * The deploy store's jobs: the state machine (every transition a
 * compare-and-set with a timestamp and a reason), per-target leases with
 * epochs that fence stale workers, the step journal, the change set, the
 * append-only log, the inventory and history retention.
 */
#include "store_util.h"

static const char *const state_names[CICD__JOB_STATE_COUNT] = {
    "queued", "running", "canceling", "succeeded", "failed", "canceled", "timed_out",
};

const char *cicd__job_state_name(int state)
{
	return state >= 0 && state < CICD__JOB_STATE_COUNT ? state_names[state] : "unknown";
}

int cicd__job_state_parse(const char *name)
{
	int i;
	for (i = 0; name && i < CICD__JOB_STATE_COUNT; i++)
		if (!strcmp(name, state_names[i]))
			return i;
	return -1;
}

int cicd__job_state_terminal(int state)
{
	return state >= CICD__JOB_SUCCEEDED && state < CICD__JOB_STATE_COUNT;
}

int cicd__job_transition_allowed(int from, int to)
{
	switch (from) {
	case CICD__JOB_QUEUED:
		/* A queued job may also fail before it starts (its version or target vanished). */
		return to == CICD__JOB_RUNNING || to == CICD__JOB_CANCELED || to == CICD__JOB_FAILED;
	case CICD__JOB_RUNNING:
		return to == CICD__JOB_SUCCEEDED || to == CICD__JOB_FAILED || to == CICD__JOB_TIMED_OUT ||
		       to == CICD__JOB_CANCELING;
	case CICD__JOB_CANCELING:
		/* A job asked to stop may still finish or fail before its next step boundary. */
		return to == CICD__JOB_CANCELED || to == CICD__JOB_FAILED || to == CICD__JOB_SUCCEEDED ||
		       to == CICD__JOB_TIMED_OUT;
	default:
		return 0;
	}
}

void cicd__job_dispose(cicd__job *j)
{
	if (!j)
		return;
	cicd__free(j->target);
	cicd__free(j->who);
	cicd__free(j->reason);
	cicd__free(j->message);
	cicd__free(j->project);
	cicd__free(j->set);
	memset(j, 0, sizeof *j);
}

void cicd__job_free_item(void *j)
{
	cicd__job_dispose(j);
	cicd__free(j);
}

int cicd__store_fence(cicd__store *st, int64_t job, int64_t epoch, char **target_out)
{
	char sql[160];
	cicd__sqlrows r;
	sargs a = {0};
	int64_t job_epoch, lease_epoch = -1;
	char *target = NULL;
	int err;
	sa_int(&a, job);
	err = st_exec(st, st_locked(st, sql, sizeof sql, "SELECT target, epoch FROM jobs WHERE id = ?"), &a, &r, NULL);
	if (err < 0)
		return err;
	if (!r.rows) {
		cicd__sqlrows_free(&r);
		return cicd__error_set(CICD_ENOTFOUND, "unknown deploy job %" PRId64, job);
	}
	target = cell_dup(&r, 0, 0, &err);
	job_epoch = cell_int(&r, 0, 1);
	cicd__sqlrows_free(&r);
	if (err < 0)
		return err;
	a.n = 0;
	sa_str(&a, target);
	err = st_scalar(st, st_locked(st, sql, sizeof sql, "SELECT epoch FROM leases WHERE target = ?"), &a, -1,
	                &lease_epoch);
	if (!err && (lease_epoch != epoch || job_epoch != epoch))
		err = cicd__error_set(CICD_ECONFLICT,
		                      "deploy job %" PRId64 ": stale lease epoch %" PRId64
		                      " on target '%s' (the lease is at "
		                      "epoch %" PRId64 "): another worker took the job over",
		                      job, epoch, target, lease_epoch);
	if (!err && target_out)
		*target_out = target;
	else
		cicd__free(target);
	return err;
}

int cicd__store_job_create(cicd__store *st, int64_t *id, int64_t version_id, const char *target, const char *who,
                           int prune, int64_t timeout_ms, int64_t now)
{
	cicd__target t;
	cicd__version v;
	sargs a = {0};
	int err;
	if ((err = cicd__store_target_get(st, target, &t)) < 0)
		return err;
	cicd__target_dispose(&t);
	if ((err = cicd__store_version_get_id(st, &v, version_id)) < 0)
		return err;
	cicd__version_dispose(&v);
	sa_int(&a, version_id);
	sa_str(&a, target);
	sa_str(&a, who ? who : "");
	sa_int(&a, prune ? 1 : 0);
	sa_int(&a, timeout_ms);
	sa_int(&a, now);
	return st_scalar(st,
	                 "INSERT INTO jobs (version_id, target, who, state, epoch, prune, timeout_ms, created_at)"
	                 " VALUES (?, ?, ?, 'queued', 0, ?, ?, ?) RETURNING id",
	                 &a, -1, id);
}

static const char job_cols[] =
    "SELECT j.id, j.version_id, j.epoch, j.target, j.who, j.reason, j.message, s.project, s.name, v.number,"
    " j.state, j.prune, j.created_at, j.started_at, j.finished_at, j.timeout_ms"
    " FROM jobs j JOIN versions v ON v.id = j.version_id JOIN sets s ON s.id = v.set_id";

static int job_from_row(const cicd__sqlrows *r, size_t row, cicd__job *j)
{
	int err = 0;
	memset(j, 0, sizeof *j);
	j->id = cell_int(r, row, 0);
	j->version_id = cell_int(r, row, 1);
	j->epoch = cell_int(r, row, 2);
	j->target = cell_dup(r, row, 3, &err);
	j->who = cell_dup(r, row, 4, &err);
	j->reason = cell_dup(r, row, 5, &err);
	j->message = cell_dup(r, row, 6, &err);
	j->project = cell_dup(r, row, 7, &err);
	j->set = cell_dup(r, row, 8, &err);
	j->version_number = cell_int(r, row, 9);
	j->state = cicd__job_state_parse(cicd__sqlrows_get(r, row, 10));
	j->prune = (int)cell_int(r, row, 11);
	j->created_at = cell_int(r, row, 12);
	j->started_at = cell_int(r, row, 13);
	j->finished_at = cell_int(r, row, 14);
	j->timeout_ms = cell_int(r, row, 15);
	if (err)
		cicd__job_dispose(j);
	return err;
}

int cicd__store_job_get(cicd__store *st, cicd__job *out, int64_t id)
{
	char sql[600];
	cicd__sqlrows r;
	sargs a = {0};
	int err;
	memset(out, 0, sizeof *out);
	sa_int(&a, id);
	snprintf(sql, sizeof sql, "%s WHERE j.id = ?", job_cols);
	if ((err = st_exec(st, sql, &a, &r, NULL)) < 0)
		return err;
	err = r.rows ? job_from_row(&r, 0, out) : cicd__error_set(CICD_ENOTFOUND, "unknown deploy job %" PRId64, id);
	cicd__sqlrows_free(&r);
	return err;
}

int cicd__store_job_list(cicd__store *st, cicd_vec *out, const char *target, size_t limit)
{
	char sql[700];
	cicd__sqlrows r;
	sargs a = {0};
	size_t i;
	int err;
	if (target)
		sa_str(&a, target);
	sa_int(&a, limit ? (int64_t)limit : INT64_MAX);
	snprintf(sql, sizeof sql, "%s%s ORDER BY j.id DESC LIMIT ?", job_cols, target ? " WHERE j.target = ?" : "");
	if ((err = st_exec(st, sql, &a, &r, NULL)) < 0)
		return err;
	for (i = 0; i < r.rows && !err; i++) {
		cicd__job *j = cicd__calloc(1, sizeof *j);
		if (!j)
			err = cicd__error_oom();
		else if ((err = job_from_row(&r, i, j)) < 0 || (err = cicd__vec_push(out, j)) < 0)
			cicd__job_free_item(j);
	}
	cicd__sqlrows_free(&r);
	return err;
}

int cicd__store_job_next_queued(cicd__store *st, int64_t *id, const char *target)
{
	sargs a = {0};
	int err;
	if (target) {
		sa_str(&a, target);
		err = st_scalar(st, "SELECT MIN(id) FROM jobs WHERE state = 'queued' AND target = ?", &a, -1, id);
	} else {
		err = st_scalar(st, "SELECT MIN(id) FROM jobs WHERE state = 'queued'", NULL, -1, id);
	}
	if (!err && *id < 0)
		err = cicd__error_set(CICD_ENOTFOUND, "no queued deploy job%s%s", target ? " for target " : "",
		                      target ? target : "");
	return err;
}

static int push_ids(const cicd__sqlrows *r, cicd_vec *ids_out)
{
	size_t i;
	int err = 0;
	for (i = 0; i < r->rows && !err; i++) {
		int64_t *id = cicd__malloc(sizeof *id);
		if (!id)
			return cicd__error_oom();
		*id = cell_int(r, i, 0);
		if ((err = cicd__vec_push(ids_out, id)) < 0)
			cicd__free(id);
	}
	return err;
}

int cicd__store_job_queued_heads(cicd__store *st, cicd_vec *ids_out)
{
	cicd__sqlrows r;
	int err =
	    st_exec(st, "SELECT MIN(id) FROM jobs WHERE state = 'queued' GROUP BY target ORDER BY 1", NULL, &r, NULL);
	if (err < 0)
		return err;
	err = push_ids(&r, ids_out);
	cicd__sqlrows_free(&r);
	return err;
}

int cicd__store_job_active_count(cicd__store *st, int64_t *count, const char *target)
{
	sargs a = {0};
	if (!target)
		return st_scalar(st, "SELECT count(*) FROM jobs WHERE state IN ('queued', 'running', 'canceling')",
		                 NULL, 0, count);
	sa_str(&a, target);
	return st_scalar(st,
	                 "SELECT count(*) FROM jobs WHERE state IN ('queued', 'running', 'canceling') AND target = ?",
	                 &a, 0, count);
}

int cicd__store_job_orphans(cicd__store *st, cicd_vec *ids_out, int64_t now)
{
	cicd__sqlrows r;
	sargs a = {0};
	size_t i;
	int err;
	sa_int(&a, now);
	err = st_exec(st,
	              "SELECT j.id FROM jobs j LEFT JOIN leases l ON l.target = j.target"
	              " WHERE j.state IN ('running', 'canceling') AND (l.expires_at IS NULL OR l.expires_at <= ?)"
	              " ORDER BY j.id",
	              &a, &r, NULL);
	if (err < 0)
		return err;
	for (i = 0; i < r.rows && !err; i++) {
		int64_t *id = cicd__malloc(sizeof *id);
		if (!id) {
			err = cicd__error_oom();
			break;
		}
		*id = cell_int(&r, i, 0);
		if ((err = cicd__vec_push(ids_out, id)) < 0)
			cicd__free(id);
	}
	cicd__sqlrows_free(&r);
	return err;
}

static int record_transition(cicd__store *st, int64_t id, int from, int to, const char *reason, const char *message,
                             int64_t epoch, int64_t now)
{
	sargs a = {0};
	int64_t seq;
	int err;
	sa_int(&a, id);
	if ((err = st_scalar(st, "SELECT COALESCE(MAX(seq), 0) FROM transitions WHERE job_id = ?", &a, 0, &seq)) < 0)
		return err;
	sa_int(&a, seq + 1);
	sa_str(&a, cicd__job_state_name(from));
	sa_str(&a, cicd__job_state_name(to));
	sa_str(&a, reason);
	sa_str(&a, message);
	sa_int(&a, epoch);
	sa_int(&a, now);
	return st_exec(st,
	               "INSERT INTO transitions (job_id, seq, from_state, to_state, reason, message, epoch, at)"
	               " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
	               &a, NULL, NULL);
}

static int transition_locked(cicd__store *st, int64_t id, int from, int to, const char *reason, const char *message,
                             int64_t epoch, int64_t now)
{
	char sql[200];
	cicd__sqlrows r;
	sargs a = {0};
	int64_t changed = 0, lease_epoch = -1;
	int state, err;
	sa_int(&a, id);
	err = st_exec(st, st_locked(st, sql, sizeof sql, "SELECT state, target, epoch FROM jobs WHERE id = ?"), &a, &r,
	              NULL);
	if (err < 0)
		return err;
	if (!r.rows) {
		cicd__sqlrows_free(&r);
		return cicd__error_set(CICD_ENOTFOUND, "unknown deploy job %" PRId64, id);
	}
	state = cicd__job_state_parse(cicd__sqlrows_get(&r, 0, 0));
	if (state != from)
		err =
		    cicd__error_set(CICD_ECONFLICT, "deploy job %" PRId64 " is %s, not %s: cannot make it %s", id,
		                    cicd__job_state_name(state), cicd__job_state_name(from), cicd__job_state_name(to));
	if (!err && epoch) {
		sargs l = {0};
		sa_str(&l, cicd__sqlrows_get(&r, 0, 1));
		err = st_scalar(st, st_locked(st, sql, sizeof sql, "SELECT epoch FROM leases WHERE target = ?"), &l, -1,
		                &lease_epoch);
		if (!err && (lease_epoch != epoch || (from != CICD__JOB_QUEUED && cell_int(&r, 0, 2) != epoch)))
			err = cicd__error_set(CICD_ECONFLICT,
			                      "deploy job %" PRId64 ": stale lease epoch %" PRId64
			                      " on target '%s' (the lease "
			                      "is at epoch %" PRId64 "): another worker took the job over",
			                      id, epoch, cicd__sqlrows_get(&r, 0, 1), lease_epoch);
	}
	cicd__sqlrows_free(&r);
	if (err < 0)
		return err;
	a.n = 0;
	sa_str(&a, cicd__job_state_name(to));
	sa_str(&a, reason);
	sa_str(&a, message);
	sa_int(&a, to == CICD__JOB_RUNNING);
	sa_int(&a, now);
	sa_int(&a, cicd__job_state_terminal(to));
	sa_int(&a, now);
	sa_int(&a, to == CICD__JOB_RUNNING);
	sa_int(&a, epoch);
	sa_int(&a, id);
	sa_str(&a, cicd__job_state_name(from));
	err = st_exec(st,
	              "UPDATE jobs SET state = ?, reason = ?, message = ?,"
	              " started_at = CASE WHEN ? = 1 THEN ? ELSE started_at END,"
	              " finished_at = CASE WHEN ? = 1 THEN ? ELSE finished_at END,"
	              " epoch = CASE WHEN ? = 1 THEN ? ELSE epoch END WHERE id = ? AND state = ?",
	              &a, NULL, &changed);
	if (!err && changed != 1)
		err = cicd__error_set(CICD_ECONFLICT, "deploy job %" PRId64 " changed state concurrently", id);
	if (!err)
		err = record_transition(st, id, from, to, reason, message, epoch, now);
	return err;
}

int cicd__store_job_transition(cicd__store *st, int64_t id, int from, int to, const char *reason, const char *message,
                               int64_t epoch, int64_t now)
{
	int err;
	if (from < 0 || from >= CICD__JOB_STATE_COUNT || to < 0 || to >= CICD__JOB_STATE_COUNT)
		return cicd__error_set(CICD_EINVALID, "unknown deploy job state");
	if (cicd__job_state_terminal(from))
		return cicd__error_set(CICD_ECONFLICT, "deploy job %" PRId64 " is %s: a finished job never changes", id,
		                       cicd__job_state_name(from));
	if (!cicd__job_transition_allowed(from, to))
		return cicd__error_set(CICD_EINVALID, "deploy job %" PRId64 ": no transition from %s to %s", id,
		                       cicd__job_state_name(from), cicd__job_state_name(to));
	if (!epoch && !(from == CICD__JOB_QUEUED && to != CICD__JOB_RUNNING) &&
	    !(from == CICD__JOB_RUNNING && to == CICD__JOB_CANCELING))
		return cicd__error_set(CICD_EINVALID, "deploy job %" PRId64 ": %s to %s needs the worker's lease epoch",
		                       id, cicd__job_state_name(from), cicd__job_state_name(to));
	if ((err = st_begin(st)) < 0)
		return err;
	return st_end(st, transition_locked(st, id, from, to, reason, message, epoch, now));
}

int cicd__store_job_adopt(cicd__store *st, int64_t id, int64_t epoch, int64_t now)
{
	char sql[200];
	cicd__sqlrows r;
	sargs a = {0};
	int64_t lease_epoch = -1;
	int err, state = -1;
	if ((err = st_begin(st)) < 0)
		return err;
	sa_int(&a, id);
	err = st_exec(st, st_locked(st, sql, sizeof sql, "SELECT state, target FROM jobs WHERE id = ?"), &a, &r, NULL);
	if (!err && !r.rows)
		err = cicd__error_set(CICD_ENOTFOUND, "unknown deploy job %" PRId64, id);
	if (!err) {
		sargs l = {0};
		state = cicd__job_state_parse(cicd__sqlrows_get(&r, 0, 0));
		if (state != CICD__JOB_RUNNING && state != CICD__JOB_CANCELING)
			err = cicd__error_set(CICD_ECONFLICT,
			                      "deploy job %" PRId64 " is %s: only a running job is taken over", id,
			                      cicd__job_state_name(state));
		sa_str(&l, cicd__sqlrows_get(&r, 0, 1));
		if (!err)
			err = st_scalar(st, st_locked(st, sql, sizeof sql, "SELECT epoch FROM leases WHERE target = ?"),
			                &l, -1, &lease_epoch);
		if (!err && lease_epoch != epoch)
			err = cicd__error_set(CICD_ECONFLICT,
			                      "deploy job %" PRId64 ": stale lease epoch %" PRId64
			                      " (the lease is at %" PRId64 ")",
			                      id, epoch, lease_epoch);
	}
	cicd__sqlrows_free(&r);
	if (!err) {
		a.n = 0;
		sa_int(&a, epoch);
		sa_int(&a, id);
		err = st_exec(st, "UPDATE jobs SET epoch = ? WHERE id = ?", &a, NULL, NULL);
	}
	if (!err)
		err = record_transition(st, id, state, state, "resumed", "taken over after the lease expired", epoch,
		                        now);
	return st_end(st, err);
}

void cicd__transition_free_item(void *p)
{
	cicd__transition *t = p;
	if (!t)
		return;
	cicd__free(t->reason);
	cicd__free(t->message);
	cicd__free(t);
}

int cicd__store_job_transitions(cicd__store *st, cicd_vec *out, int64_t id)
{
	cicd__sqlrows r;
	sargs a = {0};
	size_t i;
	int err;
	sa_int(&a, id);
	err = st_exec(st,
	              "SELECT seq, at, from_state, to_state, reason, message FROM transitions WHERE job_id = ?"
	              " ORDER BY seq",
	              &a, &r, NULL);
	if (err < 0)
		return err;
	for (i = 0; i < r.rows && !err; i++) {
		cicd__transition *t = cicd__calloc(1, sizeof *t);
		if (!t) {
			err = cicd__error_oom();
			break;
		}
		t->seq = cell_int(&r, i, 0);
		t->at = cell_int(&r, i, 1);
		t->from = cicd__job_state_parse(cicd__sqlrows_get(&r, i, 2));
		t->to = cicd__job_state_parse(cicd__sqlrows_get(&r, i, 3));
		t->reason = cell_dup(&r, i, 4, &err);
		t->message = cell_dup(&r, i, 5, &err);
		if (err || (err = cicd__vec_push(out, t)) < 0)
			cicd__transition_free_item(t);
	}
	cicd__sqlrows_free(&r);
	return err;
}

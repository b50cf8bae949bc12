/*
 * The deploy store's per-target leases and what a running job writes under
 * its lease: the step journal, the change set, the log and the inventory.
 * Every such write is fenced by the lease epoch in the same transaction.
 */
#include "store_util.h"

/* ---- leases ---- */

void cicd__lease_dispose(cicd__lease *l)
{
	if (!l)
		return;
	cicd__free(l->owner);
	memset(l, 0, sizeof *l);
}

static int lease_read(cicd__store *st, cicd__lease *out, const char *target, int lock)
{
	char sql[160];
	cicd__sqlrows r;
	sargs a = {0};
	int err;
	memset(out, 0, sizeof *out);
	sa_str(&a, target);
	snprintf(sql, sizeof sql, "SELECT owner, epoch, expires_at FROM leases WHERE target = ?%s",
	         lock ? st->db->ops->lock_rows : "");
	if ((err = st_exec(st, sql, &a, &r, NULL)) < 0)
		return err;
	if (r.rows) {
		out->owner = cell_dup(&r, 0, 0, &err);
		out->epoch = cell_int(&r, 0, 1);
		out->expires_at = cell_int(&r, 0, 2);
	} else if (!(out->owner = cicd__strdup(""))) {
		err = cicd__error_oom();
	}
	cicd__sqlrows_free(&r);
	return err;
}

int cicd__store_lease_get(cicd__store *st, cicd__lease *out, const char *target)
{
	return lease_read(st, out, target, 0);
}

int cicd__store_lease_acquire(cicd__store *st, int64_t *epoch, const char *target, const char *owner, int64_t ttl_ms,
                              int64_t now)
{
	cicd__lease l = {0};
	sargs a = {0};
	int err;
	if (!owner || !*owner)
		return cicd__error_set(CICD_EINVALID, "a lease needs an owner");
	if (ttl_ms <= 0)
		return cicd__error_set(CICD_EINVALID, "a lease needs a positive time to live");
	if ((err = st_begin(st)) < 0)
		return err;
	sa_str(&a, target);
	err = st_exec(st,
	              "INSERT INTO leases (target, owner, epoch, expires_at) VALUES (?, '', 0, 0)"
	              " ON CONFLICT (target) DO NOTHING",
	              &a, NULL, NULL);
	if (!err)
		err = lease_read(st, &l, target, 1);
	if (!err && *l.owner && l.expires_at > now && strcmp(l.owner, owner) != 0)
		err = cicd__error_set(CICD_ECONFLICT,
		                      "target '%s' is leased by '%s' (epoch %" PRId64 ") for another %" PRId64 " ms",
		                      target, l.owner, l.epoch, l.expires_at - now);
	if (!err) {
		/* The owner's own live lease keeps its epoch; anything else is a takeover. */
		int64_t next = *l.owner && l.expires_at > now ? l.epoch : l.epoch + 1;
		a.n = 0;
		sa_str(&a, owner);
		sa_int(&a, next);
		sa_int(&a, now + ttl_ms);
		sa_str(&a, target);
		err = st_exec(st, "UPDATE leases SET owner = ?, epoch = ?, expires_at = ? WHERE target = ?", &a, NULL,
		              NULL);
		*epoch = next;
	}
	cicd__lease_dispose(&l);
	return st_end(st, err);
}

int cicd__store_lease_renew(cicd__store *st, const char *target, int64_t epoch, int64_t ttl_ms, int64_t now)
{
	sargs a = {0};
	int64_t changed = 0;
	int err;
	sa_int(&a, now + ttl_ms);
	sa_str(&a, target);
	sa_int(&a, epoch);
	err = st_exec(st, "UPDATE leases SET expires_at = ? WHERE target = ? AND epoch = ? AND owner <> ''", &a, NULL,
	              &changed);
	if (!err && changed != 1)
		err = cicd__error_set(CICD_ECONFLICT,
		                      "lease on target '%s' at epoch %" PRId64
		                      " is no longer held: another worker took it",
		                      target, epoch);
	return err;
}

int cicd__store_lease_release(cicd__store *st, const char *target, int64_t epoch)
{
	sargs a = {0};
	int64_t changed = 0;
	int err;
	sa_str(&a, target);
	sa_int(&a, epoch);
	err = st_exec(st, "UPDATE leases SET owner = '', expires_at = 0 WHERE target = ? AND epoch = ? AND owner <> ''",
	              &a, NULL, &changed);
	if (!err && changed != 1)
		err = cicd__error_set(CICD_ECONFLICT,
		                      "lease on target '%s' at epoch %" PRId64 " is no longer held: nothing released",
		                      target, epoch);
	return err;
}

/* ---- journal ---- */

int cicd__store_journal(cicd__store *st, int64_t job, int64_t epoch, int step, const char *name, int phase,
                        const char *detail, int64_t now)
{
	sargs a = {0};
	int err;
	if ((err = st_begin(st)) < 0)
		return err;
	err = cicd__store_fence(st, job, epoch, NULL);
	sa_int(&a, job);
	sa_int(&a, step);
	sa_int(&a, phase);
	sa_str(&a, name);
	sa_str(&a, detail);
	sa_int(&a, epoch);
	sa_int(&a, now);
	/* A resumed step begins again: its entry is overwritten, keeping one row per step and phase. */
	if (!err)
		err = st_exec(
		    st,
		    "INSERT INTO journal (job_id, step, phase, name, detail, epoch, at) VALUES (?, ?, ?, ?, ?, ?, ?)"
		    " ON CONFLICT (job_id, step, phase) DO UPDATE SET name = excluded.name,"
		    " detail = excluded.detail, epoch = excluded.epoch, at = excluded.at",
		    &a, NULL, NULL);
	return st_end(st, err);
}

int cicd__store_journal_first_open(cicd__store *st, int *step, int64_t job)
{
	sargs a = {0};
	int64_t last;
	int err;
	sa_int(&a, job);
	/* Steps are confirmed in order, so the first open one follows the highest confirmed. */
	err =
	    st_scalar(st, "SELECT COALESCE(MAX(step), -1) FROM journal WHERE job_id = ? AND phase = 1", &a, -1, &last);
	if (!err)
		*step = (int)last + 1;
	return err;
}

/* ---- change set ---- */

void cicd__change_free_item(void *p)
{
	cicd__change *c = p;
	if (!c)
		return;
	cicd__free(c->action);
	cicd__free(c->api_version);
	cicd__free(c->kind);
	cicd__free(c->namespace_);
	cicd__free(c->name);
	cicd__free(c->diff);
	cicd__free(c);
}

int cicd__store_changes_put(cicd__store *st, int64_t job, int64_t epoch, cicd__change *const *changes, size_t count)
{
	sargs a = {0};
	size_t i;
	int err;
	if ((err = st_begin(st)) < 0)
		return err;
	err = cicd__store_fence(st, job, epoch, NULL);
	sa_int(&a, job);
	if (!err)
		err = st_exec(st, "DELETE FROM changes WHERE job_id = ?", &a, NULL, NULL);
	for (i = 0; i < count && !err; i++) {
		const cicd__change *c = changes[i];
		a.n = 1;
		sa_int(&a, (int64_t)i);
		sa_int(&a, c->wave);
		sa_str(&a, c->action);
		sa_str(&a, c->api_version);
		sa_str(&a, c->kind);
		sa_str(&a, c->namespace_ ? c->namespace_ : "");
		sa_str(&a, c->name);
		sa_str(&a, c->diff);
		err =
		    st_exec(st,
		            "INSERT INTO changes (job_id, idx, wave, action, api_version, kind, namespace, name, diff)"
		            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
		            &a, NULL, NULL);
	}
	return st_end(st, err);
}

int cicd__store_changes_get(cicd__store *st, cicd_vec *out, int64_t job)
{
	cicd__sqlrows r;
	sargs a = {0};
	size_t i;
	int err;
	sa_int(&a, job);
	err = st_exec(st,
	              "SELECT idx, wave, action, api_version, kind, namespace, name, diff FROM changes"
	              " WHERE job_id = ? ORDER BY idx",
	              &a, &r, NULL);
	if (err < 0)
		return err;
	for (i = 0; i < r.rows && !err; i++) {
		cicd__change *c = cicd__calloc(1, sizeof *c);
		if (!c) {
			err = cicd__error_oom();
			break;
		}
		c->idx = (int)cell_int(&r, i, 0);
		c->wave = (int)cell_int(&r, i, 1);
		c->action = cell_dup(&r, i, 2, &err);
		c->api_version = cell_dup(&r, i, 3, &err);
		c->kind = cell_dup(&r, i, 4, &err);
		c->namespace_ = cell_dup(&r, i, 5, &err);
		c->name = cell_dup(&r, i, 6, &err);
		c->diff = cell_dup(&r, i, 7, &err);
		if (err || (err = cicd__vec_push(out, c)) < 0)
			cicd__change_free_item(c);
	}
	cicd__sqlrows_free(&r);
	return err;
}

/* ---- log ---- */

void cicd__logline_free_item(void *p)
{
	cicd__logline *l = p;
	if (!l)
		return;
	cicd__free(l->message);
	cicd__free(l->fields);
	cicd__free(l);
}

int cicd__store_log_append(cicd__store *st, int64_t *last_seq, int64_t job, int64_t epoch,
                           const cicd__logline_in *lines, size_t count)
{
	char sql[128];
	sargs a = {0};
	int64_t seq = 0, found = -1;
	size_t i;
	int err;
	if ((err = st_begin(st)) < 0)
		return err;
	sa_int(&a, job);
	if (epoch)
		err = cicd__store_fence(st, job, epoch, NULL);
	else if (!(err = st_scalar(st, st_locked(st, sql, sizeof sql, "SELECT id FROM jobs WHERE id = ?"), &a, -1,
	                           &found)) &&
	         found < 0)
		err = cicd__error_set(CICD_ENOTFOUND, "unknown deploy job %" PRId64, job);
	if (!err)
		err = st_scalar(st, "SELECT COALESCE(MAX(seq), 0) FROM logs WHERE job_id = ?", &a, 0, &seq);
	for (i = 0; i < count && !err; i++) {
		a.n = 1;
		sa_int(&a, ++seq);
		sa_int(&a, lines[i].at);
		sa_int(&a, lines[i].level);
		sa_str(&a, lines[i].message ? lines[i].message : "");
		sa_str(&a, lines[i].fields);
		err =
		    st_exec(st, "INSERT INTO logs (job_id, seq, at, level, message, fields) VALUES (?, ?, ?, ?, ?, ?)",
		            &a, NULL, NULL);
	}
	if ((err = st_end(st, err)) < 0)
		return err;
	if (last_seq)
		*last_seq = seq;
	return 0;
}

int cicd__store_log_read(cicd__store *st, cicd_vec *out, int64_t job, int64_t after, size_t max)
{
	cicd__sqlrows r;
	sargs a = {0};
	size_t i;
	int err;
	sa_int(&a, job);
	sa_int(&a, after);
	sa_int(&a, max ? (int64_t)max : INT64_MAX);
	err = st_exec(st,
	              "SELECT seq, at, level, message, fields FROM logs WHERE job_id = ? AND seq > ?"
	              " ORDER BY seq LIMIT ?",
	              &a, &r, NULL);
	if (err < 0)
		return err;
	for (i = 0; i < r.rows && !err; i++) {
		cicd__logline *l = cicd__calloc(1, sizeof *l);
		if (!l) {
			err = cicd__error_oom();
			break;
		}
		l->seq = cell_int(&r, i, 0);
		l->at = cell_int(&r, i, 1);
		l->level = (int)cell_int(&r, i, 2);
		l->message = cell_dup(&r, i, 3, &err);
		l->fields = cell_dup(&r, i, 4, &err);
		if (err || (err = cicd__vec_push(out, l)) < 0)
			cicd__logline_free_item(l);
	}
	cicd__sqlrows_free(&r);
	return err;
}

/* ---- inventory ---- */

void cicd__inventory_free_item(void *p)
{
	cicd__inventory_item *i = p;
	if (!i)
		return;
	cicd__free(i->api_version);
	cicd__free(i->kind);
	cicd__free(i->namespace_);
	cicd__free(i->name);
	cicd__free(i);
}

/*
 * Rows of a cluster-scoped object that carry a namespace: earlier versions
 * of the engine recorded such objects under the target's namespace. Its row
 * without one replaces them (a target always has a namespace, so "" only
 * ever means cluster-scoped).
 */
static int drop_namespaced_rows(cicd__store *st, const char *target, int64_t set_id, const char *kind, const char *name)
{
	sargs a = {0};
	sa_str(&a, target);
	sa_int(&a, set_id);
	sa_str(&a, kind);
	sa_str(&a, name);
	return st_exec(st,
	               "DELETE FROM inventory WHERE target = ? AND set_id = ? AND kind = ? AND name = ?"
	               " AND namespace <> ''",
	               &a, NULL, NULL);
}

int cicd__store_inventory_add(cicd__store *st, int64_t job, int64_t epoch, const char *target, const char *project,
                              const char *set, const char *api_version, const char *kind, const char *ns,
                              const char *name, int64_t version_id)
{
	sargs a = {0};
	int64_t set_id = -1;
	int err;
	if ((err = st_begin(st)) < 0)
		return err;
	err = cicd__store_fence(st, job, epoch, NULL);
	if (!err)
		err = cicd__store_set_id(st, &set_id, project, set);
	sa_str(&a, target);
	sa_int(&a, set_id);
	sa_str(&a, api_version);
	sa_str(&a, kind);
	sa_str(&a, ns ? ns : "");
	sa_str(&a, name);
	sa_int(&a, version_id);
	if (!err)
		err = st_exec(st,
		              "INSERT INTO inventory (target, set_id, api_version, kind, namespace, name, version_id)"
		              " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (target, set_id, kind, namespace, name)"
		              " DO UPDATE SET api_version = excluded.api_version, version_id = excluded.version_id",
		              &a, NULL, NULL);
	if (!err && !(ns && *ns))
		err = drop_namespaced_rows(st, target, set_id, kind, name);
	return st_end(st, err);
}

int cicd__store_inventory_remove(cicd__store *st, int64_t job, int64_t epoch, const char *target, const char *project,
                                 const char *set, const char *kind, const char *ns, const char *name)
{
	sargs a = {0};
	int64_t set_id = -1;
	int err;
	if ((err = st_begin(st)) < 0)
		return err;
	err = cicd__store_fence(st, job, epoch, NULL);
	if (!err)
		err = cicd__store_set_id(st, &set_id, project, set);
	sa_str(&a, target);
	sa_int(&a, set_id);
	sa_str(&a, kind);
	sa_str(&a, ns ? ns : "");
	sa_str(&a, name);
	if (!err)
		err = st_exec(st,
		              "DELETE FROM inventory WHERE target = ? AND set_id = ? AND kind = ? AND namespace = ?"
		              " AND name = ?",
		              &a, NULL, NULL);
	if (!err && !(ns && *ns))
		err = drop_namespaced_rows(st, target, set_id, kind, name);
	return st_end(st, err);
}

int cicd__store_inventory_list(cicd__store *st, cicd_vec *out, const char *target, const char *project, const char *set)
{
	cicd__sqlrows r;
	sargs a = {0};
	int64_t set_id = -1;
	size_t i;
	int err;
	if ((err = cicd__store_set_id(st, &set_id, project, set)) < 0)
		return err;
	sa_str(&a, target);
	sa_int(&a, set_id);
	err = st_exec(st,
	              "SELECT api_version, kind, namespace, name, version_id FROM inventory"
	              " WHERE target = ? AND set_id = ? ORDER BY kind, namespace, name",
	              &a, &r, NULL);
	if (err < 0)
		return err;
	for (i = 0; i < r.rows && !err; i++) {
		cicd__inventory_item *it = cicd__calloc(1, sizeof *it);
		if (!it) {
			err = cicd__error_oom();
			break;
		}
		it->api_version = cell_dup(&r, i, 0, &err);
		it->kind = cell_dup(&r, i, 1, &err);
		it->namespace_ = cell_dup(&r, i, 2, &err);
		it->name = cell_dup(&r, i, 3, &err);
		it->version_id = cell_int(&r, i, 4);
		if (err || (err = cicd__vec_push(out, it)) < 0)
			cicd__inventory_free_item(it);
	}
	cicd__sqlrows_free(&r);
	return err;
}

/* ---- retention ---- */

int cicd__store_history_prune(cicd__store *st, size_t keep, int64_t *removed)
{
	static const char *const children[] = {
	    "DELETE FROM logs WHERE job_id = ?",    "DELETE FROM transitions WHERE job_id = ?",
	    "DELETE FROM journal WHERE job_id = ?", "DELETE FROM changes WHERE job_id = ?",
	    "DELETE FROM jobs WHERE id = ?",
	};
	cicd__sqlrows r;
	sargs a = {0};
	size_t i, c;
	int err;
	*removed = 0;
	if (!keep)
		return 0;
	if ((err = st_begin(st)) < 0)
		return err;
	sa_int(&a, (int64_t)keep);
	err = st_exec(st,
	              "SELECT j.id FROM jobs j WHERE j.state IN ('succeeded', 'failed', 'canceled', 'timed_out')"
	              " AND (SELECT count(*) FROM jobs k WHERE k.target = j.target AND k.id > j.id"
	              " AND k.state IN ('succeeded', 'failed', 'canceled', 'timed_out')) >= ?",
	              &a, &r, NULL);
	for (i = 0; !err && i < r.rows; i++)
		for (c = 0; !err && c < sizeof children / sizeof children[0]; c++) {
			a.n = 0;
			sa_int(&a, cell_int(&r, i, 0));
			err = st_exec(st, children[c], &a, NULL, NULL);
		}
	if (!err)
		*removed = (int64_t)r.rows;
	if (r.cells || r.rows)
		cicd__sqlrows_free(&r);
	return st_end(st, err);
}

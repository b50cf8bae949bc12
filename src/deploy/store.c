/*
 * The deploy store: opening and migrating the schema, settings, targets,
 * resource sets and content-addressed versions. Jobs, leases, the journal,
 * logs and the inventory are in store_jobs.c.
 */
#include "store_util.h"

static const cicd__store_limits default_limits = {5000, 16u * 1024 * 1024, 5000};

/* Schema version 1. %1$s is the driver's auto-increment key type. */
static const char schema_v1[] =
    "CREATE TABLE sets (id %1$s, project TEXT NOT NULL, name TEXT NOT NULL,"
    " prune INTEGER NOT NULL DEFAULT 0, created_at BIGINT NOT NULL, UNIQUE (project, name));"
    "CREATE TABLE objects (hash TEXT PRIMARY KEY, body TEXT NOT NULL);"
    "CREATE TABLE versions (id %1$s, set_id BIGINT NOT NULL REFERENCES sets (id), number BIGINT NOT NULL,"
    " hash TEXT NOT NULL, who TEXT NOT NULL, commit_sha TEXT, pipeline TEXT, created_at BIGINT NOT NULL,"
    " objects BIGINT NOT NULL, bytes BIGINT NOT NULL, UNIQUE (set_id, number), UNIQUE (set_id, hash));"
    "CREATE TABLE version_objects (version_id BIGINT NOT NULL REFERENCES versions (id), idx INTEGER NOT NULL,"
    " object_hash TEXT NOT NULL REFERENCES objects (hash), api_version TEXT NOT NULL, kind TEXT NOT NULL,"
    " namespace TEXT NOT NULL, name TEXT NOT NULL, wave INTEGER NOT NULL, PRIMARY KEY (version_id, idx));"
    "CREATE TABLE targets (name TEXT PRIMARY KEY, kubeconfig TEXT, context TEXT, in_cluster INTEGER NOT NULL,"
    " namespace TEXT NOT NULL, created_at BIGINT NOT NULL);"
    "CREATE TABLE leases (target TEXT PRIMARY KEY, owner TEXT NOT NULL, epoch BIGINT NOT NULL,"
    " expires_at BIGINT NOT NULL);"
    "CREATE TABLE jobs (id %1$s, version_id BIGINT NOT NULL REFERENCES versions (id),"
    " target TEXT NOT NULL REFERENCES targets (name), who TEXT NOT NULL, state TEXT NOT NULL, reason TEXT,"
    " message TEXT, epoch BIGINT NOT NULL DEFAULT 0, prune INTEGER NOT NULL, timeout_ms BIGINT NOT NULL,"
    " created_at BIGINT NOT NULL, started_at BIGINT, finished_at BIGINT);"
    "CREATE INDEX jobs_by_target ON jobs (target, state, id);"
    "CREATE TABLE transitions (job_id BIGINT NOT NULL REFERENCES jobs (id), seq INTEGER NOT NULL,"
    " from_state TEXT NOT NULL, to_state TEXT NOT NULL, reason TEXT, message TEXT, epoch BIGINT NOT NULL,"
    " at BIGINT NOT NULL, PRIMARY KEY (job_id, seq));"
    "CREATE TABLE journal (job_id BIGINT NOT NULL REFERENCES jobs (id), step INTEGER NOT NULL,"
    " phase INTEGER NOT NULL, name TEXT NOT NULL, detail TEXT, epoch BIGINT NOT NULL, at BIGINT NOT NULL,"
    " PRIMARY KEY (job_id, step, phase));"
    "CREATE TABLE changes (job_id BIGINT NOT NULL REFERENCES jobs (id), idx INTEGER NOT NULL,"
    " wave INTEGER NOT NULL, action TEXT NOT NULL, api_version TEXT NOT NULL, kind TEXT NOT NULL,"
    " namespace TEXT NOT NULL, name TEXT NOT NULL, diff TEXT, PRIMARY KEY (job_id, idx));"
    "CREATE TABLE logs (job_id BIGINT NOT NULL REFERENCES jobs (id), seq BIGINT NOT NULL, at BIGINT NOT NULL,"
    " level INTEGER NOT NULL, message TEXT NOT NULL, fields TEXT, PRIMARY KEY (job_id, seq));"
    "CREATE TABLE inventory (target TEXT NOT NULL, set_id BIGINT NOT NULL REFERENCES sets (id),"
    " api_version TEXT NOT NULL, kind TEXT NOT NULL, namespace TEXT NOT NULL, name TEXT NOT NULL,"
    " version_id BIGINT NOT NULL, PRIMARY KEY (target, set_id, kind, namespace, name));";

/* Migrations, in order: migrations[i] takes the schema from version i to i + 1. */
static const char *const migrations[] = {schema_v1};

static int apply_migration(cicd__store *st, const char *tmpl)
{
	size_t need = strlen(tmpl) * 2 + 256;
	char *sql = cicd__malloc(need);
	int err;
	if (!sql)
		return cicd__error_oom();
#if defined(__GNUC__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
#endif
	snprintf(sql, need, tmpl, st->db->ops->serial_key);
#if defined(__GNUC__)
#pragma GCC diagnostic pop
#endif
	err = st->db->ops->exec_script(st->db, sql);
	cicd__free(sql);
	return err;
}

static int migrate(cicd__store *st)
{
	const int latest = (int)(sizeof migrations / sizeof migrations[0]);
	int64_t version = 0, foreign = 0;
	sargs a = {0};
	int err;
	char num[24];
	if ((err = st_begin(st)) < 0)
		return err;
	if (st->db->ops->schema_lock && (err = st_exec(st, st->db->ops->schema_lock, NULL, NULL, NULL)) < 0)
		return st_end(st, err);
	if (!strcmp(st->db->ops->name, "sqlite")) {
		/* A SQLite file with tables but without ours is someone else's database: leave it alone. */
		err = st_scalar(st,
		                "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name <> 'meta'"
		                " AND NOT EXISTS (SELECT 1 FROM sqlite_master WHERE name = 'meta')",
		                NULL, 0, &foreign);
		if (!err && foreign)
			err = cicd__error_set(CICD_ESTORE,
			                      "store %s is not a deploy store: it has tables of another "
			                      "application",
			                      st->location);
		if (err < 0)
			return st_end(st, err);
	}
	err = st->db->ops->exec_script(st->db,
	                               "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)");
	if (!err) {
		sa_str(&a, "schema_version");
		err = st_scalar(st, "SELECT value FROM meta WHERE key = ?", &a, 0, &version);
	}
	if (!err && version > latest)
		err = cicd__error_set(CICD_ESTORE,
		                      "store %s has schema version %" PRId64 ", newer than this library's %d: "
		                      "upgrade libcicd to use it (the store was not changed)",
		                      st->location, version, latest);
	if (!err && version < 0)
		err =
		    cicd__error_set(CICD_ESTORE, "store %s is corrupt: schema version %" PRId64, st->location, version);
	for (; !err && version < latest; version++)
		err = apply_migration(st, migrations[version]);
	if (!err) {
		snprintf(num, sizeof num, "%d", latest);
		a.n = 0;
		sa_str(&a, "schema_version");
		sa_str(&a, num);
		err = st_exec(st,
		              "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = "
		              "excluded.value",
		              &a, NULL, NULL);
	}
	return st_end(st, err);
}

/* The location for messages: a URL loses everything between "://" and "@". */
static char *describe_location(const char *location)
{
	const char *scheme = strstr(location, "://"), *at;
	char *out;
	if (!scheme || !(at = strchr(scheme + 3, '@')))
		return cicd__strdup(location);
	out = cicd__malloc(strlen(location) + 1);
	if (!out)
		return NULL;
	memcpy(out, location, (size_t)(scheme + 3 - location));
	strcpy(out + (scheme + 3 - location), at + 1);
	return out;
}

int cicd__store_open(cicd__store **out, const char *location, const cicd__store_limits *limits)
{
	cicd__store *st;
	int err;
	*out = NULL;
	if (!location || !*location)
		return cicd__error_set(CICD_EINVALID, "no store location given");
	st = cicd__calloc(1, sizeof *st);
	if (!st)
		return cicd__error_oom();
	st->limits = limits ? *limits : default_limits;
	if (!st->limits.busy_timeout_ms)
		st->limits.busy_timeout_ms = default_limits.busy_timeout_ms;
	if (!st->limits.max_version_bytes)
		st->limits.max_version_bytes = default_limits.max_version_bytes;
	if (!st->limits.max_version_objects)
		st->limits.max_version_objects = default_limits.max_version_objects;
	if (!(st->location = describe_location(location))) {
		cicd__free(st);
		return cicd__error_oom();
	}
	if (!strncmp(location, "postgresql://", 13) || !strncmp(location, "postgres://", 11))
		err = cicd__sqldb_open_pg(&st->db, location, st->limits.busy_timeout_ms);
	else
		err = cicd__sqldb_open_sqlite(&st->db, location, st->limits.busy_timeout_ms);
	if (!err)
		err = migrate(st);
	if (err < 0) {
		cicd__store_close(st);
		return err;
	}
	*out = st;
	return 0;
}

void cicd__store_close(cicd__store *st)
{
	if (!st)
		return;
	if (st->db)
		st->db->ops->close(st->db);
	cicd__free(st->location);
	cicd__free(st);
}

int cicd__store_schema_version(cicd__store *st, int *out)
{
	sargs a = {0};
	int64_t v;
	int err;
	sa_str(&a, "schema_version");
	if ((err = st_scalar(st, "SELECT value FROM meta WHERE key = ?", &a, 0, &v)) < 0)
		return err;
	*out = (int)v;
	return 0;
}

int cicd__store_setting_get(cicd__store *st, const char *key, char **out)
{
	cicd__sqlrows r;
	sargs a = {0};
	int err;
	*out = NULL;
	sa_str(&a, key);
	if ((err = st_exec(st, "SELECT value FROM meta WHERE key = ?", &a, &r, NULL)) < 0)
		return err;
	if (!r.rows)
		err = cicd__error_set(CICD_ENOTFOUND, "no setting '%s' in the store", key);
	else
		*out = cell_dup(&r, 0, 0, &err);
	cicd__sqlrows_free(&r);
	return err;
}

int cicd__store_setting_set(cicd__store *st, const char *key, const char *value)
{
	sargs a = {0};
	if (!strcmp(key, "schema_version"))
		return cicd__error_set(CICD_EINVALID, "the schema version is not a setting");
	sa_str(&a, key);
	sa_str(&a, value);
	return st_exec(
	    st, "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
	    &a, NULL, NULL);
}

/* ---- targets ---- */

void cicd__target_dispose(cicd__target *t)
{
	if (!t)
		return;
	cicd__free(t->name);
	cicd__free(t->kubeconfig);
	cicd__free(t->context);
	cicd__free(t->namespace_);
	memset(t, 0, sizeof *t);
}

void cicd__target_free_item(void *t)
{
	cicd__target_dispose(t);
	cicd__free(t);
}

static int valid_name(const char *what, const char *s)
{
	size_t i, n = s ? strlen(s) : 0;
	if (!n || n > 253)
		return cicd__error_set(CICD_EINVALID, "%s name must have 1 to 253 characters", what);
	for (i = 0; i < n; i++) {
		char c = s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
		      c == '_' || c == '.'))
			return cicd__error_set(CICD_EINVALID,
			                       "%s name '%s' has '%c' at %zu: use letters, digits, '-', '_' and '.'",
			                       what, s, c, i + 1);
	}
	return 0;
}

int cicd__store_target_add(cicd__store *st, const cicd__target *t)
{
	sargs a = {0};
	int err;
	if ((err = valid_name("target", t->name)) < 0)
		return err;
	if (!t->namespace_ || !*t->namespace_)
		return cicd__error_set(CICD_EINVALID, "target '%s' needs a namespace", t->name);
	sa_str(&a, t->name);
	sa_str(&a, t->kubeconfig);
	sa_str(&a, t->context);
	sa_int(&a, t->in_cluster);
	sa_str(&a, t->namespace_);
	sa_int(&a, t->created_at);
	err = st_exec(st,
	              "INSERT INTO targets (name, kubeconfig, context, in_cluster, namespace, created_at)"
	              " VALUES (?, ?, ?, ?, ?, ?)",
	              &a, NULL, NULL);
	if (err < 0 && st->db->ops->last_was_unique_violation(st->db))
		return cicd__error_set(CICD_EEXISTS, "target '%s' already exists", t->name);
	return err;
}

static const char target_cols[] = "SELECT name, kubeconfig, context, in_cluster, namespace, created_at FROM targets";

static int target_from_row(const cicd__sqlrows *r, size_t row, cicd__target *t)
{
	int err = 0;
	memset(t, 0, sizeof *t);
	t->name = cell_dup(r, row, 0, &err);
	t->kubeconfig = cell_dup(r, row, 1, &err);
	t->context = cell_dup(r, row, 2, &err);
	t->in_cluster = (int)cell_int(r, row, 3);
	t->namespace_ = cell_dup(r, row, 4, &err);
	t->created_at = cell_int(r, row, 5);
	if (err)
		cicd__target_dispose(t);
	return err;
}

int cicd__store_target_get(cicd__store *st, const char *name, cicd__target *out)
{
	char sql[256];
	cicd__sqlrows r;
	sargs a = {0};
	int err;
	memset(out, 0, sizeof *out);
	sa_str(&a, name);
	snprintf(sql, sizeof sql, "%s WHERE name = ?", target_cols);
	if ((err = st_exec(st, sql, &a, &r, NULL)) < 0)
		return err;
	err = r.rows ? target_from_row(&r, 0, out) : cicd__error_set(CICD_ENOTFOUND, "unknown target '%s'", name);
	cicd__sqlrows_free(&r);
	return err;
}

int cicd__store_target_list(cicd__store *st, cicd_vec *out)
{
	char sql[256];
	cicd__sqlrows r;
	size_t i;
	int err;
	snprintf(sql, sizeof sql, "%s ORDER BY name", target_cols);
	if ((err = st_exec(st, sql, NULL, &r, NULL)) < 0)
		return err;
	for (i = 0; i < r.rows && !err; i++) {
		cicd__target *t = cicd__calloc(1, sizeof *t);
		if (!t)
			err = cicd__error_oom();
		else if ((err = target_from_row(&r, i, t)) < 0 || (err = cicd__vec_push(out, t)) < 0)
			cicd__target_free_item(t);
	}
	cicd__sqlrows_free(&r);
	return err;
}

int cicd__store_target_remove(cicd__store *st, const char *name)
{
	sargs a = {0};
	int64_t n = 0;
	int err;
	sa_str(&a, name);
	if ((err = st_begin(st)) < 0)
		return err;
	err = st_scalar(st, "SELECT count(*) FROM jobs WHERE target = ?", &a, 0, &n);
	if (!err && n)
		err =
		    cicd__error_set(CICD_ECONFLICT, "target '%s' has %" PRId64 " deploy jobs in its history", name, n);
	if (!err)
		err = st_exec(st, "DELETE FROM targets WHERE name = ?", &a, NULL, &n);
	if (!err && !n)
		err = cicd__error_set(CICD_ENOTFOUND, "unknown target '%s'", name);
	if (!err)
		err = st_exec(st, "DELETE FROM leases WHERE target = ?", &a, NULL, NULL);
	return st_end(st, err);
}

/* ---- sets and versions ---- */

void cicd__version_dispose(cicd__version *v)
{
	if (!v)
		return;
	cicd__free(v->project);
	cicd__free(v->set);
	cicd__free(v->hash);
	cicd__free(v->who);
	cicd__free(v->commit);
	cicd__free(v->pipeline);
	memset(v, 0, sizeof *v);
}

void cicd__version_free_item(void *v)
{
	cicd__version_dispose(v);
	cicd__free(v);
}

void cicd__object_free_item(void *p)
{
	cicd__object *o = p;
	if (!o)
		return;
	cicd__free(o->hash);
	cicd__free(o->api_version);
	cicd__free(o->kind);
	cicd__free(o->namespace_);
	cicd__free(o->name);
	cicd__free(o->body);
	cicd__free(o);
}

int cicd__store_set_id(cicd__store *st, int64_t *id, const char *project, const char *set)
{
	sargs a = {0};
	int err;
	sa_str(&a, project);
	sa_str(&a, set);
	if ((err = st_scalar(st, "SELECT id FROM sets WHERE project = ? AND name = ?", &a, -1, id)) < 0)
		return err;
	if (*id < 0)
		return cicd__error_set(CICD_ENOTFOUND, "unknown resource set '%s/%s'", project, set);
	return 0;
}

static const char version_cols[] =
    "SELECT v.id, v.number, s.project, s.name, v.hash, v.who, v.commit_sha, v.pipeline, v.created_at,"
    " v.objects, v.bytes FROM versions v JOIN sets s ON s.id = v.set_id";

static int version_from_row(const cicd__sqlrows *r, size_t row, cicd__version *v)
{
	int err = 0;
	memset(v, 0, sizeof *v);
	v->id = cell_int(r, row, 0);
	v->number = cell_int(r, row, 1);
	v->project = cell_dup(r, row, 2, &err);
	v->set = cell_dup(r, row, 3, &err);
	v->hash = cell_dup(r, row, 4, &err);
	v->who = cell_dup(r, row, 5, &err);
	v->commit = cell_dup(r, row, 6, &err);
	v->pipeline = cell_dup(r, row, 7, &err);
	v->created_at = cell_int(r, row, 8);
	v->objects = cell_int(r, row, 9);
	v->bytes = cell_int(r, row, 10);
	if (err)
		cicd__version_dispose(v);
	return err;
}

static int version_query_one(cicd__store *st, cicd__version *out, const char *where, const sargs *a,
                             const char *missing_what)
{
	char sql[512];
	cicd__sqlrows r;
	int err;
	snprintf(sql, sizeof sql, "%s WHERE %s ORDER BY v.id", version_cols, where);
	if ((err = st_exec(st, sql, a, &r, NULL)) < 0)
		return err;
	if (!r.rows)
		err = cicd__error_set(CICD_ENOTFOUND, "unknown version %s", missing_what);
	else if (r.rows > 1)
		err =
		    cicd__error_set(CICD_EINVALID, "version %s is ambiguous: %zu versions match", missing_what, r.rows);
	else
		err = version_from_row(&r, 0, out);
	cicd__sqlrows_free(&r);
	return err;
}

int cicd__store_version_get_id(cicd__store *st, cicd__version *out, int64_t id)
{
	sargs a = {0};
	char what[40];
	sa_int(&a, id);
	snprintf(what, sizeof what, "id %" PRId64, id);
	return version_query_one(st, out, "v.id = ?", &a, what);
}

int cicd__store_version_get(cicd__store *st, cicd__version *out, const char *project, const char *set, const char *ref)
{
	char what[600], pattern[80];
	sargs a = {0};
	int64_t set_id;
	size_t i, n = ref ? strlen(ref) : 0;
	int numeric = n > 0 && n < 19, hex = n >= 7 && n <= 64, err;
	memset(out, 0, sizeof *out);
	if ((err = cicd__store_set_id(st, &set_id, project, set)) < 0)
		return err;
	for (i = 0; i < n; i++) {
		if (ref[i] < '0' || ref[i] > '9')
			numeric = 0;
		if (!((ref[i] >= '0' && ref[i] <= '9') || (ref[i] >= 'a' && ref[i] <= 'f')))
			hex = 0;
	}
	snprintf(what, sizeof what, "'%s' of '%s/%s'", ref ? ref : "", project, set);
	sa_int(&a, set_id);
	if (numeric) {
		sa_str(&a, ref);
		return version_query_one(st, out, "v.set_id = ? AND v.number = ?", &a, what);
	}
	if (!hex)
		return cicd__error_set(CICD_EINVALID,
		                       "version %s is neither a number nor a hash prefix of 7 to 64 hex digits", what);
	snprintf(pattern, sizeof pattern, "%s%%", ref);
	sa_str(&a, pattern);
	return version_query_one(st, out, "v.set_id = ? AND v.hash LIKE ?", &a, what);
}

int cicd__store_version_list(cicd__store *st, cicd_vec *out, const char *project, const char *set)
{
	char sql[512];
	cicd__sqlrows r;
	sargs a = {0};
	int64_t set_id;
	size_t i;
	int err;
	if ((err = cicd__store_set_id(st, &set_id, project, set)) < 0)
		return err;
	sa_int(&a, set_id);
	snprintf(sql, sizeof sql, "%s WHERE v.set_id = ? ORDER BY v.number DESC", version_cols);
	if ((err = st_exec(st, sql, &a, &r, NULL)) < 0)
		return err;
	for (i = 0; i < r.rows && !err; i++) {
		cicd__version *v = cicd__calloc(1, sizeof *v);
		if (!v)
			err = cicd__error_oom();
		else if ((err = version_from_row(&r, i, v)) < 0 || (err = cicd__vec_push(out, v)) < 0)
			cicd__version_free_item(v);
	}
	cicd__sqlrows_free(&r);
	return err;
}

int cicd__store_version_objects(cicd__store *st, cicd_vec *out, int64_t version_id)
{
	cicd__sqlrows r;
	sargs a = {0};
	size_t i;
	int err;
	sa_int(&a, version_id);
	err = st_exec(st,
	              "SELECT o.hash, vo.api_version, vo.kind, vo.namespace, vo.name, o.body, vo.wave"
	              " FROM version_objects vo JOIN objects o ON o.hash = vo.object_hash"
	              " WHERE vo.version_id = ? ORDER BY vo.idx",
	              &a, &r, NULL);
	if (err < 0)
		return err;
	for (i = 0; i < r.rows && !err; i++) {
		cicd__object *o = cicd__calloc(1, sizeof *o);
		if (!o) {
			err = cicd__error_oom();
			break;
		}
		o->hash = cell_dup(&r, i, 0, &err);
		o->api_version = cell_dup(&r, i, 1, &err);
		o->kind = cell_dup(&r, i, 2, &err);
		o->namespace_ = cell_dup(&r, i, 3, &err);
		o->name = cell_dup(&r, i, 4, &err);
		o->body = cell_dup(&r, i, 5, &err);
		o->wave = (int)cell_int(&r, i, 6);
		if (err || (err = cicd__vec_push(out, o)) < 0)
			cicd__object_free_item(o);
	}
	cicd__sqlrows_free(&r);
	return err;
}

static int ensure_set(cicd__store *st, int64_t *set_id, const char *project, const char *set, int64_t now)
{
	char sql[128];
	sargs a = {0};
	int err;
	sa_str(&a, project);
	sa_str(&a, set);
	sa_int(&a, now);
	err = st_exec(st,
	              "INSERT INTO sets (project, name, prune, created_at) VALUES (?, ?, 0, ?)"
	              " ON CONFLICT (project, name) DO NOTHING",
	              &a, NULL, NULL);
	if (err < 0)
		return err;
	a.n = 2;
	/* Locks the set so that concurrent pushes number their versions one after another. */
	return st_scalar(st, st_locked(st, sql, sizeof sql, "SELECT id FROM sets WHERE project = ? AND name = ?"), &a,
	                 -1, set_id);
}

static int insert_objects(cicd__store *st, int64_t version_id, const cicd__object_in *objects, size_t count)
{
	size_t i;
	int err = 0;
	for (i = 0; i < count && !err; i++) {
		sargs a = {0};
		sa_str(&a, objects[i].hash);
		sa_bytes(&a, objects[i].body, objects[i].body_len);
		err = st_exec(st, "INSERT INTO objects (hash, body) VALUES (?, ?) ON CONFLICT (hash) DO NOTHING", &a,
		              NULL, NULL);
		if (err < 0)
			break;
		a.n = 0;
		sa_int(&a, version_id);
		sa_int(&a, (int64_t)i);
		sa_str(&a, objects[i].hash);
		sa_str(&a, objects[i].api_version);
		sa_str(&a, objects[i].kind);
		sa_str(&a, objects[i].namespace_ ? objects[i].namespace_ : "");
		sa_str(&a, objects[i].name);
		sa_int(&a, objects[i].wave);
		err = st_exec(st,
		              "INSERT INTO version_objects (version_id, idx, object_hash, api_version, kind,"
		              " namespace, name, wave) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
		              &a, NULL, NULL);
	}
	return err;
}

int cicd__store_version_push(cicd__store *st, cicd__version *out, int *existed, const char *project, const char *set,
                             const char *set_hash, const cicd__object_in *objects, size_t count,
                             const cicd__push_meta *meta)
{
	size_t i, bytes = 0;
	int64_t set_id = -1, existing = -1, number = 0, vid = -1;
	sargs a = {0};
	int err;
	memset(out, 0, sizeof *out);
	*existed = 0;
	if ((err = valid_name("project", project)) < 0 || (err = valid_name("resource set", set)) < 0)
		return err;
	if (!count)
		return cicd__error_set(CICD_EINVALID, "a version of '%s/%s' needs at least one object", project, set);
	if (count > st->limits.max_version_objects)
		return cicd__error_set(CICD_ELIMIT, "version of '%s/%s' has %zu objects, more than the limit of %zu",
		                       project, set, count, st->limits.max_version_objects);
	for (i = 0; i < count; i++)
		bytes += objects[i].body_len;
	if (bytes > st->limits.max_version_bytes)
		return cicd__error_set(CICD_ELIMIT,
		                       "version of '%s/%s' has %zu bytes of objects, more than the limit of %zu",
		                       project, set, bytes, st->limits.max_version_bytes);
	if ((err = st_begin(st)) < 0)
		return err;
	err = ensure_set(st, &set_id, project, set, meta->now);
	if (!err) {
		sa_int(&a, set_id);
		sa_str(&a, set_hash);
		err = st_scalar(st, "SELECT id FROM versions WHERE set_id = ? AND hash = ?", &a, -1, &existing);
	}
	if (!err && existing < 0) {
		a.n = 1;
		err = st_scalar(st, "SELECT COALESCE(MAX(number), 0) FROM versions WHERE set_id = ?", &a, 0, &number);
		a.n = 0;
		sa_int(&a, set_id);
		sa_int(&a, number + 1);
		sa_str(&a, set_hash);
		sa_str(&a, meta->who ? meta->who : "");
		sa_str(&a, meta->commit);
		sa_str(&a, meta->pipeline);
		sa_int(&a, meta->now);
		sa_int(&a, (int64_t)count);
		sa_int(&a, (int64_t)bytes);
		if (!err)
			err = st_scalar(st,
			                "INSERT INTO versions (set_id, number, hash, who, commit_sha, pipeline,"
			                " created_at, objects, bytes) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
			                &a, -1, &vid);
		if (!err)
			err = insert_objects(st, vid, objects, count);
	} else if (!err) {
		vid = existing;
		*existed = 1;
	}
	if ((err = st_end(st, err)) < 0)
		return err;
	return cicd__store_version_get_id(st, out, vid);
}

int cicd__store_set_prune(cicd__store *st, const char *project, const char *set, int prune)
{
	sargs a = {0};
	int64_t id;
	int err;
	if ((err = cicd__store_set_id(st, &id, project, set)) < 0)
		return err;
	sa_int(&a, prune ? 1 : 0);
	sa_int(&a, id);
	return st_exec(st, "UPDATE sets SET prune = ? WHERE id = ?", &a, NULL, NULL);
}

int cicd__store_set_get_prune(cicd__store *st, const char *project, const char *set, int *prune)
{
	sargs a = {0};
	int64_t v;
	int err;
	sa_str(&a, project);
	sa_str(&a, set);
	if ((err = st_scalar(st, "SELECT prune FROM sets WHERE project = ? AND name = ?", &a, -1, &v)) < 0)
		return err;
	if (v < 0)
		return cicd__error_set(CICD_ENOTFOUND, "unknown resource set '%s/%s'", project, set);
	*prune = (int)v;
	return 0;
}

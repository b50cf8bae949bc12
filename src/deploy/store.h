/*
 * Internal: the deploy store — projects, resource sets, immutable versions,
 * targets, deploy jobs and their state machine, per-target leases with
 * epochs, the step journal, the log, the per-target inventory.
 *
 * Every function returns 0 or a negative CICD_E* code with the last error
 * set. Times are milliseconds since the Unix epoch and are passed in by the
 * caller (so leases and tests do not depend on the wall clock).
 *
 * Fencing: a write on behalf of a running job passes the epoch of the lease
 * its worker holds on the job's target; the store refuses it with
 * CICD_ECONFLICT when the lease has since been taken over (a newer epoch).
 */
#ifndef CICD_DEPLOY_STORE_H
#define CICD_DEPLOY_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "core/vec.h"
#include "sqldb.h"

#define CICD__STORE_SCHEMA_VERSION 1

typedef enum {
	CICD__JOB_QUEUED = 0,
	CICD__JOB_RUNNING,
	CICD__JOB_CANCELING,
	CICD__JOB_SUCCEEDED,
	CICD__JOB_FAILED,
	CICD__JOB_CANCELED,
	CICD__JOB_TIMED_OUT,
	CICD__JOB_STATE_COUNT
} cicd__job_state;

const char *cicd__job_state_name(int state);
/* -1 when unknown. */
int cicd__job_state_parse(const char *name);
int cicd__job_state_terminal(int state);
/* 1 when from -> to is an edge of the state machine. */
int cicd__job_transition_allowed(int from, int to);

typedef struct {
	unsigned int busy_timeout_ms; /* wait this long for a locked store; default 5000 */
	size_t max_version_bytes;     /* sum of object bodies in one version; default 16 MiB */
	size_t max_version_objects;   /* objects in one version; default 5000 */
} cicd__store_limits;

typedef struct cicd__store {
	cicd__sqldb *db;
	cicd__store_limits limits;
	char *location; /* for messages; a URL has its password removed */
} cicd__store;

/* Opens (creating or migrating) a store: a file path for SQLite or a postgresql:// URL. */
int cicd__store_open(cicd__store **out, const char *location, const cicd__store_limits *limits);
void cicd__store_close(cicd__store *st);
/* The schema version recorded in the store. */
int cicd__store_schema_version(cicd__store *st, int *out);

/* ---- targets ---- */
typedef struct {
	char *name, *kubeconfig, *context, *namespace_;
	int in_cluster;
	int64_t created_at;
} cicd__target;
void cicd__target_dispose(cicd__target *t);
/* CICD_EEXISTS when the name is taken. */
int cicd__store_target_add(cicd__store *st, const cicd__target *t);
int cicd__store_target_get(cicd__store *st, const char *name, cicd__target *out);
/* Items are cicd__target *, ordered by name; free with cicd__target_free_item. */
int cicd__store_target_list(cicd__store *st, cicd_vec *out);
void cicd__target_free_item(void *t);
int cicd__store_target_remove(cicd__store *st, const char *name);

/* ---- resource sets and versions ---- */
typedef struct {
	const char *hash; /* sha256 hex of body */
	const char *api_version, *kind, *namespace_, *name;
	const char *body; /* canonical JSON of the object */
	size_t body_len;
	int wave; /* apply wave (manifest order) */
} cicd__object_in;

typedef struct {
	const char *who, *commit, *pipeline;
	int64_t now;
} cicd__push_meta;

typedef struct {
	int64_t id;     /* store-wide id */
	int64_t number; /* 1, 2, ... within its set */
	char *project, *set, *hash, *who, *commit, *pipeline;
	int64_t created_at, objects, bytes;
} cicd__version;
void cicd__version_dispose(cicd__version *v);
void cicd__version_free_item(void *v);

typedef struct {
	char *hash, *api_version, *kind, *namespace_, *name, *body;
	int wave;
} cicd__object;
void cicd__object_free_item(void *o);

/*
 * Stores a version of project/set (both created on first push). Objects are
 * in apply order; their bodies are stored once by hash. When the set already
 * has a version with `set_hash`, nothing is written, *existed is 1 and `out`
 * describes that version. CICD_ELIMIT beyond the size or count limits.
 */
int cicd__store_version_push(cicd__store *st, cicd__version *out, int *existed, const char *project, const char *set,
                             const char *set_hash, const cicd__object_in *objects, size_t count,
                             const cicd__push_meta *meta);
/* `ref` is a version number ("3"), a hash or a hash prefix of at least 7 characters. */
int cicd__store_version_get(cicd__store *st, cicd__version *out, const char *project, const char *set, const char *ref);
int cicd__store_version_get_id(cicd__store *st, cicd__version *out, int64_t id);
/* Newest first. */
int cicd__store_version_list(cicd__store *st, cicd_vec *out, const char *project, const char *set);
/* cicd__object * in apply order. */
int cicd__store_version_objects(cicd__store *st, cicd_vec *out, int64_t version_id);
int cicd__store_set_prune(cicd__store *st, const char *project, const char *set, int prune);
int cicd__store_set_get_prune(cicd__store *st, const char *project, const char *set, int *prune);

/* ---- jobs ---- */
typedef struct {
	int64_t id, version_id, epoch;
	char *target, *who, *reason, *message, *project, *set;
	int64_t version_number;
	int state, prune;
	int64_t created_at, started_at, finished_at, timeout_ms;
} cicd__job;
void cicd__job_dispose(cicd__job *j);
void cicd__job_free_item(void *j);

int cicd__store_job_create(cicd__store *st, int64_t *id, int64_t version_id, const char *target, const char *who,
                           int prune, int64_t timeout_ms, int64_t now);
int cicd__store_job_get(cicd__store *st, cicd__job *out, int64_t id);
/* Newest first; target may be NULL for all. */
int cicd__store_job_list(cicd__store *st, cicd_vec *out, const char *target, size_t limit);
/* The oldest queued job of a target (or of any target when NULL); CICD_ENOTFOUND when none. */
int cicd__store_job_next_queued(cicd__store *st, int64_t *id, const char *target);
/* The oldest queued job of each target (int64_t * items), oldest first. */
int cicd__store_job_queued_heads(cicd__store *st, cicd_vec *ids_out);
/* The number of jobs queued, running or canceling (on one target, or all when NULL). */
int cicd__store_job_active_count(cicd__store *st, int64_t *count, const char *target);
/* Jobs running or canceling whose target lease has expired at `now`. */
int cicd__store_job_orphans(cicd__store *st, cicd_vec *ids_out, int64_t now);

/*
 * Compare-and-set of a job's state: from -> to, with reason and message,
 * timestamped `now`. `epoch` is the caller's lease epoch on the job's target;
 * 0 skips fencing (only for queued -> * and running -> canceling, which
 * people do, not workers). CICD_ECONFLICT when the job is not in `from`, the
 * edge is not allowed, or the epoch is stale. queued -> running also records
 * the epoch on the job.
 */
int cicd__store_job_transition(cicd__store *st, int64_t id, int from, int to, const char *reason, const char *message,
                               int64_t epoch, int64_t now);
/* A worker that took over an expired lease records its epoch on a running job. */
int cicd__store_job_adopt(cicd__store *st, int64_t id, int64_t epoch, int64_t now);

typedef struct {
	int64_t seq, at;
	int from, to;
	char *reason, *message;
} cicd__transition;
void cicd__transition_free_item(void *t);
int cicd__store_job_transitions(cicd__store *st, cicd_vec *out, int64_t id);

/* ---- leases ---- */
/*
 * Takes the lease on a target for `owner` until now + ttl_ms. A free or
 * expired lease is taken with epoch + 1; the owner's own live lease is
 * renewed with its epoch. CICD_ECONFLICT when another owner holds it.
 */
int cicd__store_lease_acquire(cicd__store *st, int64_t *epoch, const char *target, const char *owner, int64_t ttl_ms,
                              int64_t now);
/* Extends the lease; CICD_ECONFLICT when the epoch is stale or it expired and was taken. */
int cicd__store_lease_renew(cicd__store *st, const char *target, int64_t epoch, int64_t ttl_ms, int64_t now);
/* Releases (expires) the lease if still held at `epoch`; a stale release is refused. */
int cicd__store_lease_release(cicd__store *st, const char *target, int64_t epoch);

typedef struct {
	char *owner;
	int64_t epoch, expires_at;
} cicd__lease;
int cicd__store_lease_get(cicd__store *st, cicd__lease *out, const char *target);
void cicd__lease_dispose(cicd__lease *l);

/* ---- step journal ---- */
typedef enum { CICD__STEP_BEGIN = 0, CICD__STEP_DONE = 1 } cicd__step_phase;
int cicd__store_journal(cicd__store *st, int64_t job, int64_t epoch, int step, const char *name, int phase,
                        const char *detail, int64_t now);
/* The number of the first step without a DONE entry (0 when none is done). */
int cicd__store_journal_first_open(cicd__store *st, int *step, int64_t job);

/* ---- change set ---- */
typedef struct {
	int idx, wave;
	char *action; /* create, update, delete, unchanged */
	char *api_version, *kind, *namespace_, *name, *diff;
} cicd__change;
void cicd__change_free_item(void *c);
/* Records the change set once (a second call for the same job with the same epoch replaces it). */
int cicd__store_changes_put(cicd__store *st, int64_t job, int64_t epoch, cicd__change *const *changes, size_t count);
int cicd__store_changes_get(cicd__store *st, cicd_vec *out, int64_t job);

/* ---- log ---- */
typedef struct {
	int64_t seq, at;
	int level;           /* cicd_log_level */
	const char *message; /* secrets already masked */
	const char *fields;  /* JSON object text or NULL */
} cicd__logline_in;

typedef struct {
	int64_t seq, at;
	int level;
	char *message, *fields;
} cicd__logline;
void cicd__logline_free_item(void *l);

/*
 * Appends lines in one transaction; sequence numbers are assigned after the
 * job's last line (the `seq` of the inputs is ignored). *last_seq gets the
 * number of the last line. Fenced by epoch (0 = not fenced, for the worker
 * that has not started the job).
 */
int cicd__store_log_append(cicd__store *st, int64_t *last_seq, int64_t job, int64_t epoch,
                           const cicd__logline_in *lines, size_t count);
/* Lines with seq > after, at most max (0 = all), in order. */
int cicd__store_log_read(cicd__store *st, cicd_vec *out, int64_t job, int64_t after, size_t max);

/* ---- inventory ---- */
typedef struct {
	char *api_version, *kind, *namespace_, *name;
	int64_t version_id;
} cicd__inventory_item;
void cicd__inventory_free_item(void *i);
/*
 * Records that `obj` of project/set was applied on the target by the job's
 * version. ns "" (a cluster-scoped object) also drops the object's rows that
 * carry a namespace, as earlier versions wrote them; removing with ns ""
 * removes those too.
 */
int cicd__store_inventory_add(cicd__store *st, int64_t job, int64_t epoch, const char *target, const char *project,
                              const char *set, const char *api_version, const char *kind, const char *ns,
                              const char *name, int64_t version_id);
int cicd__store_inventory_remove(cicd__store *st, int64_t job, int64_t epoch, const char *target, const char *project,
                                 const char *set, const char *kind, const char *ns, const char *name);
int cicd__store_inventory_list(cicd__store *st, cicd_vec *out, const char *target, const char *project,
                               const char *set);

/* ---- settings and retention ---- */
int cicd__store_setting_get(cicd__store *st, const char *key, char **out);
int cicd__store_setting_set(cicd__store *st, const char *key, const char *value);
/* Deletes finished jobs beyond the newest `keep` per target (0 keeps all); *removed gets the count. */
int cicd__store_history_prune(cicd__store *st, size_t keep, int64_t *removed);

#endif

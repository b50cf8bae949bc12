/*
 * libcicd — deploys: resource sets, immutable versions, deploy jobs.
 *
 * A project has resource sets; CI pushes a set's manifests as a version:
 * immutable, addressed by the manifest module's set hash, objects stored
 * once and shared between versions; pushing identical content returns the
 * existing version. A target is a cluster (kubeconfig and context, or
 * in-cluster) and a namespace. A deploy job is version x target x who, with
 * states queued -> running -> succeeded | failed | canceled | timed_out
 * (canceling between running and canceled), a specific reason when it does
 * not succeed (rollout_failed, apply_conflict, invalid_manifest,
 * cluster_unreachable, worker_lost, timed_out, canceled), a change set, and
 * a log of sequence-numbered lines.
 *
 * One job at a time per target: a lease in the store (owner, epoch,
 * expiry) that a worker renews while it runs; a worker that dies leaves a
 * lease that expires, and the next worker resumes the job from its first
 * unconfirmed step (or ends it failed/worker_lost). Every write of a job
 * carries its lease epoch, so a late worker cannot write over its successor.
 *
 * The store is SQLite (a file path) or PostgreSQL (a postgresql:// URL).
 * Listings and details come back as JSON text (docs/deploy.md describes the
 * fields), which the CLI and the bindings print or parse.
 *
 * Errors: CICD_ENOTFOUND names the unknown project/set, version, target or
 * job; CICD_EVALIDATE / CICD_EPARSE for a manifest (file:line:col set, and
 * nothing stored); CICD_ELIMIT for a version over the size or count limits;
 * CICD_ESTORE for a store that is locked, full, corrupt or from a newer
 * schema; CICD_ECONFLICT for a busy target when queueing was refused, or a
 * job that is already finished; CICD_EEXISTS for a target name in use.
 *
 * Threads: a store handle is used by one thread at a time, except for
 * cicd_deploy_store_interrupt() and _interrupt_clear(), which any thread may
 * call while another blocks in a call on the store.
 */
#ifndef INCLUDE_cicd_deploy_h__
#define INCLUDE_cicd_deploy_h__

#include "buffer.h"
#include "common.h"

CICD_BEGIN_DECL

typedef struct cicd_deploy_store cicd_deploy_store;

/* ---- store ---- */

typedef struct cicd_deploy_store_options {
	unsigned int version;
	unsigned int busy_timeout_ms; /* wait for a locked store; 0: 5000 */
	size_t max_version_bytes;     /* objects of one version; 0: 16 MiB */
	size_t max_version_objects;   /* 0: 5000 */
} cicd_deploy_store_options;

#define CICD_DEPLOY_STORE_OPTIONS_VERSION 1
#define CICD_DEPLOY_STORE_OPTIONS_INIT                                                                                 \
	{                                                                                                              \
		CICD_DEPLOY_STORE_OPTIONS_VERSION, 0, 0, 0                                                             \
	}

CICD_EXTERN(int) cicd_deploy_store_options_init(cicd_deploy_store_options *opts, unsigned int version);

/*
 * The default store: $CICD_STORE, else $XDG_DATA_HOME/cicd/store.db, else
 * $HOME/.local/share/cicd/store.db. Appended to *out.
 */
CICD_EXTERN(int) cicd_deploy_store_default_location(cicd_buf *out);

/*
 * Opens a store, creating or migrating its schema: a file path (SQLite; the
 * parent folder is created) or a postgresql:// URL. NULL: the default
 * location. A store from a newer schema is refused unchanged (CICD_ESTORE).
 */
CICD_EXTERN(int)
cicd_deploy_store_open(cicd_deploy_store **out, const char *location, const cicd_deploy_store_options *opts);
CICD_EXTERN(void) cicd_deploy_store_free(cicd_deploy_store *store);

/*
 * Thread-safe: the blocking call running on store in another thread (a run
 * or rollback with wait, a log follow, a worker, a diff against live)
 * returns CICD_ECANCELED as soon as it can: within about 100 ms of the
 * cluster request under way. A job that call was running ends canceled
 * ("interrupted <where>; N created, ... before it", like a person's cancel),
 * and a job that call created and was still queued for its turn is
 * canceled; a worker's job likewise. Every later blocking call fails the
 * same way until cicd_deploy_store_interrupt_clear(). These two are the only
 * calls that may overlap another thread's use of the store; it must outlive
 * them. For bindings that map a context or Ctrl-C onto a blocking call.
 */
CICD_EXTERN(void) cicd_deploy_store_interrupt(cicd_deploy_store *store);
/* Makes the store's blocking calls usable again after cicd_deploy_store_interrupt(). */
CICD_EXTERN(void) cicd_deploy_store_interrupt_clear(cicd_deploy_store *store);

/* A setting of the store: "history_keep" (finished jobs kept per target; "0" keeps all, the default). */
CICD_EXTERN(int) cicd_deploy_setting_set(cicd_deploy_store *store, const char *key, const char *value);

/* Deletes finished jobs beyond the newest `keep` per target; *removed (may be NULL) gets the count. */
CICD_EXTERN(int) cicd_deploy_history_prune(long long *removed, cicd_deploy_store *store, size_t keep);

/* ---- targets ---- */

typedef struct cicd_deploy_target_options {
	unsigned int version;
	const char *kubeconfig;     /* NULL: $KUBECONFIG or ~/.kube/config at deploy time */
	const char *context;        /* NULL: the kubeconfig's current context */
	int in_cluster;             /* use the Pod's service account */
	const char *namespace_name; /* required */
} cicd_deploy_target_options;

#define CICD_DEPLOY_TARGET_OPTIONS_VERSION 1
#define CICD_DEPLOY_TARGET_OPTIONS_INIT                                                                                \
	{                                                                                                              \
		CICD_DEPLOY_TARGET_OPTIONS_VERSION, NULL, NULL, 0, NULL                                                \
	}

CICD_EXTERN(int) cicd_deploy_target_options_init(cicd_deploy_target_options *opts, unsigned int version);

CICD_EXTERN(int)
cicd_deploy_target_add(cicd_deploy_store *store, const char *name, const cicd_deploy_target_options *opts);
/* Refused (CICD_ECONFLICT) while the target has jobs in its history. */
CICD_EXTERN(int) cicd_deploy_target_remove(cicd_deploy_store *store, const char *name);
/* [{"name","kubeconfig","context","in_cluster","namespace","created_at"}...] appended to *out. */
CICD_EXTERN(int) cicd_deploy_targets_json(cicd_buf *out, cicd_deploy_store *store);

/* ---- versions ---- */

typedef struct cicd_deploy_push_options {
	unsigned int version;
	const char *who;      /* NULL: "" */
	const char *commit;   /* source commit, may be NULL */
	const char *pipeline; /* CI pipeline id, may be NULL */
	int recursive;        /* walk directories recursively */
} cicd_deploy_push_options;

#define CICD_DEPLOY_PUSH_OPTIONS_VERSION 1
#define CICD_DEPLOY_PUSH_OPTIONS_INIT                                                                                  \
	{                                                                                                              \
		CICD_DEPLOY_PUSH_OPTIONS_VERSION, NULL, NULL, NULL, 0                                                  \
	}

CICD_EXTERN(int) cicd_deploy_push_options_init(cicd_deploy_push_options *opts, unsigned int version);

/*
 * Pushes the manifests of files and directories (or of a buffer) as a
 * version of "PROJECT/SET". The objects are validated (CICD_EVALIDATE with
 * file:line:col, nothing stored), labelled with the set's owner labels,
 * ordered for apply (waves from the deploy.cicd.dev/wave annotation, then
 * the manifest module's apply order), and stored. *out gets the version as
 * JSON {"project","set","number","hash","objects","bytes","who","commit",
 * "pipeline","created_at","existed"}; existed is true when identical content
 * was pushed before (nothing new is stored).
 */
CICD_EXTERN(int)
cicd_deploy_push_paths(cicd_buf *out, cicd_deploy_store *store, const char *project_set, const char *const *paths,
                       size_t count, const cicd_deploy_push_options *opts);
CICD_EXTERN(int)
cicd_deploy_push_buffer(cicd_buf *out, cicd_deploy_store *store, const char *project_set, const char *data, size_t len,
                        const char *name, const cicd_deploy_push_options *opts);

/* The versions of "PROJECT/SET", newest first, as a JSON array of version objects. */
CICD_EXTERN(int) cicd_deploy_versions_json(cicd_buf *out, cicd_deploy_store *store, const char *project_set);

/* Turns on or off pruning for a resource set (off by default). */
CICD_EXTERN(int) cicd_deploy_set_prune(cicd_deploy_store *store, const char *project_set, int prune);

typedef enum {
	CICD_DEPLOY_DIFF_TEXT = 1, /* one object a line, changed fields below it */
	CICD_DEPLOY_DIFF_JSON = 2
} cicd_deploy_diff_format;

/*
 * The difference from version "P/S@A" to "P/S@B" (a version is a number or
 * a hash prefix of at least 7 hex digits), Secret values hidden.
 */
CICD_EXTERN(int)
cicd_deploy_diff_versions(cicd_buf *out, cicd_deploy_store *store, const char *from_ref, const char *to_ref,
                          cicd_deploy_diff_format format);

/*
 * What deploying "P/S@V" to a target would change, through a server-side
 * dry-run apply: JSON [{"action","kind","namespace","name","diff"}...]
 * with actions create, update, unchanged, delete (prune candidates when
 * the set prunes).
 */
CICD_EXTERN(int) cicd_deploy_diff_live(cicd_buf *out, cicd_deploy_store *store, const char *ref, const char *target);

/* ---- jobs ---- */

/* Receives each log line of a running job as it is written (before it is committed). */
typedef void (*cicd_deploy_progress_cb)(int level, const char *message, const char *fields_json, void *payload);

typedef struct cicd_deploy_run_options {
	unsigned int version;
	const char *who;   /* who started the job; NULL: "" */
	int prune;         /* prune even if the set does not (the set's setting also turns it on) */
	long timeout_ms;   /* the job's deadline from its start; 0: 300000 */
	int wait;          /* run the job in this call (after older jobs of the target) */
	int no_queue;      /* refuse with CICD_ECONFLICT when the target is busy */
	long lease_ttl_ms; /* 0: 15000 */
	const char *owner; /* this process in leases; NULL: "HOST:PID" */
	cicd_deploy_progress_cb progress;
	void *payload;
} cicd_deploy_run_options;

#define CICD_DEPLOY_RUN_OPTIONS_VERSION 1
#define CICD_DEPLOY_RUN_OPTIONS_INIT                                                                                   \
	{                                                                                                              \
		CICD_DEPLOY_RUN_OPTIONS_VERSION, NULL, 0, 0, 0, 0, 0, NULL, NULL, NULL                                 \
	}

CICD_EXTERN(int) cicd_deploy_run_options_init(cicd_deploy_run_options *opts, unsigned int version);

/*
 * Creates a deploy job of "P/S@V" to a target. Without opts->wait the job
 * is queued for a worker; with it the job runs here and this returns when
 * it has ended. *job_id gets the job's id. The job's own failure is not an
 * error: read its state with cicd_deploy_job_json().
 */
CICD_EXTERN(int)
cicd_deploy_run(long long *job_id, cicd_deploy_store *store, const char *ref, const char *target,
                const cicd_deploy_run_options *opts);

/*
 * Rolls "P/S" on a target back by rolling forward: a new job of `to_version`
 * (NULL: the last version that succeeded on the target before the current
 * one), with the same diff and prune as any deploy.
 */
CICD_EXTERN(int)
cicd_deploy_rollback(long long *job_id, cicd_deploy_store *store, const char *project_set, const char *target,
                     const char *to_version, const cicd_deploy_run_options *opts);

/*
 * Cancels a job: a queued one at once, a running one between its steps
 * (canceling, then canceled with what was applied). CICD_ECONFLICT when it
 * has finished.
 */
CICD_EXTERN(int) cicd_deploy_cancel(cicd_deploy_store *store, long long job_id, const char *who);

/* Jobs, newest first (target NULL: all; limit 0: all), as JSON. */
CICD_EXTERN(int) cicd_deploy_jobs_json(cicd_buf *out, cicd_deploy_store *store, const char *target, size_t limit);

/* One job with its transitions and change set, as JSON. */
CICD_EXTERN(int) cicd_deploy_job_json(cicd_buf *out, cicd_deploy_store *store, long long job_id);

/* The state of a job: "queued", "running", ..., static storage, into *state. */
CICD_EXTERN(int) cicd_deploy_job_state(const char **state, cicd_deploy_store *store, long long job_id);

/* ---- logs ---- */

/* One log line; strings are borrowed for the call. Non-zero stops the reading and is returned. */
typedef int (*cicd_deploy_log_cb)(long long seq, long long at_ms, int level, const char *message,
                                  const char *fields_json, void *payload);

/*
 * Calls cb for each committed line of a job after sequence number `after`
 * (0: from the start). *last_seq (may be NULL) gets the last number read
 * (or `after` when none), the point to resume from.
 */
CICD_EXTERN(int)
cicd_deploy_log_read(long long *last_seq, cicd_deploy_store *store, long long job_id, long long after,
                     cicd_deploy_log_cb cb, void *payload);

/* Like _read, then keeps polling every poll_ms (0: 500) until the job has ended and every line was read. */
CICD_EXTERN(int)
cicd_deploy_log_follow(long long *last_seq, cicd_deploy_store *store, long long job_id, long long after, long poll_ms,
                       cicd_deploy_log_cb cb, void *payload);

/* ---- worker ---- */

typedef struct cicd_deploy_worker_options {
	unsigned int version;
	const char *owner; /* NULL: "HOST:PID" */
	long lease_ttl_ms; /* 0: 15000 */
	long poll_ms;      /* 0: 1000 */
	int until_idle;    /* return when no job is queued or running */
	long max_jobs;     /* return after this many jobs; 0: no limit */
	cicd_deploy_progress_cb progress;
	void *payload;
} cicd_deploy_worker_options;

#define CICD_DEPLOY_WORKER_OPTIONS_VERSION 1
#define CICD_DEPLOY_WORKER_OPTIONS_INIT                                                                                \
	{                                                                                                              \
		CICD_DEPLOY_WORKER_OPTIONS_VERSION, NULL, 0, 0, 0, 0, NULL, NULL                                       \
	}

CICD_EXTERN(int) cicd_deploy_worker_options_init(cicd_deploy_worker_options *opts, unsigned int version);

/*
 * Runs jobs: first those whose worker was lost (lease expired), then the
 * oldest queued job of each free target. Returns when idle (until_idle),
 * after max_jobs, or on a store error; otherwise it runs forever.
 */
CICD_EXTERN(int) cicd_deploy_worker_run(cicd_deploy_store *store, const cicd_deploy_worker_options *opts);

CICD_END_DECL

#endif

/*
 * Internal: the deploy job engine. It runs one job under a lease on the
 * job's target, as a list of steps journaled before and after each:
 *
 *   0          plan: the change set (create/update/delete/unchanged per
 *              object, in apply order) and diffs against live, recorded
 *   1 + 2w     apply wave w (server-side apply, inventory updated per object)
 *   2 + 2w     wait for wave w to be ready (fail fast on doomed rollouts)
 *   1 + 2W     prune (when on): delete what the previous version had and
 *              this one has not, if it carries the set's owner labels
 *
 * A job taken over after its worker died restarts at its first step without
 * a DONE entry (apply is idempotent, waits re-read live state), or ends
 * failed/worker_lost after too many takeovers.
 */
#ifndef CICD_DEPLOY_ENGINE_H
#define CICD_DEPLOY_ENGINE_H

#include "cluster.h"
#include "joblog.h"
#include "store.h"

/* Labels that mark an object as owned by a resource set (set at push). */
#define CICD__LABEL_PROJECT "deploy.cicd.dev/project"
#define CICD__LABEL_SET     "deploy.cicd.dev/set"
/* The annotation that puts an object in a later wave (default 0). */
#define CICD__ANNOTATION_WAVE "deploy.cicd.dev/wave"

typedef struct {
	const char *owner;                           /* the worker's identity in leases */
	int64_t lease_ttl_ms;                        /* default 15000; renewed between steps and while waiting */
	int max_resumes;                             /* takeovers before worker_lost; default 3 */
	int64_t (*clock)(void *payload);             /* ms since the epoch; default the wall clock */
	void (*sleep_ms)(int64_t ms, void *payload); /* pauses between retries; default nanosleep */
	void *clock_payload;                         /* for clock and sleep_ms */
	cicd__deploy_progress progress;
	void *payload;
	/*
	 * Tests: called at named points ("step-begin", "step-done", "applied",
	 * ...); non-zero makes the engine return CICD_EUSER at once, writing
	 * nothing more, as if the process had died there.
	 */
	int (*crash_hook)(const char *point, void *payload);
	void *hook_payload;
	/*
	 * Non-zero once the caller was interrupted (may be NULL: never): the job
	 * ends canceled at the next checkpoint, slice of a pause, or cluster
	 * operation that failed with CICD_ECANCELED, and the run returns
	 * CICD_ECANCELED saying so.
	 */
	int (*interrupted)(void *payload);
	void *interrupt_payload;
} cicd__exec_options;

/*
 * Runs (or resumes) a job to its end. *final_state gets the job's state
 * afterwards. CICD_ECONFLICT when the target is leased by another live
 * worker (the job stays queued) or the lease was lost midway (the successor
 * owns the job). Failures of the deploy itself are not errors: the job ends
 * failed/timed_out with its reason and 0 is returned. CICD_ECANCELED when
 * opts->interrupted ended the job canceled ("deploy job N ended canceled:
 * interrupted <where>; ...").
 */
int cicd__deploy_execute(int *final_state, cicd__store *st, cicd__cluster *cluster, int64_t job,
                         const cicd__exec_options *opts);

/* Wall-clock milliseconds since the Unix epoch. */
int64_t cicd__now_ms(void);

/*
 * The scope of apiVersion+kind on the cluster: 1 with *namespaced set when
 * the cluster knows the kind; 0 with *namespaced = 1 when it does not (yet:
 * a custom kind before its CRD exists counts as namespaced); a negative code
 * when the cluster could not say (unreachable, ...), *namespaced = 1 then.
 */
int cicd__kind_scope(int *namespaced, cicd__cluster *cl, const char *api_version, const char *kind);
/* The namespace of an object: "" when not namespaced, else own (when set) or target_ns. Borrowed. */
const char *cicd__namespace_in(int namespaced, const char *own, const char *target_ns);
/* cicd__kind_scope for an object, *out its namespace by cicd__namespace_in (set even on error). */
int cicd__object_namespace(const char **out, cicd__cluster *cl, const cicd__object *o, const char *target_ns);

/* Object display name: "Deployment demo/web" or "Namespace demo". Caller frees. */
char *cicd__object_label(const char *kind, const char *ns, const char *name);

/*
 * The change set of a version on a target: one change per object in apply
 * order (create / update / unchanged, diff against live through a dry-run
 * apply, Secret values masked), then the objects of the set's inventory on
 * the target that the version lacks (delete) when prune is on. keepalive (may
 * be NULL) is called before each object; its error stops the plan.
 */
int cicd__deploy_plan(cicd_vec *changes, cicd__store *st, cicd__cluster *cluster, const cicd__job *job,
                      const char *target_ns, const cicd_vec *objects, cicd__joblog *log, int (*keepalive)(void *),
                      void *keepalive_payload);

/* The normalized JSON of an object for comparison: keys sorted, status and server bookkeeping dropped. */
int cicd__normalize_object(cicd_buf *out, const char *json, size_t len);

#endif

/*
 * Internal to the deploy engine: one job's run, shared by its lifecycle
 * (executor.c: lease, checkpoints, interrupts, how the job ends) and its
 * steps (steps.c: apply, wait and prune).
 */
#ifndef CICD_DEPLOY_RUN_H
#define CICD_DEPLOY_RUN_H

#include "engine.h"

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
} deploy_run;

/* The run's clock (ms since the epoch). */
int64_t cicd__run_now(deploy_run *r);

/* Test hook: non-zero means "the process died here" (the run then writes nothing more). */
int cicd__run_crash(deploy_run *r, const char *point);

#define CICD__RUN_CRASH_POINT(r, point)                                                                                \
	do {                                                                                                           \
		if (cicd__run_crash(r, point))                                                                         \
			return CICD_EUSER;                                                                             \
	} while (0)

/* Ends the job: flushes the log, moves it to `to` from its current state, releases the lease. */
int cicd__run_finish(deploy_run *r, int to, const char *reason, const char *message);

/* Whether the caller interrupted the run; whether a cluster error came from that interrupt. */
int cicd__run_interrupted(deploy_run *r);
int cicd__run_cut_short(deploy_run *r, int code);

/* Ends the job canceled by the interrupt, "during step N (name)" when where is NULL. */
int cicd__run_end_interrupted(deploy_run *r, const char *where);

/* Renews the lease and looks at the job: a cancel request, an interrupt or the deadline end it (*stop). */
int cicd__run_checkpoint(deploy_run *r, int *stop, const char *where);

/* Renews the lease once a third of its time has passed, inside a long step. */
int cicd__run_keepalive(deploy_run *r);

/* A step failed: a cluster out of reach runs it again later, anything else ends the job failed. */
int cicd__run_step_failed(deploy_run *r, int code, const char *text);

/* The steps of a wave, and prune (steps.c). *failed / *stopped: the job ended in the step. */
int cicd__run_apply(deploy_run *r, int wave, int *failed);
int cicd__run_wait(deploy_run *r, int wave, int *stopped);
int cicd__run_prune(deploy_run *r);

#endif

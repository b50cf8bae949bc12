/* Internal: the public deploy handle and helpers shared by the API files. */
#ifndef CICD_DEPLOY_INTERNAL_H
#define CICD_DEPLOY_INTERNAL_H

#include <pthread.h>
#include <stdatomic.h>

#include "cicd/deploy.h"
#include "core/json_writer.h"
#include "engine.h"
#include "store.h"

struct cicd_deploy_store {
	cicd__store *st;
	/*
	 * Makes the cluster of a target. The default goes through the Kubernetes
	 * client; tests put a fake here (cicd__deploy_set_cluster_factory).
	 */
	int (*cluster_new)(cicd__cluster **out, const cicd__target *target, void *payload);
	void *cluster_payload;
	/* Set by cicd_deploy_store_interrupt from any thread, until cleared. */
	atomic_int interrupted;
	/* Guards `active`: the cluster of the blocking call under way, canceled by an interrupt. */
	pthread_mutex_t lock;
	cicd__cluster *active;
};

/* Non-zero while the store is interrupted. */
int cicd__deploy_interrupted(cicd_deploy_store *store);
/* Sets the last error for a call cut short by an interrupt ("interrupted WHAT") and returns CICD_ECANCELED. */
int cicd__deploy_interrupt_error(const char *what);
/*
 * The cluster a blocking call is about to use, so that an interrupt cancels
 * it (at once when the store is interrupted already); NULL when the call is
 * done with it, before freeing it.
 */
void cicd__deploy_use_cluster(cicd_deploy_store *store, cicd__cluster *cluster);
/* Sleeps ms in short naps; 1 as soon as the store is interrupted, else 0. */
int cicd__deploy_nap(cicd_deploy_store *store, long ms);

void cicd__deploy_set_cluster_factory(cicd_deploy_store *store,
                                      int (*fn)(cicd__cluster **out, const cicd__target *target, void *payload),
                                      void *payload);

/* "PROJECT/SET" into its parts (written into the buffers); CICD_EINVALID naming the text otherwise. */
int cicd__split_set(char *project, size_t psize, char *set, size_t ssize, const char *project_set);
/* "PROJECT/SET@VERSION" into its parts. */
int cicd__split_ref(char *project, size_t psize, char *set, size_t ssize, char *version, size_t vsize, const char *ref);

int cicd__json_version(cicd_json_writer *w, const cicd__version *v, int existed);
int cicd__json_job(cicd_json_writer *w, const cicd__job *j);
/* The fields of a job, inside an object the caller opened. */
int cicd__json_job_fields(cicd_json_writer *w, const cicd__job *j);
/* A change set as a JSON array. */
int cicd__json_changes(cicd_buf *out, const cicd_vec *changes);
int cicd__json_changes_w(cicd_json_writer *w, const cicd_vec *changes);

/* Opens a writer on out, runs fn, finishes. */
int cicd__json_write(cicd_buf *out, int (*fn)(cicd_json_writer *w, void *ctx), void *ctx);

/* "HOST:PID" of this process into buf. */
void cicd__default_owner(char *buf, size_t size);

#endif

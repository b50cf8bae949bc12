/* A cluster in memory for the job engine's tests: objects by kind/namespace/name, scripted readiness and faults. */
#ifndef CICD_TEST_FAKE_CLUSTER_H
#define CICD_TEST_FAKE_CLUSTER_H

#include <stdint.h>

#include "deploy/cluster.h"

/* FAKE_BLOCK: the wait blocks (in real time) until the cluster is canceled. */
enum { FAKE_READY = 0, FAKE_DOOMED = 1, FAKE_NEVER = 2, FAKE_BLOCK = 3 };

typedef struct fake_cluster fake_cluster;

fake_cluster *fake_new(int64_t *clock_ms);
cicd__cluster *fake_base(fake_cluster *f);
/* How objects named `name` behave in waits (FAKE_*) with the status message the wait reports. */
void fake_set_readiness(fake_cluster *f, const char *name, int readiness, const char *message);
/* Apply of objects named `name` fails with code and message. */
void fake_set_apply_error(fake_cluster *f, const char *name, int code, const char *message);
/* Each (real) apply takes this long on the test clock. */
void fake_set_apply_delay(fake_cluster *f, int64_t ms);
/* Every apply (dry runs too) blocks in real time until the cluster is canceled. */
void fake_set_block_apply(fake_cluster *f, int on);
/* Non-zero once the cluster's cancel op was called (any thread); every call then fails with CICD_ECANCELED. */
int fake_canceled(fake_cluster *f);
/* How many calls (of any fake, any thread) are blocked right now. */
int fake_blocked_now(void);
/* Every call fails with CICD_EHTTP while set. */
void fake_set_unreachable(fake_cluster *f, int on);
/* The live JSON of an object, or NULL. */
const char *fake_get(fake_cluster *f, const char *kind, const char *ns, const char *name);
/* Stores an object directly (as if someone else applied it). */
void fake_put(fake_cluster *f, const char *kind, const char *ns, const char *name, const char *json);
/*
 * Operations so far, one per line: "apply ConfigMap demo/a", "apply
 * Namespace demo", "delete ...". Cluster-scoped kinds (Namespace,
 * ClusterRole, CustomResourceDefinition, ...; custom kinds by the scope of
 * their applied CRD) live in no namespace: the ns given for them is ignored.
 * Kinds neither built in nor defined by an applied CRD are unknown
 * (CICD_ENOTFOUND), as on a real server.
 */
const char *fake_ops(fake_cluster *f);
size_t fake_count(fake_cluster *f);

#endif

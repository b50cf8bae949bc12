/*
 * Internal: what a deploy job asks of a cluster. The real implementation
 * (cluster_kube.c) goes through the Kubernetes client; tests plug in a fake
 * to drive every path of the job engine (conflicts, doomed rollouts,
 * timeouts, lost connections) without a control plane.
 *
 * Objects travel as JSON text. `ns` is the target's namespace, used for
 * namespaced objects that name none; cluster-scoped kinds ignore it. Errors follow the kube client's codes:
 * CICD_ECONFLICT (field-manager conflict), CICD_EVALIDATE (rejected object),
 * CICD_EHTTP / CICD_ETLS / CICD_EAUTH (cluster unreachable or refusing),
 * CICD_ENOTFOUND (no such object).
 */
#ifndef CICD_DEPLOY_CLUSTER_H
#define CICD_DEPLOY_CLUSTER_H

#include <stddef.h>

#include "cicd/buffer.h"

typedef struct cicd__cluster cicd__cluster;

enum { CICD__APPLY_CREATED = 1, CICD__APPLY_CONFIGURED = 2, CICD__APPLY_UNCHANGED = 3 };

typedef struct {
	/* Server-side apply (or its dry run); *action is CICD__APPLY_*; *result (may be NULL) gets the object. */
	int (*apply)(cicd__cluster *c, int *action, cicd_buf *result, const char *json, size_t len, const char *ns,
	             int dry_run);
	/* The live object as JSON; CICD_ENOTFOUND when absent. */
	int (*get)(cicd__cluster *c, cicd_buf *out, const char *api_version, const char *kind, const char *ns,
	           const char *name);
	/* Deletes an object; CICD_ENOTFOUND when absent. */
	int (*remove)(cicd__cluster *c, const char *api_version, const char *kind, const char *ns, const char *name);
	/*
	 * Waits until the object is ready: 0 when it is (kinds without a rollout
	 * are ready at once), CICD_ERROR when its rollout cannot succeed
	 * (ImagePullBackOff, CrashLoopBackOff, ProgressDeadlineExceeded, a failed
	 * Job), CICD_ETIMEOUT at the deadline. *message gets the final status,
	 * saying why in the last two cases.
	 */
	int (*wait)(cicd__cluster *c, cicd_buf *message, const char *api_version, const char *kind, const char *ns,
	            const char *name, long timeout_ms);
	/*
	 * Whether objects of apiVersion+kind live in a namespace: *namespaced 1
	 * or 0. CICD_ENOTFOUND when the cluster does not know the kind (yet: a
	 * custom kind is known once its CustomResourceDefinition exists).
	 */
	int (*namespaced)(cicd__cluster *c, int *namespaced, const char *api_version, const char *kind);
	void (*free)(cicd__cluster *c);
	/*
	 * Thread-safe (may be NULL): makes the operation under way in another
	 * thread, and every later one, return CICD_ECANCELED soon (within about
	 * 100 ms). The cluster is freed after a cancel, never reused.
	 */
	void (*cancel)(cicd__cluster *c);
} cicd__cluster_ops;

struct cicd__cluster {
	const cicd__cluster_ops *ops;
};

/*
 * A cluster through the Kubernetes client, for a target's kubeconfig (NULL:
 * $KUBECONFIG or ~/.kube/config), context (NULL: current) or in-cluster.
 */
int cicd__cluster_kube_new(cicd__cluster **out, const char *kubeconfig, const char *context, int in_cluster);

#endif

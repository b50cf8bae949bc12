/* The deploy engine's cluster through the Kubernetes client: server-side apply, get, delete, rollout waits. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cicd/document.h"
#include "cicd/kube.h"
#include "cluster.h"
#include "core/alloc.h"
#include "core/buf.h"
#include "core/error.h"
#include "kube/kube_internal.h"

/* Field manager of every apply, so that re-applying after a crash is a no-op for the server. */
#define FIELD_MANAGER "cicd-deploy"

typedef struct {
	cicd__cluster base;
	cicd_kube_client *client;
} kube_cluster;

static int kc_apply(cicd__cluster *c, int *action, cicd_buf *result, const char *json, size_t len, const char *ns,
                    int dry_run)
{
	kube_cluster *k = (kube_cluster *)c;
	cicd_kube_apply_options o = CICD_KUBE_APPLY_OPTIONS_INIT;
	cicd_kube_apply_action a = CICD_KUBE_APPLY_UNCHANGED;
	cicd_document *doc = NULL;
	int err;
	if ((err = cicd_document_load_json(&doc, json, len, "object", NULL)) < 0)
		return err;
	o.field_manager = FIELD_MANAGER;
	o.dry_run = dry_run;
	o.namespace_name = ns;
	err = cicd_kube_apply(&a, result, k->client, cicd_document_root(doc, 0), &o);
	cicd_document_free(doc);
	if (!err)
		*action = a == CICD_KUBE_APPLY_CREATED      ? CICD__APPLY_CREATED
		          : a == CICD_KUBE_APPLY_CONFIGURED ? CICD__APPLY_CONFIGURED
		                                            : CICD__APPLY_UNCHANGED;
	return err;
}

static int kc_get(cicd__cluster *c, cicd_buf *out, const char *api_version, const char *kind, const char *ns,
                  const char *name)
{
	return cicd_kube_get(out, ((kube_cluster *)c)->client, api_version, kind, ns, name);
}

static int kc_remove(cicd__cluster *c, const char *api_version, const char *kind, const char *ns, const char *name)
{
	cicd_kube_delete_options o = CICD_KUBE_DELETE_OPTIONS_INIT;
	o.propagation = CICD_KUBE_PROPAGATION_BACKGROUND;
	return cicd_kube_delete(((kube_cluster *)c)->client, api_version, kind, ns, name, &o);
}

static long long field_num(const cicd_node *obj, const char *section, const char *key)
{
	const char *s = cicd_node_scalar(cicd_node_get(cicd_node_get(obj, section), key), NULL);
	return s ? atoll(s) : 0;
}

/*
 * Waits (at most timeout_ms) until the object's controller has observed its
 * latest spec, so that the rollout is judged on the new revision and not on
 * pods of the one before (right after an apply, a Deployment still names
 * its previous revision; that revision's failing pods must not fail this one).
 */
static void wait_observed(kube_cluster *k, const char *api_version, const char *kind, const char *ns, const char *name,
                          long timeout_ms)
{
	struct timespec pause = {0, 100 * 1000000L};
	long waited = 0;
	while (waited < timeout_ms) {
		cicd_buf b = CICD_BUF_INIT;
		cicd_document *doc = NULL;
		int done = 1;
		if (cicd_kube_get(&b, k->client, api_version, kind, ns, name) == 0 &&
		    cicd_document_load_json(&doc, b.ptr, b.size, "object", NULL) == 0) {
			const cicd_node *o = cicd_document_root(doc, 0);
			long long generation = field_num(o, "metadata", "generation");
			done = !cicd_node_get(cicd_node_get(o, "status"), "observedGeneration") && !generation
			           ? 1
			           : field_num(o, "status", "observedGeneration") >= generation;
		}
		cicd_document_free(doc);
		cicd_buf_dispose(&b);
		if (done)
			break;
		nanosleep(&pause, NULL);
		waited += 100;
	}
	cicd_error_clear();
}

/*
 * A CustomResourceDefinition is ready once Established: before that,
 * discovery may not serve its kind to the objects of the next wave.
 */
static int wait_established(kube_cluster *k, cicd_buf *message, const char *api_version, const char *name,
                            long timeout_ms)
{
	struct timespec pause = {0, 100 * 1000000L};
	long waited = 0;
	for (;;) {
		cicd_buf b = CICD_BUF_INIT;
		cicd_document *doc = NULL;
		int rc = cicd_kube_get(&b, k->client, api_version, "CustomResourceDefinition", NULL, name), ok = 0;
		if (!rc && (rc = cicd_document_load_json(&doc, b.ptr, b.size, name, NULL)) == 0) {
			const cicd_node *conds =
			    cicd_node_get(cicd_node_get(cicd_document_root(doc, 0), "status"), "conditions");
			size_t i;
			for (i = 0; i < cicd_node_size(conds); i++) {
				const cicd_node *cond = cicd_node_item(conds, i);
				const char *type = cicd_node_scalar(cicd_node_get(cond, "type"), NULL);
				const char *status = cicd_node_scalar(cicd_node_get(cond, "status"), NULL);
				ok |= type && status && !strcmp(type, "Established") && !strcmp(status, "True");
			}
		}
		cicd_document_free(doc);
		cicd_buf_dispose(&b);
		if (ok)
			return 0;
		if (rc < 0 && rc != CICD_ENOTFOUND)
			return rc;
		if (waited >= timeout_ms) {
			cicd__buf_clear(message);
			cicd__buf_puts(message, "not Established yet");
			return cicd__error_set(CICD_ETIMEOUT, "CustomResourceDefinition %s is not Established yet", name);
		}
		nanosleep(&pause, NULL);
		waited += 100;
	}
}

static int kc_wait(cicd__cluster *c, cicd_buf *message, const char *api_version, const char *kind, const char *ns,
                   const char *name, long timeout_ms)
{
	cicd_kube_rollout_options o = CICD_KUBE_ROLLOUT_OPTIONS_INIT;
	int err;
	o.timeout_ms = timeout_ms > 0 ? timeout_ms : 1;
	if (!strcmp(kind, "CustomResourceDefinition"))
		return wait_established((kube_cluster *)c, message, api_version, name, timeout_ms);
	if (!strcmp(kind, "Deployment") || !strcmp(kind, "StatefulSet") || !strcmp(kind, "DaemonSet"))
		wait_observed((kube_cluster *)c, api_version, kind, ns, name, timeout_ms < 10000 ? timeout_ms : 10000);
	err = cicd_kube_rollout_wait(message, ((kube_cluster *)c)->client, api_version, kind, ns, name, &o);
	if (err == CICD_EUNSUPPORTED) {
		/* Kinds without a rollout (ConfigMaps, Services, ...) are ready once applied. */
		cicd_error_clear();
		return 0;
	}
	return err;
}

/* Through the client's discovery, which runs again once when a kind is unknown (a CRD created a moment ago). */
static int kc_namespaced(cicd__cluster *c, int *namespaced, const char *api_version, const char *kind)
{
	const kube_resource *res = NULL;
	int err = kube__resource_for(&res, ((kube_cluster *)c)->client, api_version, kind);
	if (!err)
		*namespaced = res->namespaced;
	return err;
}

static void kc_free(cicd__cluster *c)
{
	kube_cluster *k = (kube_cluster *)c;
	if (!k)
		return;
	cicd_kube_client_free(k->client);
	cicd__free(k);
}

static void kc_cancel(cicd__cluster *c)
{
	cicd_kube_client_cancel(((kube_cluster *)c)->client);
}

static const cicd__cluster_ops kube_ops = {kc_apply, kc_get, kc_remove, kc_wait, kc_namespaced, kc_free, kc_cancel};

int cicd__cluster_kube_new(cicd__cluster **out, const char *kubeconfig, const char *context, int in_cluster)
{
	cicd_kube_config_options co = CICD_KUBE_CONFIG_OPTIONS_INIT;
	cicd_kube_config *cfg = NULL;
	kube_cluster *k;
	int err;
	*out = NULL;
	co.flags = in_cluster ? CICD_KUBE_CONFIG_IN_CLUSTER_ONLY : CICD_KUBE_CONFIG_NO_IN_CLUSTER;
	co.kubeconfig = kubeconfig;
	co.context = context;
	if ((err = cicd_kube_config_load(&cfg, &co)) < 0)
		return err;
	if (!(k = cicd__calloc(1, sizeof *k))) {
		cicd_kube_config_free(cfg);
		return cicd__error_oom();
	}
	k->base.ops = &kube_ops;
	err = cicd_kube_client_new(&k->client, cfg, NULL);
	cicd_kube_config_free(cfg);
	if (err < 0) {
		cicd__free(k);
		return err;
	}
	*out = &k->base;
	return 0;
}

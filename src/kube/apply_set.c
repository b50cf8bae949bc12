/*
 * Applying a set of objects: ranked so that what others need exists first
 * (Namespaces and CRDs, then configuration and access control, then
 * workloads, then custom resources), each rank sent in parallel over the
 * client's multiplexed connection, CRDs awaited until Established.
 */
#include <string.h>
#include <time.h>

#include "core/alloc.h"
#include "core/document.h"
#include "core/error.h"
#include "cicd/manifest.h"
#include "kube_internal.h"

#define RANKS 4
#define DEFAULT_WAIT_MS 60000

static int rank_of(const char *api_version, const char *kind)
{
	static const char *const first[] = {"Namespace", "CustomResourceDefinition", "PriorityClass", "StorageClass", NULL};
	static const char *const workloads[] = {"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "CronJob",
						"Pod", "ReplicationController", "HorizontalPodAutoscaler", NULL};
	size_t i;
	if (!kind || !api_version)
		return 1;
	for (i = 0; first[i]; i++)
		if (!strcmp(kind, first[i]))
			return 0;
	for (i = 0; workloads[i]; i++)
		if (!strcmp(kind, workloads[i]))
			return 2;
	/* Built-in groups have no dot or end in k8s.io; the rest are custom resources. */
	if (!strchr(api_version, '.') || strstr(api_version, ".k8s.io/"))
		return 1;
	return 3;
}

static int collect(cicd_vec *objects, const cicd_node *node)
{
	const char *kind;
	if (!node || (node->kind == CICD_NODE_SCALAR && node->value_type == CICD_VALUE_NULL))
		return 0;
	kind = node->kind == CICD_NODE_MAPPING ? kube__str(node, "kind") : NULL;
	if (kind && !strcmp(kind, "List")) {
		const cicd_node *items = cicd__node_get(node, "items", 5);
		size_t i;
		for (i = 0; items && items->kind == CICD_NODE_SEQUENCE && i < items->count; i++) {
			int rc = collect(objects, items->u.seq.items[i]);
			if (rc)
				return rc;
		}
		return 0;
	}
	{
		union {
			const cicd_node *c;
			void *m;
		} u;
		u.c = node;
		return cicd__vec_push(objects, u.m);
	}
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Whether the CRD's status says Established=True. */
static int is_established(const cicd_node *crd)
{
	const cicd_node *conds = kube__path(crd, "status", "conditions", NULL);
	size_t i;
	for (i = 0; conds && conds->kind == CICD_NODE_SEQUENCE && i < conds->count; i++) {
		const char *t = kube__str(conds->u.seq.items[i], "type"), *s = kube__str(conds->u.seq.items[i], "status");
		if (t && s && !strcmp(t, "Established") && !strcmp(s, "True"))
			return 1;
	}
	return 0;
}

/*
 * Whether discovery lists every served version of the CRD's kind. The API
 * server publishes a new group to discovery a moment after the CRD is
 * Established; custom resources of the same set resolved in between would
 * fail with "the server has no kind".
 */
static int is_discoverable(struct cicd_kube_client *c, const cicd_node *crd, int *rc)
{
	const char *group = kube__str(kube__path(crd, "spec", NULL), "group");
	const char *kind = kube__str(kube__path(crd, "spec", "names", NULL), "kind");
	const cicd_node *versions = kube__path(crd, "spec", "versions", NULL);
	cicd_buf key = CICD_BUF_INIT;
	size_t i;
	int all = 1;
	if (!group || !kind || !versions || versions->kind != CICD_NODE_SEQUENCE)
		return 1; /* nothing to wait for that we could name */
	if ((*rc = kube__discover(c)))
		return 0;
	for (i = 0; all && i < versions->count; i++) {
		const cicd_node *v = versions->u.seq.items[i];
		const cicd_node *served = cicd__node_get(v, "served", 6);
		const char *name = kube__str(v, "name");
		if (!name || (served && cicd__node_is(served, "false")))
			continue;
		cicd_buf_dispose(&key);
		if (cicd__buf_printf(&key, "%s/%s/%s", group, name, kind)) {
			*rc = CICD_ENOMEM;
			all = 0;
			break;
		}
		all = cicd__hashmap_get(&c->by_gvk, key.ptr, key.size) != NULL;
	}
	cicd_buf_dispose(&key);
	return all;
}

/* Waits until the CRD reports Established=True and discovery serves its kind. */
static int wait_established(struct cicd_kube_client *c, const char *name, long wait_ms)
{
	double deadline = now_s() + (double)wait_ms / 1000.0;
	for (;;) {
		cicd_buf body = CICD_BUF_INIT;
		cicd_document *doc = NULL;
		int rc = cicd_kube_get(&body, c, "apiextensions.k8s.io/v1", "CustomResourceDefinition", NULL, name), ok = 0;
		const char *what = "Established";
		if (!rc && !(rc = kube__parse_json(&doc, body.ptr, body.size, "CustomResourceDefinition"))) {
			const cicd_node *crd = cicd_document_root(doc, 0);
			if (is_established(crd)) {
				what = "served by API discovery";
				ok = is_discoverable(c, crd, &rc);
			}
		}
		cicd_document_free(doc);
		cicd_buf_dispose(&body);
		if (ok)
			return 0;
		if (rc && rc != CICD_ENOTFOUND)
			return rc;
		if (now_s() > deadline)
			return cicd__error_set(CICD_ETIMEOUT, "CustomResourceDefinition %s was not %s within %ld ms", name,
					       what, wait_ms);
		{
			struct timespec ts = {0, 100 * 1000000L};
			nanosleep(&ts, NULL);
		}
	}
}

static int report(cicd_kube_apply_cb cb, void *payload, const kube_apply_job *job)
{
	cicd_kube_apply_item item;
	if (!cb)
		return 0;
	memset(&item, 0, sizeof item);
	item.api_version = job->api_version ? job->api_version : "";
	item.kind = job->kind ? job->kind : "";
	item.namespace_name = job->ns ? job->ns : "";
	item.name = job->name ? job->name : "";
	item.action = job->rc ? 0 : job->action;
	item.error = job->rc;
	item.message = job->rc && job->message ? job->message : "";
	item.file = job->object && job->object->meta->file ? job->object->meta->file : "";
	item.line = job->object ? job->object->line : 0;
	return cb(&item, payload);
}

/* Applies the objects rank by rank, reporting each in the given order within its rank; frees `objects`. */
static int apply_objects(struct cicd_kube_client *c, cicd_vec *objects_in, const cicd_kube_apply_options *opts,
			 cicd_kube_apply_cb cb, void *payload, int rc)
{
	cicd_vec objects = *objects_in;
	kube_apply_job *jobs = NULL;
	kube_apply_job **ready = NULL;
	kube_request **reqs = NULL;
	long wait_ms = opts && opts->wait_established_ms > 0 ? opts->wait_established_ms : DEFAULT_WAIT_MS;
	size_t i;
	int rank, first_error = 0;
	char *first_message = NULL;
	if (!rc && objects.count) {
		jobs = cicd__calloc(objects.count, sizeof *jobs);
		reqs = cicd__calloc(objects.count, sizeof *reqs);
		ready = cicd__calloc(objects.count, sizeof *ready);
		if (!jobs || !reqs || !ready)
			rc = cicd__error_oom();
	}
	for (rank = 0; rank < RANKS && !rc && !first_error; rank++) {
		size_t n = 0;
		/* Prepare this rank's jobs (resolving kinds may run discovery again for fresh CRDs). */
		for (i = 0; i < objects.count; i++) {
			const cicd_node *o = objects.items[i];
			const char *av = o->kind == CICD_NODE_MAPPING ? kube__str(o, "apiVersion") : NULL;
			const char *k = o->kind == CICD_NODE_MAPPING ? kube__str(o, "kind") : NULL;
			if (rank_of(av, k) != rank)
				continue;
			kube__apply_prepare(&jobs[i], c, o, opts);
			if (!jobs[i].rc)
				ready[n++] = &jobs[i];
		}
		/* What the server holds now, to tell created, configured and unchanged apart. */
		if (n && (rc = kube__apply_fetch(c, ready, n)))
			break;
		n = 0;
		for (i = 0; i < objects.count; i++) {
			kube_apply_job *job = &jobs[i];
			if (!job->object || job->rc || !job->get.path || rank_of(job->api_version, job->kind) != rank)
				continue;
			if (!job->get.rc && (job->get.status == 200 || job->get.status == 404))
				reqs[n++] = &job->patch;
		}
		if (n && (rc = kube__http_run(c, reqs, n)))
			break;
		for (i = 0; i < objects.count; i++) {
			kube_apply_job *job = &jobs[i];
			const cicd_node *o = objects.items[i];
			if (!job->object || rank_of(o->kind == CICD_NODE_MAPPING ? kube__str(o, "apiVersion") : NULL,
						    o->kind == CICD_NODE_MAPPING ? kube__str(o, "kind") : NULL) != rank)
				continue;
			kube__apply_decide(job, opts);
			if (!job->rc && !strcmp(job->kind, "CustomResourceDefinition") && !(opts && opts->dry_run)) {
				int wrc = wait_established(c, job->name, wait_ms);
				if (wrc)
					kube__apply_fail(job, wrc);
			}
			if (job->rc && !first_error) {
				first_error = job->rc;
				first_message = cicd__strdup(job->message ? job->message : "apply failed");
			}
			if ((rc = report(cb, payload, job)) != 0)
				break;
		}
	}
	for (i = 0; jobs && i < objects.count; i++)
		if (jobs[i].object)
			kube__apply_job_dispose(&jobs[i]);
	cicd__free(jobs);
	cicd__free(ready);
	cicd__free(reqs);
	cicd__vec_dispose(&objects);
	if (rc) {
		cicd__free(first_message);
		return rc;
	}
	if (first_error)
		cicd__error_set(first_error, "%s", first_message ? first_message : "apply failed");
	cicd__free(first_message);
	return first_error;
}

int cicd_kube_apply_set(cicd_kube_client *c, const cicd_document *const *documents, size_t count,
			const cicd_kube_apply_options *opts, cicd_kube_apply_cb cb, void *payload)
{
	cicd_vec objects = CICD_VEC_INIT;
	size_t i, j;
	int rc = 0;
	if (!c || (!documents && count))
		return cicd__error_set(CICD_EINVALID, "cicd_kube_apply_set: client and documents are required");
	if (opts && opts->version != CICD_KUBE_APPLY_OPTIONS_VERSION)
		return cicd__error_set(CICD_EINVALID, "unsupported cicd_kube_apply_options version %u", opts->version);
	for (i = 0; i < count && !rc; i++)
		for (j = 0; j < cicd_document_count(documents[i]) && !rc; j++)
			rc = collect(&objects, cicd_document_root(documents[i], j));
	return apply_objects(c, &objects, opts, cb, payload, rc);
}

int cicd_kube_apply_manifests(cicd_kube_client *c, cicd_manifest_set *set, const cicd_kube_apply_options *opts,
			      cicd_kube_apply_cb cb, void *payload)
{
	cicd_vec objects = CICD_VEC_INIT;
	size_t i;
	int rc;
	if (!c || !set)
		return cicd__error_set(CICD_EINVALID, "cicd_kube_apply_manifests: client and set are required");
	if (opts && opts->version != CICD_KUBE_APPLY_OPTIONS_VERSION)
		return cicd__error_set(CICD_EINVALID, "unsupported cicd_kube_apply_options version %u", opts->version);
	rc = cicd_manifest_set_sort(set, CICD_MANIFEST_ORDER_APPLY);
	for (i = 0; !rc && i < cicd_manifest_set_count(set); i++)
		rc = collect(&objects, cicd_manifest_node(cicd_manifest_set_get(set, i)));
	return apply_objects(c, &objects, opts, cb, payload, rc);
}

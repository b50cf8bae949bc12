#include "fake_cluster.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cicd/document.h"
#include "cicd/errors.h"
#include "core/buf.h"
#include "core/error.h"

#define MAX_OBJECTS 64
#define MAX_RULES   16

typedef struct {
	char key[300];
	char *json;
} stored;

typedef struct {
	char name[128];
	int readiness, code;
	char message[256];
} rule;

struct fake_cluster {
	cicd__cluster base;
	int64_t *clock;
	stored objects[MAX_OBJECTS];
	size_t count;
	rule ready[MAX_RULES], errors[MAX_RULES];
	size_t nready, nerrors;
	int unreachable;
	int block_apply;
	atomic_int canceled; /* set by the cancel op from another thread */
	int64_t apply_delay;
	char ops[8192];
};

/* Kinds of a bare API server; custom kinds join them when their CRD is applied. */
static const char *const cluster_scoped[] = {
    "Namespace",        "ClusterRole",  "ClusterRoleBinding", "CustomResourceDefinition",
    "PersistentVolume", "StorageClass", "PriorityClass",      NULL};
static const char *const namespaced_kinds[] = {"ConfigMap",   "Secret",      "Service", "Deployment",
                                               "StatefulSet", "DaemonSet",   "Job",     "ServiceAccount",
                                               "Role",        "RoleBinding", "Pod",     NULL};

static int listed(const char *const *list, const char *kind)
{
	for (; *list; list++)
		if (!strcmp(*list, kind))
			return 1;
	return 0;
}

static int crd_scope(fake_cluster *f, const char *kind);

/* 1 namespaced, 0 cluster-scoped, -1 unknown. */
static int scope_of(fake_cluster *f, const char *kind)
{
	if (listed(cluster_scoped, kind))
		return 0;
	if (listed(namespaced_kinds, kind))
		return 1;
	return crd_scope(f, kind);
}

/* Where the server would put the object: cluster-scoped kinds ignore the namespace. */
static void key_of_in(fake_cluster *f, char *out, size_t size, const char *kind, const char *ns, const char *name)
{
	if (scope_of(f, kind) == 0 || !ns || !*ns)
		snprintf(out, size, "%s %s", kind, name);
	else
		snprintf(out, size, "%s %s/%s", kind, ns, name);
}

#define key_of(out, size, kind, ns, name) key_of_in(f, out, size, kind, ns, name)

static stored *find(fake_cluster *f, const char *key)
{
	size_t i;
	for (i = 0; i < f->count; i++)
		if (f->objects[i].json && !strcmp(f->objects[i].key, key))
			return &f->objects[i];
	return NULL;
}

/* The scope of a kind defined by an applied CustomResourceDefinition, -1 when none defines it. */
static int crd_scope(fake_cluster *f, const char *kind)
{
	size_t i;
	int scope = -1;
	for (i = 0; i < f->count && scope < 0; i++) {
		cicd_document *doc = NULL;
		const cicd_node *spec;
		const char *k;
		if (!f->objects[i].json || strncmp(f->objects[i].key, "CustomResourceDefinition ", 25) != 0 ||
		    cicd_document_load_json(&doc, f->objects[i].json, strlen(f->objects[i].json), "crd", NULL) < 0)
			continue;
		spec = cicd_node_get(cicd_document_root(doc, 0), "spec");
		k = cicd_node_scalar(cicd_node_get(cicd_node_get(spec, "names"), "kind"), NULL);
		if (k && !strcmp(k, kind)) {
			const char *sc = cicd_node_scalar(cicd_node_get(spec, "scope"), NULL);
			scope = !(sc && !strcmp(sc, "Cluster"));
		}
		cicd_document_free(doc);
	}
	return scope;
}

static void note(fake_cluster *f, const char *verb, const char *key)
{
	size_t n = strlen(f->ops);
	snprintf(f->ops + n, sizeof f->ops - n, "%s %s\n", verb, key);
}

static int unreachable(fake_cluster *f)
{
	if (atomic_load(&f->canceled))
		return cicd__error_set(CICD_ECANCELED, "canceled");
	return f->unreachable ? cicd__error_set(CICD_EHTTP, "https://127.0.0.1:6443: connection refused") : 0;
}

/* A request that hangs until another thread cancels the cluster, like one to a server that never answers. */
static atomic_int g_blocked;

static int block_until_canceled(fake_cluster *f)
{
	struct timespec nap = {0, 5 * 1000000L};
	atomic_fetch_add(&g_blocked, 1);
	while (!atomic_load(&f->canceled))
		nanosleep(&nap, NULL);
	atomic_fetch_sub(&g_blocked, 1);
	return cicd__error_set(CICD_ECANCELED, "canceled");
}

int fake_blocked_now(void)
{
	return atomic_load(&g_blocked);
}

static int fake_apply(cicd__cluster *c, int *action, cicd_buf *result, const char *json, size_t len, const char *ns,
                      int dry_run)
{
	fake_cluster *f = (fake_cluster *)c;
	cicd_document *doc = NULL;
	const cicd_node *root, *meta;
	const char *kind, *name, *obj_ns;
	char key[300];
	stored *s;
	size_t i;
	int err;
	if ((err = unreachable(f)) < 0)
		return err;
	if (f->block_apply)
		return block_until_canceled(f);
	if ((err = cicd_document_load_json(&doc, json, len, "object", NULL)) < 0)
		return err;
	root = cicd_document_root(doc, 0);
	meta = cicd_node_get(root, "metadata");
	kind = cicd_node_scalar(cicd_node_get(root, "kind"), NULL);
	name = cicd_node_scalar(cicd_node_get(meta, "name"), NULL);
	obj_ns = cicd_node_scalar(cicd_node_get(meta, "namespace"), NULL);
	if (scope_of(f, kind) < 0) {
		err = cicd__error_set(CICD_ENOTFOUND, "the server has no kind %s", kind);
		cicd_document_free(doc);
		return err;
	}
	key_of(key, sizeof key, kind, obj_ns ? obj_ns : ns, name);
	for (i = 0; i < f->nerrors; i++)
		if (!strcmp(f->errors[i].name, name)) {
			cicd_document_free(doc);
			return cicd__error_set(f->errors[i].code, "%s", f->errors[i].message);
		}
	s = find(f, key);
	*action = !s ? CICD__APPLY_CREATED : strcmp(s->json, json) ? CICD__APPLY_CONFIGURED : CICD__APPLY_UNCHANGED;
	if (result)
		cicd__buf_put(result, json, len);
	if (!dry_run) {
		*f->clock += f->apply_delay;
		note(f, "apply", key);
		if (!s) {
			s = &f->objects[f->count++];
			snprintf(s->key, sizeof s->key, "%s", key);
		} else {
			free(s->json);
		}
		s->json = strndup(json, len);
	}
	cicd_document_free(doc);
	return 0;
}

static int fake_get_op(cicd__cluster *c, cicd_buf *out, const char *api_version, const char *kind, const char *ns,
                       const char *name)
{
	fake_cluster *f = (fake_cluster *)c;
	char key[300];
	stored *s;
	int err;
	(void)api_version;
	if ((err = unreachable(f)) < 0)
		return err;
	key_of(key, sizeof key, kind, ns, name);
	if (!(s = find(f, key)))
		return cicd__error_set(CICD_ENOTFOUND, "%s not found", key);
	return cicd__buf_puts(out, s->json);
}

static int fake_remove(cicd__cluster *c, const char *api_version, const char *kind, const char *ns, const char *name)
{
	fake_cluster *f = (fake_cluster *)c;
	char key[300];
	stored *s;
	int err;
	(void)api_version;
	if ((err = unreachable(f)) < 0)
		return err;
	key_of(key, sizeof key, kind, ns, name);
	if (!(s = find(f, key)))
		return cicd__error_set(CICD_ENOTFOUND, "%s not found", key);
	note(f, "delete", key);
	free(s->json);
	s->json = NULL;
	return 0;
}

static int fake_wait(cicd__cluster *c, cicd_buf *message, const char *api_version, const char *kind, const char *ns,
                     const char *name, long timeout_ms)
{
	fake_cluster *f = (fake_cluster *)c;
	size_t i;
	int err;
	(void)api_version;
	(void)kind;
	(void)ns;
	if ((err = unreachable(f)) < 0)
		return err;
	for (i = 0; i < f->nready; i++)
		if (!strcmp(f->ready[i].name, name)) {
			cicd__buf_puts(message, f->ready[i].message);
			if (f->ready[i].readiness == FAKE_DOOMED)
				return cicd__error_set(CICD_ERROR, "%s", f->ready[i].message);
			if (f->ready[i].readiness == FAKE_NEVER) {
				*f->clock += timeout_ms; /* the time a real wait would have spent */
				return cicd__error_set(CICD_ETIMEOUT, "%s", f->ready[i].message);
			}
			if (f->ready[i].readiness == FAKE_BLOCK)
				return block_until_canceled(f);
			return 0;
		}
	return 0;
}

static int fake_namespaced(cicd__cluster *c, int *namespaced, const char *api_version, const char *kind)
{
	fake_cluster *f = (fake_cluster *)c;
	int err, scope;
	if ((err = unreachable(f)) < 0)
		return err;
	if ((scope = scope_of(f, kind)) < 0)
		return cicd__error_set(CICD_ENOTFOUND, "the server has no kind %s in %s", kind, api_version);
	*namespaced = scope;
	return 0;
}

static void fake_free(cicd__cluster *c)
{
	fake_cluster *f = (fake_cluster *)c;
	size_t i;
	for (i = 0; i < f->count; i++)
		free(f->objects[i].json);
	free(f);
}

static void fake_cancel(cicd__cluster *c)
{
	atomic_store(&((fake_cluster *)c)->canceled, 1);
}

static const cicd__cluster_ops fake_ops_table = {fake_apply,      fake_get_op, fake_remove, fake_wait,
                                                 fake_namespaced, fake_free,   fake_cancel};

fake_cluster *fake_new(int64_t *clock_ms)
{
	fake_cluster *f = calloc(1, sizeof *f);
	f->base.ops = &fake_ops_table;
	f->clock = clock_ms;
	return f;
}

cicd__cluster *fake_base(fake_cluster *f)
{
	return &f->base;
}

void fake_set_readiness(fake_cluster *f, const char *name, int readiness, const char *message)
{
	rule *r = &f->ready[f->nready++];
	snprintf(r->name, sizeof r->name, "%s", name);
	r->readiness = readiness;
	snprintf(r->message, sizeof r->message, "%s", message);
}

void fake_set_apply_error(fake_cluster *f, const char *name, int code, const char *message)
{
	rule *r = &f->errors[f->nerrors++];
	snprintf(r->name, sizeof r->name, "%s", name);
	r->code = code;
	snprintf(r->message, sizeof r->message, "%s", message);
}

void fake_set_apply_delay(fake_cluster *f, int64_t ms)
{
	f->apply_delay = ms;
}

void fake_set_block_apply(fake_cluster *f, int on)
{
	f->block_apply = on;
}

int fake_canceled(fake_cluster *f)
{
	return atomic_load(&f->canceled);
}

void fake_set_unreachable(fake_cluster *f, int on)
{
	f->unreachable = on;
}

const char *fake_get(fake_cluster *f, const char *kind, const char *ns, const char *name)
{
	char key[300];
	stored *s;
	key_of(key, sizeof key, kind, ns, name);
	s = find(f, key);
	return s ? s->json : NULL;
}

void fake_put(fake_cluster *f, const char *kind, const char *ns, const char *name, const char *json)
{
	char key[300];
	stored *s;
	key_of(key, sizeof key, kind, ns, name);
	if (!(s = find(f, key))) {
		s = &f->objects[f->count++];
		snprintf(s->key, sizeof s->key, "%s", key);
	} else {
		free(s->json);
	}
	s->json = strdup(json);
}

const char *fake_ops(fake_cluster *f)
{
	return f->ops;
}

size_t fake_count(fake_cluster *f)
{
	size_t i, n = 0;
	for (i = 0; i < f->count; i++)
		n += f->objects[i].json != NULL;
	return n;
}

/*
 * The change set of a deploy job: per object create / update / unchanged
 * from a server-side dry-run apply compared with the live object, the
 * field-level diff between them (Secret values hidden by the manifest
 * module's diff), and the objects to prune.
 */
#include <stdlib.h>
#include <string.h>

#include "cicd/document.h"
#include "cicd/manifest.h"
#include "core/alloc.h"
#include "core/buf.h"
#include "core/json_writer.h"
#include "engine.h"

/* Fields the server maintains that say nothing about what was applied. */
static int noise(const char *parent, const char *key, int depth)
{
	if (depth == 0)
		return !strcmp(key, "status");
	if (depth == 1 && !strcmp(parent, "metadata"))
		return !strcmp(key, "managedFields") || !strcmp(key, "resourceVersion") || !strcmp(key, "generation") ||
		       !strcmp(key, "uid") || !strcmp(key, "creationTimestamp") || !strcmp(key, "selfLink");
	return 0;
}

typedef struct {
	const cicd_node *key;
	const cicd_node *value;
} pair;

static int pair_cmp(const void *a, const void *b)
{
	return strcmp(cicd_node_scalar(((const pair *)a)->key, NULL), cicd_node_scalar(((const pair *)b)->key, NULL));
}

static int emit(cicd_json_writer *w, cicd_buf *tmp, const cicd_node *n, const char *parent, int depth)
{
	size_t i, count;
	int err = 0;
	switch (cicd_node_kind_of(n)) {
	case CICD_NODE_MAPPING: {
		pair *pairs;
		count = cicd_node_size(n);
		pairs = cicd__calloc(count ? count : 1, sizeof *pairs);
		if (!pairs)
			return cicd__error_oom();
		for (i = 0; i < count; i++) {
			pairs[i].key = cicd_node_key(n, i);
			pairs[i].value = cicd_node_value(n, i);
		}
		qsort(pairs, count, sizeof *pairs, pair_cmp);
		err = cicd__json_begin_object(w);
		for (i = 0; i < count && !err; i++) {
			const char *k = cicd_node_scalar(pairs[i].key, NULL);
			if (noise(parent, k, depth))
				continue;
			if (!(err = cicd__json_key(w, k)))
				err = emit(w, tmp, pairs[i].value, k, depth + 1);
		}
		if (!err)
			err = cicd__json_end_object(w);
		cicd__free(pairs);
		return err;
	}
	case CICD_NODE_SEQUENCE:
		err = cicd__json_begin_array(w);
		for (i = 0; i < cicd_node_size(n) && !err; i++)
			err = emit(w, tmp, cicd_node_item(n, i), "", depth + 1);
		return err ? err : cicd__json_end_array(w);
	default:
		cicd__buf_clear(tmp);
		if ((err = cicd_node_to_json(tmp, n, 0)) < 0)
			return err;
		while (tmp->size && (tmp->ptr[tmp->size - 1] == '\n'))
			tmp->ptr[--tmp->size] = '\0';
		return cicd__json_number_text(w, tmp->ptr, tmp->size);
	}
}

int cicd__normalize_object(cicd_buf *out, const char *json, size_t len)
{
	cicd_document *doc = NULL;
	cicd_buf tmp = CICD_BUF_INIT;
	cicd_json_writer *w;
	int err;
	if ((err = cicd_document_load_json(&doc, json, len, "object", NULL)) < 0)
		return err;
	if (!(w = cicd__json_new(out, 0))) {
		cicd_document_free(doc);
		return cicd__error_oom();
	}
	err = emit(w, &tmp, cicd_document_root(doc, 0), "", 0);
	if (err)
		cicd__json_abandon(w);
	else
		err = cicd__json_finish(w);
	cicd_buf_dispose(&tmp);
	cicd_document_free(doc);
	return err;
}

/* The field diff of two versions of one object (normalized JSON), Secret values hidden. */
static int field_diff(char **out, const char *old_json, size_t old_len, const char *new_json, size_t new_len)
{
	cicd_manifest_set *a = NULL, *b = NULL;
	cicd_manifest_diff *d = NULL;
	cicd_buf text = CICD_BUF_INIT;
	int err;
	*out = NULL;
	if ((err = cicd_manifest_set_new(&a)) < 0 || (err = cicd_manifest_set_new(&b)) < 0)
		goto done;
	if ((err = cicd_manifest_set_add_buffer(a, old_json, old_len, "live", NULL)) < 0 ||
	    (err = cicd_manifest_set_add_buffer(b, new_json, new_len, "desired", NULL)) < 0)
		goto done;
	if ((err = cicd_manifest_diff_new(&d, a, b)) < 0)
		goto done;
	if ((err = cicd_manifest_diff_render(&text, d, CICD_MANIFEST_DIFF_TEXT)) < 0)
		goto done;
	*out = cicd__buf_detach(&text);
	if (!*out)
		err = cicd__error_oom();
done:
	cicd_buf_dispose(&text);
	cicd_manifest_diff_free(d);
	cicd_manifest_set_free(a);
	cicd_manifest_set_free(b);
	return err;
}

/* The namespace the server gave the object ("" for cluster-scoped kinds); NULL when unreadable. */
static char *result_namespace(const char *json, size_t len)
{
	cicd_document *doc = NULL;
	const char *ns = NULL;
	char *copy;
	if (cicd_document_load_json(&doc, json, len, "object", NULL) < 0)
		return NULL;
	ns = cicd_node_scalar(cicd_node_get(cicd_node_get(cicd_document_root(doc, 0), "metadata"), "namespace"), NULL);
	copy = cicd__strdup(ns ? ns : "");
	cicd_document_free(doc);
	return copy;
}

static cicd__change *change_new(const char *action, const char *api_version, const char *kind, const char *ns,
                                const char *name, int wave)
{
	cicd__change *c = cicd__calloc(1, sizeof *c);
	if (!c)
		return NULL;
	c->wave = wave;
	c->action = cicd__strdup(action);
	c->api_version = cicd__strdup(api_version);
	c->kind = cicd__strdup(kind);
	c->namespace_ = cicd__strdup(ns ? ns : "");
	c->name = cicd__strdup(name);
	if (!c->action || !c->api_version || !c->kind || !c->namespace_ || !c->name) {
		cicd__change_free_item(c);
		return NULL;
	}
	return c;
}

/* True when the set itself makes namespace `ns`: its Namespace object is applied in an earlier wave. */
static int set_creates_namespace(const cicd_vec *objects, const char *ns)
{
	size_t i;
	for (i = 0; i < objects->count; i++) {
		const cicd__object *o = objects->items[i];
		if (!strcmp(o->kind, "Namespace") && !strcmp(o->name, ns))
			return 1;
	}
	return 0;
}

/*
 * *scope gets the scope that a CustomResourceDefinition of an earlier wave
 * of the set gives o's kind: 1 namespaced, 0 cluster-scoped, -1 when none
 * defines it.
 */
static int set_defines_kind(int *scope, const cicd_vec *objects, const cicd__object *o)
{
	const char *slash = strchr(o->api_version, '/');
	size_t i, glen = slash ? (size_t)(slash - o->api_version) : 0;
	int err;
	*scope = -1;
	for (i = 0; slash && i < objects->count && *scope < 0; i++) {
		const cicd__object *crd = objects->items[i];
		cicd_document *doc = NULL;
		const cicd_node *spec;
		const char *group, *kind, *sc;
		if (crd->wave >= o->wave || strcmp(crd->kind, "CustomResourceDefinition") != 0)
			continue;
		if ((err = cicd_document_load_json(&doc, crd->body, strlen(crd->body), crd->name, NULL)) < 0)
			return err;
		spec = cicd_node_get(cicd_document_root(doc, 0), "spec");
		group = cicd_node_scalar(cicd_node_get(spec, "group"), NULL);
		kind = cicd_node_scalar(cicd_node_get(cicd_node_get(spec, "names"), "kind"), NULL);
		sc = cicd_node_scalar(cicd_node_get(spec, "scope"), NULL);
		if (group && kind && strlen(group) == glen && !strncmp(group, o->api_version, glen) &&
		    !strcmp(kind, o->kind))
			*scope = !(sc && !strcmp(sc, "Cluster"));
		cicd_document_free(doc);
	}
	return 0;
}

/* *ns gets the object's namespace as far as the cluster could tell (for messages), even on failure. */
static int plan_object(cicd__change **out, const char **ns, cicd__cluster *cl, const cicd__object *o,
                       const char *target_ns, const cicd_vec *objects)
{
	cicd_buf live = CICD_BUF_INIT, dry = CICD_BUF_INIT, nlive = CICD_BUF_INIT, ndry = CICD_BUF_INIT;
	char *effective_ns = NULL;
	int action = 0, err, known, crd_scope = -1;
	*out = NULL;
	/* A kind the cluster does not know (yet) counts as namespaced unless the set's CRD says otherwise. */
	if ((known = cicd__object_namespace(ns, cl, o, target_ns)) < 0)
		return known;
	err = cl->ops->apply(cl, &action, &dry, o->body, strlen(o->body), target_ns, 1);
	/*
	 * A dry run cannot see what an earlier wave of this job creates: a
	 * custom kind's CRD (which then says where the kind lives) or the
	 * object's namespace. The object is new; the real apply validates it
	 * once they exist. Successful loads of the set's CRDs leave the dry
	 * run's message in place for when none defines the kind.
	 */
	if (err == CICD_ENOTFOUND && !known) {
		if ((err = set_defines_kind(&crd_scope, objects, o)) < 0)
			goto done;
		err = CICD_ENOTFOUND;
		if (crd_scope >= 0)
			*ns = cicd__namespace_in(crd_scope, o->namespace_, target_ns);
	}
	if (err == CICD_ENOTFOUND && (crd_scope >= 0 || set_creates_namespace(objects, *ns))) {
		err = 0;
		if (!(*out = change_new("create", o->api_version, o->kind, *ns, o->name, o->wave)))
			err = cicd__error_oom();
		goto done;
	}
	if (err < 0)
		goto done;
	/* The server knew the kind after all (a CRD created meanwhile): its answer decides. */
	if (!known && (effective_ns = result_namespace(dry.ptr, dry.size)))
		*ns = *effective_ns ? cicd__namespace_in(1, o->namespace_, target_ns) : "";
	cicd__free(effective_ns);
	if (!(effective_ns = cicd__strdup(*ns))) {
		err = cicd__error_oom();
		goto done;
	}
	err = cl->ops->get(cl, &live, o->api_version, o->kind, *ns, o->name);
	if (err == CICD_ENOTFOUND) {
		err = 0;
		if (!(*out = change_new("create", o->api_version, o->kind, effective_ns, o->name, o->wave)))
			err = cicd__error_oom();
		goto done;
	}
	if (err < 0 || (err = cicd__normalize_object(&nlive, live.ptr, live.size)) < 0 ||
	    (err = cicd__normalize_object(&ndry, dry.ptr, dry.size)) < 0)
		goto done;
	if (nlive.size == ndry.size && !memcmp(nlive.ptr, ndry.ptr, nlive.size)) {
		if (!(*out = change_new("unchanged", o->api_version, o->kind, effective_ns, o->name, o->wave)))
			err = cicd__error_oom();
		goto done;
	}
	if (!(*out = change_new("update", o->api_version, o->kind, effective_ns, o->name, o->wave))) {
		err = cicd__error_oom();
		goto done;
	}
	err = field_diff(&(*out)->diff, nlive.ptr, nlive.size, ndry.ptr, ndry.size);
done:
	if (err < 0 && *out) {
		cicd__change_free_item(*out);
		*out = NULL;
	}
	cicd__free(effective_ns);
	cicd_buf_dispose(&live);
	cicd_buf_dispose(&dry);
	cicd_buf_dispose(&nlive);
	cicd_buf_dispose(&ndry);
	return err;
}

/*
 * Whether an inventory row is an object of the version (its planned changes
 * say where each lives). "" on either side is a cluster-scoped object, one
 * per kind and name: it matches whatever namespace the other side carries,
 * so that rows written by earlier versions, which gave such objects the
 * target's namespace, are never pruned by mistake.
 */
static int in_version(const cicd_vec *changes, size_t count, const cicd__inventory_item *it)
{
	size_t i;
	for (i = 0; i < count; i++) {
		const cicd__change *c = changes->items[i];
		if (!strcmp(c->kind, it->kind) && !strcmp(c->name, it->name) &&
		    (!*c->namespace_ || !*it->namespace_ || !strcmp(c->namespace_, it->namespace_)))
			return 1;
	}
	return 0;
}

/* A delete change already planned for the object (two rows of one cluster-scoped object). */
static int delete_planned(const cicd_vec *changes, const char *kind, const char *ns, const char *name)
{
	size_t i;
	for (i = 0; i < changes->count; i++) {
		const cicd__change *c = changes->items[i];
		if (!strcmp(c->action, "delete") && !strcmp(c->kind, kind) && !strcmp(c->namespace_, ns) &&
		    !strcmp(c->name, name))
			return 1;
	}
	return 0;
}

int cicd__deploy_plan(cicd_vec *changes, cicd__store *st, cicd__cluster *cluster, const cicd__job *job,
                      const char *target_ns, const cicd_vec *objects, cicd__joblog *log, int (*keepalive)(void *),
                      void *keepalive_payload)
{
	cicd_vec inv = CICD_VEC_INIT;
	size_t i;
	int err = 0, counts[4] = {0, 0, 0, 0};
	for (i = 0; i < objects->count && !err; i++) {
		const cicd__object *o = objects->items[i];
		cicd__change *c = NULL;
		const char *ns = target_ns;
		char *label, *fields;
		if (keepalive && (err = keepalive(keepalive_payload)) < 0)
			break;
		err = plan_object(&c, &ns, cluster, o, target_ns, objects);
		if (err < 0) {
			char *what = cicd__object_label(o->kind, ns, o->name);
			/* The client's messages usually name the object already. */
			if (!what || strncmp(cicd_error_last()->message, what, strlen(what)) != 0)
				cicd__error_prefix("%s: ", what ? what : o->name);
			cicd__free(what);
			break;
		}
		if ((err = cicd__vec_push(changes, c)) < 0) {
			cicd__change_free_item(c);
			break;
		}
		counts[!strcmp(c->action, "create") ? 0 : !strcmp(c->action, "update") ? 1 : 2]++;
		if (!(label = cicd__object_label(c->kind, c->namespace_, c->name)))
			return cicd__error_oom();
		fields = cicd__fields("object", label, "action", c->action, (const char *)NULL);
		err = cicd__joblog_add(log, 3, fields, "plan: %s %s%s%s", c->action, label, c->diff ? "\n" : "",
		                       c->diff ? c->diff : "");
		cicd__free(fields);
		cicd__free(label);
	}
	if (!err && job->prune) {
		size_t planned = changes->count;
		err = cicd__store_inventory_list(st, &inv, job->target, job->project, job->set);
		for (i = 0; i < inv.count && !err; i++) {
			const cicd__inventory_item *it = inv.items[i];
			cicd__change *c;
			const char *ns;
			char *label;
			int namespaced;
			if (in_version(changes, planned, it))
				continue;
			if (keepalive && (err = keepalive(keepalive_payload)) < 0)
				break;
			/* A kind the cluster no longer knows keeps the row's namespace. */
			if ((err = cicd__kind_scope(&namespaced, cluster, it->api_version, it->kind)) < 0) {
				cicd__error_prefix("%s %s: ", it->kind, it->name);
				break;
			}
			err = 0;
			ns = namespaced ? it->namespace_ : "";
			if (delete_planned(changes, it->kind, ns, it->name))
				continue;
			if (!(c = change_new("delete", it->api_version, it->kind, ns, it->name, 0)) ||
			    cicd__vec_push(changes, c) < 0) {
				cicd__change_free_item(c);
				err = cicd__error_oom();
				break;
			}
			counts[3]++;
			if (!(label = cicd__object_label(c->kind, c->namespace_, c->name)))
				err = cicd__error_oom();
			else
				err = cicd__joblog_add(log, 3, NULL, "plan: delete %s", label);
			cicd__free(label);
		}
		cicd__vec_dispose_with(&inv, cicd__inventory_free_item);
	}
	if (!err)
		err = cicd__joblog_add(log, 3, NULL, "plan: %d to create, %d to update, %d unchanged, %d to delete",
		                       counts[0], counts[1], counts[2], counts[3]);
	return err;
}

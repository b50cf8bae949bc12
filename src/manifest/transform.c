/*
 * Transforms of a set: images, labels, annotations, namespace. Objects are
 * edited copy-on-write (core/node_build.h): the loaded documents stay as
 * they were, each object gets a new root that shares every untouched
 * subtree with the old one.
 */
#include <string.h>

#include "core/buf.h"
#include "core/error.h"
#include "core/node_build.h"
#include "manifest.h"

/* ---- images ---- */

typedef struct {
	cicd_arena *arena;
	const char *name;
	const char *new_name;
	const char *new_tag;
	const char *digest;
	size_t changed;
	int rc;
} image_ctx;

/* Splits a reference into name, ":tag" and "@digest" (either may be empty), as kustomize's image.Split does. */
static void split_image(const char *ref, size_t *name_len, const char **suffix)
{
	const char *at = strchr(ref, '@'), *end = at ? at : ref + strlen(ref);
	const char *slash = NULL, *colon = NULL, *p;
	for (p = ref; p < end; p++) {
		if (*p == '/')
			slash = p;
		else if (*p == ':')
			colon = p;
	}
	if (colon && slash && colon < slash)
		colon = NULL; /* a registry port, not a tag */
	*name_len = (size_t)((colon ? colon : end) - ref);
	*suffix = ref + *name_len;
}

static cicd_node *new_image(image_ctx *c, const cicd_node *image)
{
	const char *ref = image->u.scalar.text, *suffix;
	size_t name_len;
	cicd_buf b = CICD_BUF_INIT;
	cicd_node *n = NULL;
	int rc;
	split_image(ref, &name_len, &suffix);
	if (name_len != strlen(c->name) || memcmp(ref, c->name, name_len) != 0)
		return NULL;
	rc = c->new_name ? cicd__buf_puts(&b, c->new_name) : cicd__buf_put(&b, ref, name_len);
	if (!rc && c->digest)
		rc = cicd__buf_printf(&b, "@%s", c->digest);
	else if (!rc && c->new_tag)
		rc = cicd__buf_printf(&b, ":%s", c->new_tag);
	else if (!rc)
		rc = cicd__buf_puts(&b, suffix);
	if (!rc)
		n = cicd__node_new_scalar(c->arena, b.ptr, b.size, CICD_VALUE_STRING);
	if (!n)
		c->rc = CICD_ENOMEM;
	cicd_buf_dispose(&b);
	return n;
}

static int is_container_list(const cicd_node *key)
{
	return cicd__node_is(key, "containers") || cicd__node_is(key, "initContainers") ||
	       cicd__node_is(key, "ephemeralContainers");
}

/* A new container list when an image in it changed, else NULL. */
static cicd_node *edit_containers(image_ctx *c, const cicd_node *list)
{
	cicd_node *copy = NULL;
	size_t i;
	for (i = 0; i < list->u.seq.count && !c->rc; i++) {
		const cicd_node *item = list->u.seq.items[i];
		const cicd_node *image = cicd__node_get(item, "image", 5);
		cicd_node *ni, *edited;
		if (!image || image->kind != CICD_NODE_SCALAR || image->value_type != CICD_VALUE_STRING)
			continue;
		if ((ni = new_image(c, image)) == NULL)
			continue;
		if (!copy && (copy = cicd__node_own(c->arena, list)) == NULL)
			break;
		edited = cicd__node_edit_item(c->arena, copy, i);
		if (!edited || cicd__node_map_set(c->arena, edited, "image", 5, ni)) {
			c->rc = CICD_ENOMEM;
			break;
		}
		c->changed++;
	}
	return c->rc ? NULL : copy;
}

/* Walks the whole object; returns the edited node, or NULL when nothing below changed. */
static cicd_node *walk_images(image_ctx *c, const cicd_node *n)
{
	cicd_node *copy = NULL;
	size_t i;
	if (n->kind == CICD_NODE_SCALAR)
		return NULL;
	if (n->kind == CICD_NODE_SEQUENCE) {
		for (i = 0; i < n->u.seq.count && !c->rc; i++) {
			cicd_node *e = walk_images(c, n->u.seq.items[i]);
			if (!e)
				continue;
			if (!copy && (copy = cicd__node_own(c->arena, n)) == NULL) {
				c->rc = CICD_ENOMEM;
				break;
			}
			copy->u.seq.items[i] = e;
		}
		return c->rc ? NULL : copy;
	}
	for (i = 0; i < n->u.map.count && !c->rc; i++) {
		const cicd_node *k = n->u.map.pairs[i].key, *v = n->u.map.pairs[i].value;
		cicd_node *e = is_container_list(k) && v->kind == CICD_NODE_SEQUENCE ? edit_containers(c, v)
										      : walk_images(c, v);
		if (!e)
			continue;
		if (!copy && (copy = cicd__node_own(c->arena, n)) == NULL) {
			c->rc = CICD_ENOMEM;
			break;
		}
		copy->u.map.pairs[i].value = e;
	}
	return c->rc ? NULL : copy;
}

int cicd_manifest_set_image(size_t *changed, cicd_manifest_set *set, const char *name, const char *new_name,
			    const char *new_tag, const char *digest)
{
	image_ctx c;
	size_t i;
	if (changed)
		*changed = 0;
	if (!set || !name || !*name)
		return cicd__error_set(CICD_EINVALID, "cicd_manifest_set_image: set and name are required");
	if ((new_name && !*new_name) || (new_tag && !*new_tag) || (digest && !*digest))
		return cicd__error_set(CICD_EINVALID, "image %s: new name, tag and digest must not be empty", name);
	if (new_tag && (strchr(new_tag, ':') || strchr(new_tag, '@') || strchr(new_tag, '/')))
		return cicd__error_set(CICD_EINVALID, "image %s: invalid tag \"%s\"", name, new_tag);
	if (digest && !strchr(digest, ':'))
		return cicd__error_set(CICD_EINVALID, "image %s: a digest is ALGORITHM:HEX, not \"%s\"", name, digest);
	memset(&c, 0, sizeof c);
	c.arena = &set->arena;
	c.name = name;
	c.new_name = new_name;
	c.new_tag = new_tag;
	c.digest = digest;
	for (i = 0; i < set->count && !c.rc; i++) {
		cicd_node *root = walk_images(&c, set->items[i]->root);
		if (root)
			set->items[i]->root = root;
	}
	if (c.rc)
		return c.rc;
	if (changed)
		*changed = c.changed;
	return 0;
}

/* ---- labels and annotations ---- */

static int is_workload(const cicd_manifest *o)
{
	static const char *const kinds[] = {"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet",
					    "Job",        "ReplicationController"};
	size_t i;
	for (i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
		if (!strcmp(o->kind, kinds[i]))
			return 1;
	return 0;
}

/* Sets section[key] = value in metadata of the owned mapping `holder` (an object or a template). */
static int set_meta(cicd_arena *a, cicd_node *holder, const char *section, const char *key, const char *value)
{
	cicd_node *meta = cicd__node_edit_child(a, holder, "metadata", CICD_NODE_MAPPING);
	cicd_node *map = meta ? cicd__node_edit_child(a, meta, section, CICD_NODE_MAPPING) : NULL;
	if (!map)
		return CICD_ENOMEM;
	return cicd__node_map_set_string(a, map, key, value);
}

/* An existing mapping under key of an owned map, made editable; NULL when absent. */
static cicd_node *existing_map(cicd_arena *a, cicd_node *map, const char *key, int *rc)
{
	const cicd_node *v = cicd__node_get(map, key, strlen(key));
	cicd_node *e;
	if (!v || v->kind != CICD_NODE_MAPPING)
		return NULL;
	e = cicd__node_edit_child(a, map, key, CICD_NODE_MAPPING);
	if (!e)
		*rc = CICD_ENOMEM;
	return e;
}

static int set_meta_all(cicd_manifest_set *set, const char *section, const char *key, const char *value,
			unsigned int flags)
{
	cicd_arena *a = &set->arena;
	size_t i;
	int rc = 0;
	for (i = 0; i < set->count && !rc; i++) {
		cicd_manifest *o = set->items[i];
		cicd_node *root = cicd__node_own(a, o->root), *spec, *tpl, *job, *job_spec;
		if (!root)
			return CICD_ENOMEM;
		o->root = root;
		rc = set_meta(a, root, section, key, value);
		if (rc || !(flags & CICD_MANIFEST_META_TEMPLATES))
			continue;
		spec = existing_map(a, root, "spec", &rc);
		if (!spec)
			continue;
		if (is_workload(o) && (tpl = existing_map(a, spec, "template", &rc)) != NULL)
			rc = set_meta(a, tpl, section, key, value);
		if (!rc && !strcmp(o->kind, "CronJob") && (job = existing_map(a, spec, "jobTemplate", &rc)) != NULL) {
			rc = set_meta(a, job, section, key, value);
			if (!rc && (job_spec = existing_map(a, job, "spec", &rc)) != NULL &&
			    (tpl = existing_map(a, job_spec, "template", &rc)) != NULL)
				rc = set_meta(a, tpl, section, key, value);
		}
	}
	return rc;
}

int cicd_manifest_set_label(cicd_manifest_set *set, const char *key, const char *value, unsigned int flags)
{
	const char *why;
	if (!set || !key || !value)
		return cicd__error_set(CICD_EINVALID, "cicd_manifest_set_label: set, key and value are required");
	if ((why = cicd__check_qualified_name(key, strlen(key))) != NULL)
		return cicd__error_set(CICD_EINVALID, "label key \"%s\": %s", key, why);
	if ((why = cicd__check_label_value(value, strlen(value))) != NULL)
		return cicd__error_set(CICD_EINVALID, "label %s: value \"%s\": %s", key, value, why);
	return set_meta_all(set, "labels", key, value, flags);
}

int cicd_manifest_set_annotation(cicd_manifest_set *set, const char *key, const char *value, unsigned int flags)
{
	const char *why;
	if (!set || !key || !value)
		return cicd__error_set(CICD_EINVALID, "cicd_manifest_set_annotation: set, key and value are required");
	if ((why = cicd__check_qualified_name(key, strlen(key))) != NULL)
		return cicd__error_set(CICD_EINVALID, "annotation key \"%s\": %s", key, why);
	return set_meta_all(set, "annotations", key, value, flags);
}

/* ---- namespace ---- */

/* Whether a binding subject names a ServiceAccount of the set, in its namespace before the change. */
static int subject_in_set(const cicd_manifest_set *set, const char *const *old_ns, const cicd_node *subject,
			  const char *binding_ns)
{
	const char *kind = cicd__manifest_str(subject, "kind"), *name = cicd__manifest_str(subject, "name");
	const char *ns = cicd__manifest_str(subject, "namespace");
	size_t i;
	if (!kind || strcmp(kind, "ServiceAccount") || !name)
		return 0;
	if (!ns)
		ns = binding_ns;
	for (i = 0; i < set->count; i++) {
		const cicd_manifest *o = set->items[i];
		if (!strcmp(o->kind, "ServiceAccount") && !o->group[0] && !strcmp(o->name, name) &&
		    !strcmp(old_ns[i], ns))
			return 1;
	}
	return 0;
}

static int retarget_subjects(cicd_manifest_set *set, cicd_manifest *o, const char *const *old_ns, const char *ns)
{
	cicd_arena *a = &set->arena;
	const cicd_node *subjects = cicd__node_get(o->root, "subjects", 8);
	cicd_node *root, *copy = NULL;
	size_t i;
	if (!subjects || subjects->kind != CICD_NODE_SEQUENCE)
		return 0;
	for (i = 0; i < subjects->u.seq.count; i++) {
		cicd_node *s;
		if (!subject_in_set(set, old_ns, subjects->u.seq.items[i], o->ns))
			continue;
		if (!copy) {
			root = cicd__node_own(a, o->root);
			copy = root ? cicd__node_edit_child(a, root, "subjects", CICD_NODE_SEQUENCE) : NULL;
			if (!copy)
				return CICD_ENOMEM;
			o->root = root;
		}
		s = cicd__node_edit_item(a, copy, i);
		if (!s || cicd__node_map_set_string(a, s, "namespace", ns))
			return CICD_ENOMEM;
	}
	return 0;
}

int cicd_manifest_set_namespace(cicd_manifest_set *set, const char *ns)
{
	cicd_arena *a = &set->arena;
	const char **old_ns;
	const char *why;
	size_t i;
	int rc = 0;
	if (!set || !ns)
		return cicd__error_set(CICD_EINVALID, "cicd_manifest_set_namespace: set and ns are required");
	if ((why = cicd__check_dns1123_label(ns, strlen(ns))) != NULL)
		return cicd__error_set(CICD_EINVALID, "namespace \"%s\": %s", ns, why);
	old_ns = cicd__arena_alloc(a, (set->count ? set->count : 1) * sizeof *old_ns);
	if (!old_ns)
		return cicd__error_oom();
	for (i = 0; i < set->count; i++)
		old_ns[i] = set->items[i]->ns;
	for (i = 0; i < set->count && !rc; i++) {
		cicd_manifest *o = set->items[i];
		if (!o->group[0] || strcmp(o->group, "rbac.authorization.k8s.io") ||
		    (strcmp(o->kind, "RoleBinding") && strcmp(o->kind, "ClusterRoleBinding")))
			continue;
		rc = retarget_subjects(set, o, old_ns, ns);
	}
	for (i = 0; i < set->count && !rc; i++) {
		cicd_manifest *o = set->items[i];
		cicd_node *root, *meta;
		if (cicd__manifest_scope(set, o) == CICD_MANIFEST_SCOPE_CLUSTER)
			continue;
		root = cicd__node_own(a, o->root);
		meta = root ? cicd__node_edit_child(a, root, "metadata", CICD_NODE_MAPPING) : NULL;
		if (!meta || cicd__node_map_set_string(a, meta, "namespace", ns))
			return CICD_ENOMEM;
		o->root = root;
		rc = cicd__manifest_refresh(o);
	}
	return rc;
}

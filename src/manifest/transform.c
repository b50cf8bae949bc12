/*
 * Transforms of a set: images, labels, annotations, namespace. Objects are
 * edited copy-on-write (core/node_build.h) with a fresh builder mark per
 * call, so no tree made before the call is ever written to: each object
 * gets a new root sharing every untouched subtree, and the new roots are
 * committed together at the end — a call that fails changes nothing.
 */
#include <string.h>

#include "core/alloc.h"
#include "core/buf.h"
#include "core/error.h"
#include "core/node_build.h"
#include "manifest.h"

/* New roots of a transform, committed only when every object was done. */
typedef struct {
	cicd_manifest_set *set;
	cicd_node_builder b;
	cicd_node **roots; /* NULL entry: object unchanged */
} edit;

static int edit_begin(edit *e, cicd_manifest_set *set)
{
	e->set = set;
	set->transforms++;
	/* Marks 1..255; after that every edit copies (mark 0), which is as correct, only larger. */
	cicd__node_builder_init(&e->b, &set->arena, set->transforms < 256 ? (uint8_t)set->transforms : 0);
	e->roots = cicd__calloc(set->count ? set->count : 1, sizeof *e->roots);
	return e->roots ? 0 : cicd__error_oom();
}

/* The editable root of object i for this transform (a copy the first time). */
static cicd_node *edit_root(edit *e, size_t i)
{
	if (!e->roots[i])
		e->roots[i] = cicd__node_own(&e->b, e->set->items[i]->root);
	return e->roots[i];
}

static void edit_end(edit *e, int commit)
{
	size_t i;
	for (i = 0; commit && i < e->set->count; i++)
		if (e->roots[i])
			e->set->items[i]->root = e->roots[i];
	cicd__free(e->roots);
}

/* ---- images ---- */

typedef struct {
	cicd_node_builder *b;
	const char *name;
	const char *new_name;
	const char *new_tag;
	const char *digest;
	size_t changed;
	int rc;
} image_ctx;

/* Splits a reference into name and suffix (":tag", "@digest" or both), as kustomize's image.Split does. */
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

/* The new image scalar when `image` matches, else NULL (c->rc set on OOM). */
static cicd_node *new_image(image_ctx *c, const cicd_node *image)
{
	const char *ref = image->u.scalar.text, *suffix;
	size_t name_len;
	cicd_buf text = CICD_BUF_INIT;
	cicd_node *n = NULL;
	int rc;
	split_image(ref, &name_len, &suffix);
	if (name_len != strlen(c->name) || memcmp(ref, c->name, name_len) != 0)
		return NULL;
	rc = c->new_name ? cicd__buf_puts(&text, c->new_name) : cicd__buf_put(&text, ref, name_len);
	if (!rc && c->digest)
		rc = cicd__buf_printf(&text, "@%s", c->digest);
	else if (!rc && c->new_tag)
		rc = cicd__buf_printf(&text, ":%s", c->new_tag);
	else if (!rc)
		rc = cicd__buf_puts(&text, suffix);
	if (!rc)
		n = cicd__node_new_scalar(c->b, text.ptr, text.size, CICD_VALUE_STRING);
	if (!n)
		c->rc = CICD_ENOMEM;
	cicd_buf_dispose(&text);
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
	for (i = 0; i < list->count && !c->rc; i++) {
		const cicd_node *image = cicd__node_get(list->u.seq.items[i], "image", 5);
		cicd_node *ni, *item;
		if (!image || image->kind != CICD_NODE_SCALAR || image->value_type != CICD_VALUE_STRING)
			continue;
		if ((ni = new_image(c, image)) == NULL)
			continue;
		if (!copy && (copy = cicd__node_own(c->b, list)) == NULL) {
			c->rc = CICD_ENOMEM;
			break;
		}
		item = cicd__node_edit_item(c->b, copy, i);
		if (!item || cicd__node_map_set(c->b, item, "image", 5, ni)) {
			c->rc = CICD_ENOMEM;
			break;
		}
		c->changed++;
	}
	return c->rc ? NULL : copy;
}

/* Walks a whole object; returns the edited node, or NULL when nothing below changed. */
static cicd_node *walk_images(image_ctx *c, const cicd_node *n)
{
	cicd_node *copy = NULL;
	size_t i;
	if (n->kind == CICD_NODE_SCALAR)
		return NULL;
	if (n->kind == CICD_NODE_SEQUENCE) {
		for (i = 0; i < n->count && !c->rc; i++) {
			cicd_node *e = walk_images(c, n->u.seq.items[i]);
			if (!e)
				continue;
			if (!copy && (copy = cicd__node_own(c->b, n)) == NULL) {
				c->rc = CICD_ENOMEM;
				break;
			}
			copy->u.seq.items[i] = e;
		}
		return c->rc ? NULL : copy;
	}
	for (i = 0; i < n->count && !c->rc; i++) {
		const cicd_node *k = n->u.map.pairs[i].key, *v = n->u.map.pairs[i].value;
		cicd_node *e =
		    is_container_list(k) && v->kind == CICD_NODE_SEQUENCE ? edit_containers(c, v) : walk_images(c, v);
		if (!e)
			continue;
		if (!copy && (copy = cicd__node_own(c->b, n)) == NULL) {
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
	edit e;
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
	if (edit_begin(&e, set))
		return CICD_ENOMEM;
	memset(&c, 0, sizeof c);
	c.b = &e.b;
	c.name = name;
	c.new_name = new_name;
	c.new_tag = new_tag;
	c.digest = digest;
	for (i = 0; i < set->count && !c.rc; i++)
		e.roots[i] = walk_images(&c, set->items[i]->root);
	edit_end(&e, !c.rc);
	if (c.rc)
		return c.rc;
	if (changed)
		*changed = c.changed;
	return 0;
}

/* ---- labels and annotations ---- */

static int is_workload(const cicd_manifest *o)
{
	static const char *const kinds[] = {"Deployment", "StatefulSet", "DaemonSet",
	                                    "ReplicaSet", "Job",         "ReplicationController"};
	size_t i;
	for (i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
		if (!strcmp(o->kind, kinds[i]))
			return 1;
	return 0;
}

/* Sets section[key] = value in the metadata of `holder` (an object or a template), an editable mapping. */
static int set_meta(cicd_node_builder *b, cicd_node *holder, const char *section, const char *key, const char *value)
{
	cicd_node *meta = cicd__node_edit_child(b, holder, "metadata", CICD_NODE_MAPPING);
	cicd_node *map = meta ? cicd__node_edit_child(b, meta, section, CICD_NODE_MAPPING) : NULL;
	if (!map)
		return CICD_ENOMEM;
	return cicd__node_map_set_string(b, map, key, value);
}

/* An existing mapping under key of an editable map, made editable; NULL when absent (or on OOM, with *rc set). */
static cicd_node *existing_map(cicd_node_builder *b, cicd_node *map, const char *key, int *rc)
{
	const cicd_node *v = cicd__node_get(map, key, strlen(key));
	cicd_node *e;
	if (!v || v->kind != CICD_NODE_MAPPING)
		return NULL;
	e = cicd__node_edit_child(b, map, key, CICD_NODE_MAPPING);
	if (!e)
		*rc = CICD_ENOMEM;
	return e;
}

static int set_meta_templates(cicd_node_builder *b, const cicd_manifest *o, cicd_node *root, const char *section,
                              const char *key, const char *value)
{
	cicd_node *spec, *tpl, *job, *job_spec;
	int rc = 0;
	spec = existing_map(b, root, "spec", &rc);
	if (!spec)
		return rc;
	if (is_workload(o) && (tpl = existing_map(b, spec, "template", &rc)) != NULL)
		rc = set_meta(b, tpl, section, key, value);
	if (!rc && !strcmp(o->kind, "CronJob") && (job = existing_map(b, spec, "jobTemplate", &rc)) != NULL) {
		rc = set_meta(b, job, section, key, value);
		if (!rc && (job_spec = existing_map(b, job, "spec", &rc)) != NULL &&
		    (tpl = existing_map(b, job_spec, "template", &rc)) != NULL)
			rc = set_meta(b, tpl, section, key, value);
	}
	return rc;
}

static int set_meta_all(cicd_manifest_set *set, const char *section, const char *key, const char *value,
                        unsigned int flags)
{
	edit e;
	size_t i;
	int rc;
	if ((rc = edit_begin(&e, set)))
		return rc;
	for (i = 0; i < set->count && !rc; i++) {
		cicd_node *root = edit_root(&e, i);
		rc = root ? set_meta(&e.b, root, section, key, value) : CICD_ENOMEM;
		if (!rc && (flags & CICD_MANIFEST_META_TEMPLATES))
			rc = set_meta_templates(&e.b, set->items[i], root, section, key, value);
	}
	edit_end(&e, !rc);
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

/* Whether a binding subject names a ServiceAccount of the set (in its namespace before the change). */
static int subject_in_set(const cicd_manifest_set *set, const cicd_node *subject, const char *binding_ns)
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
		if (!strcmp(o->kind, "ServiceAccount") && !o->group[0] && !strcmp(o->name, name) && !strcmp(o->ns, ns))
			return 1;
	}
	return 0;
}

static int retarget_subjects(edit *e, size_t i, const char *ns)
{
	const cicd_manifest *o = e->set->items[i];
	const cicd_node *subjects = cicd__node_get(o->root, "subjects", 8);
	cicd_node *copy = NULL;
	size_t j;
	if (!subjects || subjects->kind != CICD_NODE_SEQUENCE)
		return 0;
	for (j = 0; j < subjects->count; j++) {
		cicd_node *s, *root;
		if (!subject_in_set(e->set, subjects->u.seq.items[j], o->ns))
			continue;
		if (!copy) {
			root = edit_root(e, i);
			copy = root ? cicd__node_edit_child(&e->b, root, "subjects", CICD_NODE_SEQUENCE) : NULL;
			if (!copy)
				return CICD_ENOMEM;
		}
		s = cicd__node_edit_item(&e->b, copy, j);
		if (!s || cicd__node_map_set_string(&e->b, s, "namespace", ns))
			return CICD_ENOMEM;
	}
	return 0;
}

static int is_binding(const cicd_manifest *o)
{
	return !strcmp(o->group, "rbac.authorization.k8s.io") &&
	       (!strcmp(o->kind, "RoleBinding") || !strcmp(o->kind, "ClusterRoleBinding"));
}

int cicd_manifest_set_namespace(cicd_manifest_set *set, const char *ns)
{
	const char *why, *copy;
	edit e;
	size_t i;
	int rc;
	if (!set || !ns)
		return cicd__error_set(CICD_EINVALID, "cicd_manifest_set_namespace: set and ns are required");
	if ((why = cicd__check_dns1123_label(ns, strlen(ns))) != NULL)
		return cicd__error_set(CICD_EINVALID, "namespace \"%s\": %s", ns, why);
	copy = cicd__arena_strdup(&set->arena, ns);
	if (!copy)
		return cicd__error_oom();
	if ((rc = edit_begin(&e, set)))
		return rc;
	/* Subjects first: they are matched against the namespaces as they were. */
	for (i = 0; i < set->count && !rc; i++)
		if (is_binding(set->items[i]))
			rc = retarget_subjects(&e, i, copy);
	for (i = 0; i < set->count && !rc; i++) {
		cicd_node *root, *meta;
		if (cicd__manifest_scope(set, set->items[i]) == CICD_MANIFEST_SCOPE_CLUSTER)
			continue;
		root = edit_root(&e, i);
		meta = root ? cicd__node_edit_child(&e.b, root, "metadata", CICD_NODE_MAPPING) : NULL;
		if (!meta || cicd__node_map_set_string(&e.b, meta, "namespace", copy))
			rc = CICD_ENOMEM;
	}
	for (i = 0; i < set->count && !rc; i++)
		if (cicd__manifest_scope(set, set->items[i]) != CICD_MANIFEST_SCOPE_CLUSTER)
			set->items[i]->ns = copy;
	edit_end(&e, !rc);
	return rc;
}

/*
 * OpenAPI checks of manifest objects: types, required fields, unknown
 * fields. The schema constructs Kubernetes uses are handled: $ref (v2
 * `#/definitions/`, v3 `#/components/schemas/`), allOf, properties,
 * additionalProperties, items, required, the int-or-string format and
 * x-kubernetes-int-or-string, Quantity (a string or a number),
 * x-kubernetes-preserve-unknown-fields. The same checker applies the
 * openAPIV3Schema of a CustomResourceDefinition to its custom resources.
 */
#include "openapi.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/alloc.h"
#include "core/error.h"
#include "core/hashmap.h"

#define MAX_REF_HOPS 32
#define PATH_MAX_LEN 1024
#define REF_V2       "#/definitions/"
#define REF_V3       "#/components/schemas/"

struct cicd_openapi {
	cicd_document *doc;
	const cicd_node *definitions;
	const char *ref_prefix;
	cicd_hashmap by_gvk; /* "group/version/Kind" -> definition node; keys owned in `keys` */
	cicd_vec keys;
};

static void free_key(void *k)
{
	cicd__free(k);
}

void cicd__openapi_free(cicd_openapi *s)
{
	if (!s)
		return;
	cicd__hashmap_dispose(&s->by_gvk);
	cicd__vec_dispose_with(&s->keys, free_key);
	cicd_document_free(s->doc);
	cicd__free(s);
}

static int index_definition(cicd_openapi *s, const cicd_node *def)
{
	const cicd_node *gvks = cicd__node_get(def, "x-kubernetes-group-version-kind", 31);
	size_t i;
	if (!gvks || gvks->kind != CICD_NODE_SEQUENCE)
		return 0;
	for (i = 0; i < gvks->count; i++) {
		const cicd_node *g = gvks->u.seq.items[i];
		const char *group = cicd__manifest_str(g, "group"), *version = cicd__manifest_str(g, "version");
		const char *kind = cicd__manifest_str(g, "kind");
		size_t n;
		char *key;
		union {
			const cicd_node *c;
			void *m;
		} u;
		if (!version || !kind)
			continue;
		n = strlen(group ? group : "") + strlen(version) + strlen(kind) + 3;
		key = cicd__malloc(n);
		if (!key || cicd__vec_push(&s->keys, key)) {
			cicd__free(key);
			return cicd__error_oom();
		}
		snprintf(key, n, "%s/%s/%s", group ? group : "", version, kind);
		u.c = def;
		if (cicd__hashmap_put(&s->by_gvk, key, n - 1, u.m, NULL))
			return CICD_ENOMEM;
	}
	return 0;
}

int cicd__openapi_load(cicd_openapi **out, const char *json, size_t len)
{
	cicd_openapi *s;
	const cicd_node *root;
	size_t i;
	int rc;
	*out = NULL;
	s = cicd__calloc(1, sizeof *s);
	if (!s)
		return cicd__error_oom();
	if ((rc = cicd_document_load_json(&s->doc, json, len, "openapi", NULL))) {
		cicd__openapi_free(s);
		return rc;
	}
	root = cicd_document_root(s->doc, 0);
	s->definitions = cicd__node_get(root, "definitions", 11);
	s->ref_prefix = REF_V2;
	if (!s->definitions && cicd__node_get(root, "components", 10)) {
		s->definitions = cicd__node_get(cicd__node_get(root, "components", 10), "schemas", 7);
		s->ref_prefix = REF_V3;
	}
	if (!s->definitions && root && root->kind == CICD_NODE_MAPPING && !cicd__node_get(root, "swagger", 7))
		s->definitions = root; /* just the definitions object */
	if (!s->definitions || s->definitions->kind != CICD_NODE_MAPPING) {
		cicd__openapi_free(s);
		return cicd__error_set_at(CICD_EPARSE, "openapi", 1, 1, "the OpenAPI document has no definitions");
	}
	for (i = 0; i < s->definitions->count; i++) {
		if ((rc = index_definition(s, s->definitions->u.map.pairs[i].value))) {
			cicd__openapi_free(s);
			return rc;
		}
	}
	*out = s;
	return 0;
}

typedef struct {
	const cicd_node *definitions; /* NULL: $ref is not followed (CRD schemas have none) */
	const char *ref_prefix;
	cicd_diagnostics *d;
	const cicd_manifest *obj;
	char path[PATH_MAX_LEN];
	size_t path_len;
	int rc;
} check_ctx;

static void report(check_ctx *c, const cicd_node *at, const char *fmt, ...) CICD__PRINTF(3, 4);
static void report(check_ctx *c, const cicd_node *at, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	const char *file = at && at->line ? at->meta->file : c->obj->file;
	unsigned int line = at && at->line ? at->line : c->obj->line, col = at && at->line ? at->column : 1;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (!c->rc)
		c->rc = cicd__diagnostics_add(c->d, CICD_SEVERITY_ERROR, CICD_EVALIDATE, file, line, col, "%s%s%s",
		                              c->path, c->path_len ? ": " : "", msg);
}

/* Follows $ref links; NULL for a dangling or looping reference. */
static const cicd_node *resolve(const check_ctx *c, const cicd_node *schema, const char **def_name)
{
	int hops;
	for (hops = 0; hops < MAX_REF_HOPS; hops++) {
		const char *ref = cicd__manifest_str(schema, "$ref");
		if (!ref)
			return schema;
		if (!c->definitions || strncmp(ref, c->ref_prefix, strlen(c->ref_prefix)))
			return NULL;
		*def_name = ref + strlen(c->ref_prefix);
		schema = cicd__node_get(c->definitions, *def_name, strlen(*def_name));
		if (!schema)
			return NULL;
	}
	return NULL;
}

static size_t path_push_key(check_ctx *c, const char *key, size_t len)
{
	size_t old = c->path_len;
	int n = snprintf(c->path + old, sizeof c->path - old, "%s%.*s", old ? "." : "", (int)len, key);
	if (n > 0)
		c->path_len = old + (size_t)n < sizeof c->path ? old + (size_t)n : sizeof c->path - 1;
	return old;
}

static size_t path_push_index(check_ctx *c, size_t i)
{
	size_t old = c->path_len;
	int n = snprintf(c->path + old, sizeof c->path - old, "[%zu]", i);
	if (n > 0)
		c->path_len = old + (size_t)n < sizeof c->path ? old + (size_t)n : sizeof c->path - 1;
	return old;
}

static void path_pop(check_ctx *c, size_t old)
{
	c->path_len = old;
	c->path[old] = '\0';
}

static const char *kind_name(const cicd_node *v)
{
	if (v->kind == CICD_NODE_MAPPING)
		return "object";
	if (v->kind == CICD_NODE_SEQUENCE)
		return "array";
	switch (v->value_type) {
	case CICD_VALUE_BOOL:
		return "boolean";
	case CICD_VALUE_INT:
		return "integer";
	case CICD_VALUE_FLOAT:
		return "number";
	default:
		return "string";
	}
}

static int is_true(const cicd_node *n)
{
	return n && n->kind == CICD_NODE_SCALAR && n->value_type == CICD_VALUE_BOOL && cicd__node_is(n, "true");
}

static void check_value(check_ctx *c, const cicd_node *v, const cicd_node *schema);

static void check_object(check_ctx *c, const cicd_node *v, const cicd_node *schema)
{
	const cicd_node *props = cicd__node_get(schema, "properties", 10);
	const cicd_node *extra = cicd__node_get(schema, "additionalProperties", 20);
	const cicd_node *required = cicd__node_get(schema, "required", 8);
	size_t i;
	int open = is_true(cicd__node_get(schema, "x-kubernetes-preserve-unknown-fields", 36)) || (!props && !extra) ||
	           (extra && extra->kind == CICD_NODE_SCALAR && is_true(extra));
	for (i = 0; required && required->kind == CICD_NODE_SEQUENCE && i < required->count; i++) {
		const cicd_node *r = required->u.seq.items[i];
		if (r->kind == CICD_NODE_SCALAR && !cicd__node_get(v, r->u.scalar.text, r->len))
			report(c, v, "missing required field \"%s\"", r->u.scalar.text);
	}
	for (i = 0; i < v->count && !c->rc; i++) {
		const cicd_node *k = v->u.map.pairs[i].key, *val = v->u.map.pairs[i].value, *sub = NULL;
		size_t old;
		if (k->kind != CICD_NODE_SCALAR)
			continue;
		if (props)
			sub = cicd__node_get(props, k->u.scalar.text, k->len);
		/* The API server owns these at the top of every object, whatever a CRD's schema lists. */
		if (!sub && !c->path_len && v == c->obj->root &&
		    (cicd__node_is(k, "apiVersion") || cicd__node_is(k, "kind") || cicd__node_is(k, "metadata")))
			continue;
		if (!sub && extra && extra->kind == CICD_NODE_MAPPING)
			sub = extra;
		old = path_push_key(c, k->u.scalar.text, k->len);
		if (sub)
			check_value(c, val, sub);
		else if (!open)
			report(c, k, "unknown field \"%s\"", k->u.scalar.text);
		path_pop(c, old);
	}
}

static void check_value(check_ctx *c, const cicd_node *v, const cicd_node *schema)
{
	const char *def = "", *type, *format;
	const cicd_node *all_of;
	size_t i;
	schema = resolve(c, schema, &def);
	if (!schema || c->rc)
		return;
	if (v->kind == CICD_NODE_SCALAR && v->value_type == CICD_VALUE_NULL)
		return; /* null means "not set" to the API server */
	all_of = cicd__node_get(schema, "allOf", 5);
	for (i = 0; all_of && all_of->kind == CICD_NODE_SEQUENCE && i < all_of->count && !c->rc; i++)
		check_value(c, v, all_of->u.seq.items[i]);
	if (is_true(cicd__node_get(schema, "x-kubernetes-int-or-string", 26))) {
		if (v->kind != CICD_NODE_SCALAR ||
		    (v->value_type != CICD_VALUE_STRING && v->value_type != CICD_VALUE_INT))
			report(c, v, "expected integer or string, got %s", kind_name(v));
		return;
	}
	type = cicd__manifest_str(schema, "type");
	format = cicd__manifest_str(schema, "format");
	if (!strcmp(def, "io.k8s.apimachinery.pkg.api.resource.Quantity")) {
		if (v->kind != CICD_NODE_SCALAR || v->value_type == CICD_VALUE_BOOL)
			report(c, v, "expected a quantity (string or number), got %s", kind_name(v));
		return;
	}
	if (!type) {
		if (v->kind == CICD_NODE_MAPPING && cicd__node_get(schema, "properties", 10))
			check_object(c, v, schema);
		return;
	}
	if (!strcmp(type, "object")) {
		if (v->kind != CICD_NODE_MAPPING)
			report(c, v, "expected object, got %s", kind_name(v));
		else
			check_object(c, v, schema);
	} else if (!strcmp(type, "array")) {
		const cicd_node *items = cicd__node_get(schema, "items", 5);
		if (v->kind != CICD_NODE_SEQUENCE) {
			report(c, v, "expected array, got %s", kind_name(v));
			return;
		}
		for (i = 0; items && i < v->count && !c->rc; i++) {
			size_t old = path_push_index(c, i);
			check_value(c, v->u.seq.items[i], items);
			path_pop(c, old);
		}
	} else if (!strcmp(type, "string")) {
		int int_ok = format && !strcmp(format, "int-or-string");
		if (v->kind != CICD_NODE_SCALAR ||
		    (v->value_type != CICD_VALUE_STRING && !(int_ok && v->value_type == CICD_VALUE_INT)))
			report(c, v, "expected %s, got %s", int_ok ? "integer or string" : "string", kind_name(v));
	} else if (!strcmp(type, "integer")) {
		if (v->kind != CICD_NODE_SCALAR || v->value_type != CICD_VALUE_INT)
			report(c, v, "expected integer, got %s", kind_name(v));
	} else if (!strcmp(type, "number")) {
		if (v->kind != CICD_NODE_SCALAR ||
		    (v->value_type != CICD_VALUE_INT && v->value_type != CICD_VALUE_FLOAT))
			report(c, v, "expected number, got %s", kind_name(v));
	} else if (!strcmp(type, "boolean")) {
		if (v->kind != CICD_NODE_SCALAR || v->value_type != CICD_VALUE_BOOL)
			report(c, v, "expected boolean, got %s", kind_name(v));
	}
}

int cicd__openapi_check(const cicd_openapi *s, cicd_diagnostics *d, const cicd_manifest *obj)
{
	check_ctx c;
	const cicd_node *def;
	char key[512];
	int n = snprintf(key, sizeof key, "%s/%s/%s", obj->group, obj->version, obj->kind);
	if (n <= 0 || (size_t)n >= sizeof key)
		return 0;
	def = cicd__hashmap_get(&s->by_gvk, key, (size_t)n);
	if (!def)
		return 0;
	memset(&c, 0, sizeof c);
	c.definitions = s->definitions;
	c.ref_prefix = s->ref_prefix;
	c.d = d;
	c.obj = obj;
	check_value(&c, obj->root, def);
	return c.rc;
}

/* The openAPIV3Schema a CRD of the set gives obj's group, kind and version; NULL when none. */
static const cicd_node *crd_schema(const cicd_manifest_set *set, const cicd_manifest *obj)
{
	size_t i, j;
	for (i = 0; i < set->crds.count; i++) {
		const cicd_manifest *crd = set->crds.items[i];
		const cicd_node *spec = cicd__node_get(crd->root, "spec", 4);
		const cicd_node *names = cicd__node_get(spec, "names", 5), *versions;
		const char *g = cicd__manifest_str(spec, "group"), *k = cicd__manifest_str(names, "kind");
		if (!g || !k || strcmp(g, obj->group) || strcmp(k, obj->kind))
			continue;
		versions = cicd__node_get(spec, "versions", 8);
		for (j = 0; versions && versions->kind == CICD_NODE_SEQUENCE && j < versions->count; j++) {
			const cicd_node *ver = versions->u.seq.items[j];
			const char *name = cicd__manifest_str(ver, "name");
			if (name && !strcmp(name, obj->version)) {
				const cicd_node *schema =
				    cicd__node_get(cicd__node_get(ver, "schema", 6), "openAPIV3Schema", 15);
				/* apiextensions v1beta1 kept one schema for all versions under spec.validation. */
				return schema ? schema
				              : cicd__node_get(cicd__node_get(spec, "validation", 10),
				                               "openAPIV3Schema", 15);
			}
		}
	}
	return NULL;
}

int cicd__openapi_check_crd(const cicd_manifest_set *set, cicd_diagnostics *d, const cicd_manifest *obj)
{
	check_ctx c;
	const cicd_node *schema = crd_schema(set, obj);
	if (!schema || schema->kind != CICD_NODE_MAPPING)
		return 0;
	memset(&c, 0, sizeof c);
	c.d = d;
	c.obj = obj;
	check_value(&c, obj->root, schema);
	return c.rc;
}

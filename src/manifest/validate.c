/*
 * Validation of a manifest set: every rule is checked on every object and
 * every problem is reported with its position, so one run shows them all.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/alloc.h"
#include "core/error.h"
#include "core/hashmap.h"
#include "manifest.h"
#include "openapi.h"

#define DEFAULT_MAX_DIAGNOSTICS 1000
#define MAX_ANNOTATIONS_BYTES   (256 * 1024) /* apimachinery's TotalAnnotationSizeLimitB */
#define SHOWN                   100          /* characters of a bad value quoted in a message */

int cicd_manifest_validate_options_init(cicd_manifest_validate_options *opts, unsigned int version)
{
	cicd_manifest_validate_options def = CICD_MANIFEST_VALIDATE_OPTIONS_INIT;
	if (!opts || version == 0 || version > CICD_MANIFEST_VALIDATE_OPTIONS_VERSION)
		return cicd__error_set(CICD_EINVALID, "unsupported cicd_manifest_validate_options version %u", version);
	*opts = def;
	return 0;
}

typedef struct {
	cicd_diagnostics *d;
	const cicd_manifest *obj;
	int rc; /* first CICD_ENOMEM */
} vctx;

/* Reports at the node's position, or at the object's when the node was built by a transform. */
static void report(vctx *c, const cicd_node *at, const char *fmt, ...) CICD__PRINTF(3, 4);
static void report(vctx *c, const cicd_node *at, const char *fmt, ...)
{
	const char *file = c->obj->file;
	unsigned int line = c->obj->line, col = 1;
	char msg[1024];
	va_list ap;
	if (at && at->line) {
		file = at->meta->file;
		line = at->line;
		col = at->column;
	}
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (!c->rc)
		c->rc = cicd__diagnostics_add(c->d, CICD_SEVERITY_ERROR, CICD_EVALIDATE, file, line, col, "%s", msg);
}

static void report_value(vctx *c, const cicd_node *at, const char *field, const char *value, size_t len,
                         const char *why)
{
	char shown[SHOWN + 4];
	size_t n = len > SHOWN ? SHOWN : len;
	memcpy(shown, value, n);
	strcpy(shown + n, len > SHOWN ? "..." : "");
	report(c, at, "%s: invalid value \"%s\": %s", field, shown, why);
}

static int is_string(const cicd_node *n)
{
	return n && n->kind == CICD_NODE_SCALAR && n->value_type == CICD_VALUE_STRING;
}

static const char *type_name(const cicd_node *n)
{
	if (n->kind == CICD_NODE_MAPPING)
		return "a mapping";
	if (n->kind == CICD_NODE_SEQUENCE)
		return "a sequence";
	switch (n->value_type) {
	case CICD_VALUE_NULL:
		return "null";
	case CICD_VALUE_BOOL:
		return "a boolean";
	case CICD_VALUE_INT:
		return "an integer";
	case CICD_VALUE_FLOAT:
		return "a number";
	default:
		return "a string";
	}
}

/* A required string field; returns the node when it is one. */
static const cicd_node *require_string(vctx *c, const cicd_node *map, const char *key, const char *field)
{
	const cicd_node *v = cicd__node_get(map, key, strlen(key));
	if (!v) {
		report(c, map, "%s is required", field);
		return NULL;
	}
	if (!is_string(v)) {
		report(c, v, "%s must be a string, not %s", field, type_name(v));
		return NULL;
	}
	if (!v->len) {
		report(c, v, "%s must not be empty", field);
		return NULL;
	}
	return v;
}

static void check_api_version(vctx *c, const cicd_node *v)
{
	const char *s = v->u.scalar.text, *slash = strchr(s, '/');
	if (slash && (slash == s || !slash[1] || strchr(slash + 1, '/')))
		report_value(c, v, "apiVersion", s, v->len, "must be VERSION or GROUP/VERSION");
	else if (slash && cicd__check_dns1123_subdomain(s, (size_t)(slash - s)))
		report_value(c, v, "apiVersion", s, v->len, "the group must be a DNS-1123 subdomain");
}

static void check_kind(vctx *c, const cicd_node *v)
{
	const char *s = v->u.scalar.text;
	size_t i;
	int ok = s[0] >= 'A' && s[0] <= 'Z';
	for (i = 1; ok && i < v->len; i++)
		ok = (s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9');
	if (!ok)
		report_value(c, v, "kind", s, v->len,
		             "must start with an upper case letter and contain only letters and digits");
}

static const char *check_name_rule(cicd__name_rule rule, const char *s, size_t len)
{
	switch (rule) {
	case CICD__NAME_LABEL:
		return cicd__check_dns1123_label(s, len);
	case CICD__NAME_DNS1035:
		return cicd__check_dns1035_label(s, len);
	case CICD__NAME_PATH:
		return cicd__check_path_segment(s, len);
	default:
		return cicd__check_dns1123_subdomain(s, len);
	}
}

static void check_names(vctx *c, const cicd_node *meta, const cicd__kind_info *info)
{
	const cicd_node *name = cicd__node_get(meta, "name", 4);
	const cicd_node *gen = cicd__node_get(meta, "generateName", 12);
	char masked[300];
	const char *why;
	if (!name && !gen) {
		report(c, meta, "metadata.name or metadata.generateName is required");
		return;
	}
	if (name) {
		if (!is_string(name)) {
			report(c, name, "%s must be a string, not %s", "metadata.name", type_name(name));
		} else if ((why = check_name_rule(info->name_rule, name->u.scalar.text, name->len)) != NULL) {
			report_value(c, name, "metadata.name", name->u.scalar.text, name->len, why);
		} else if (info->max_name_len && name->len > info->max_name_len) {
			char why_len[64];
			snprintf(why_len, sizeof why_len, "must be no more than %zu characters", info->max_name_len);
			report_value(c, name, "metadata.name", name->u.scalar.text, name->len, why_len);
		}
	}
	if (gen && !name) {
		size_t len;
		if (!is_string(gen)) {
			report(c, gen, "%s must be a string, not %s", "metadata.generateName", type_name(gen));
			return;
		}
		/* A prefix may end in '-': the server appends 5 random characters, so check it as if it had. */
		len = gen->len;
		if (len + 5 >= sizeof masked) {
			report_value(c, gen, "metadata.generateName", gen->u.scalar.text, len,
			             "must be no more than 253 characters");
			return;
		}
		memcpy(masked, gen->u.scalar.text, len);
		memcpy(masked + len, "abcde", 5);
		if ((why = check_name_rule(info->name_rule, masked, len + 5)) != NULL)
			report_value(c, gen, "metadata.generateName", gen->u.scalar.text, len, why);
	}
}

static void check_namespace(vctx *c, const cicd_node *meta, cicd_manifest_scope scope)
{
	const cicd_node *ns = cicd__node_get(meta, "namespace", 9);
	const char *why;
	if (!ns)
		return;
	if (!is_string(ns)) {
		report(c, ns, "%s must be a string, not %s", "metadata.namespace", type_name(ns));
		return;
	}
	if ((why = cicd__check_dns1123_label(ns->u.scalar.text, ns->len)) != NULL)
		report_value(c, ns, "metadata.namespace", ns->u.scalar.text, ns->len, why);
	else if (scope == CICD_MANIFEST_SCOPE_CLUSTER && ns->len)
		report(c, ns, "metadata.namespace: not allowed: %s is cluster-scoped", c->obj->kind);
}

static void check_labels(vctx *c, const cicd_node *meta)
{
	const cicd_node *labels = cicd__node_get(meta, "labels", 6);
	size_t i;
	if (!labels || (labels->kind == CICD_NODE_SCALAR && labels->value_type == CICD_VALUE_NULL))
		return;
	if (labels->kind != CICD_NODE_MAPPING) {
		report(c, labels, "%s must be a mapping, not %s", "metadata.labels", type_name(labels));
		return;
	}
	for (i = 0; i < labels->count; i++) {
		const cicd_node *k = labels->u.map.pairs[i].key, *v = labels->u.map.pairs[i].value;
		const char *why;
		if (k->kind != CICD_NODE_SCALAR) {
			report(c, k, "%s: a key must be a string, not %s", "metadata.labels", type_name(k));
			continue;
		}
		if ((why = cicd__check_qualified_name(k->u.scalar.text, k->len)) != NULL)
			report_value(c, k, "metadata.labels", k->u.scalar.text, k->len, why);
		if (!is_string(v)) {
			char field[300];
			snprintf(field, sizeof field, "metadata.labels[\"%.*s\"]",
			         (int)(k->len > 253 ? 253 : k->len), k->u.scalar.text);
			report(c, v, "%s must be a string, not %s (quote it)", field, type_name(v));
		} else if ((why = cicd__check_label_value(v->u.scalar.text, v->len)) != NULL) {
			report_value(c, v, "metadata.labels", v->u.scalar.text, v->len, why);
		}
	}
}

static void check_annotations(vctx *c, const cicd_node *meta)
{
	const cicd_node *ann = cicd__node_get(meta, "annotations", 11);
	size_t i, total = 0;
	if (!ann || (ann->kind == CICD_NODE_SCALAR && ann->value_type == CICD_VALUE_NULL))
		return;
	if (ann->kind != CICD_NODE_MAPPING) {
		report(c, ann, "%s must be a mapping, not %s", "metadata.annotations", type_name(ann));
		return;
	}
	for (i = 0; i < ann->count; i++) {
		const cicd_node *k = ann->u.map.pairs[i].key, *v = ann->u.map.pairs[i].value;
		char lower[300];
		const char *why;
		size_t j, n;
		if (k->kind != CICD_NODE_SCALAR) {
			report(c, k, "%s: a key must be a string, not %s", "metadata.annotations", type_name(k));
			continue;
		}
		/* Annotation keys are checked in lower case, as the API server does. */
		n = k->len < sizeof lower ? k->len : sizeof lower - 1;
		for (j = 0; j < n; j++)
			lower[j] = (char)(k->u.scalar.text[j] >= 'A' && k->u.scalar.text[j] <= 'Z'
			                      ? k->u.scalar.text[j] - 'A' + 'a'
			                      : k->u.scalar.text[j]);
		if (k->len >= sizeof lower)
			why = "must be no more than 253 characters";
		else
			why = cicd__check_qualified_name(lower, n);
		if (why)
			report_value(c, k, "metadata.annotations", k->u.scalar.text, k->len, why);
		total += k->len;
		if (!is_string(v)) {
			char field[300];
			snprintf(field, sizeof field, "metadata.annotations[\"%.*s\"]",
			         (int)(k->len > 253 ? 253 : k->len), k->u.scalar.text);
			report(c, v, "%s must be a string, not %s (quote it)", field, type_name(v));
		} else {
			total += v->len;
		}
	}
	if (total > MAX_ANNOTATIONS_BYTES) {
		char why[96];
		snprintf(why, sizeof why, "%zu bytes: must have at most %d bytes", total, MAX_ANNOTATIONS_BYTES);
		report(c, ann, "%s: too long: %s", "metadata.annotations", why);
	}
}

/* A CRD's name is <plural>.<group>, and its scope is Namespaced or Cluster. */
static void check_crd(vctx *c)
{
	const cicd_node *spec = cicd__node_get(c->obj->root, "spec", 4), *names, *scope, *plural, *group;
	if (!spec || spec->kind != CICD_NODE_MAPPING) {
		report(c, spec ? spec : c->obj->root, "spec is required");
		return;
	}
	group = require_string(c, spec, "group", "spec.group");
	names = cicd__node_get(spec, "names", 5);
	if (!names || names->kind != CICD_NODE_MAPPING) {
		report(c, names ? names : spec, "spec.names is required");
		plural = NULL;
	} else {
		plural = require_string(c, names, "plural", "spec.names.plural");
		require_string(c, names, "kind", "spec.names.kind");
	}
	scope = require_string(c, spec, "scope", "spec.scope");
	if (scope && !cicd__node_is(scope, "Namespaced") && !cicd__node_is(scope, "Cluster"))
		report_value(c, scope, "spec.scope", scope->u.scalar.text, scope->len,
		             "must be Namespaced or Cluster");
	if (group && plural && c->obj->name[0]) {
		size_t pl = plural->len, gl = group->len;
		const char *name = c->obj->name;
		if (strlen(name) != pl + 1 + gl || memcmp(name, plural->u.scalar.text, pl) || name[pl] != '.' ||
		    memcmp(name + pl + 1, group->u.scalar.text, gl)) {
			const cicd_node *meta = cicd__node_get(c->obj->root, "metadata", 8);
			const cicd_node *n = cicd__node_get(meta, "name", 4);
			report_value(c, n, "metadata.name", name, strlen(name),
			             "must be spec.names.plural+\".\"+spec.group");
		}
	}
}

static void check_object(vctx *c, const cicd_manifest_set *set, const cicd_openapi *schema)
{
	const cicd_node *root = c->obj->root, *meta, *v;
	const cicd__kind_info *info = &c->obj->info;
	if ((v = require_string(c, root, "apiVersion", "apiVersion")) != NULL)
		check_api_version(c, v);
	if ((v = require_string(c, root, "kind", "kind")) != NULL)
		check_kind(c, v);
	meta = cicd__node_get(root, "metadata", 8);
	if (!meta) {
		report(c, root, "metadata is required");
	} else if (meta->kind != CICD_NODE_MAPPING) {
		report(c, meta, "%s must be a mapping, not %s", "metadata", type_name(meta));
	} else {
		check_names(c, meta, info);
		check_namespace(c, meta, cicd__manifest_scope(set, c->obj));
		check_labels(c, meta);
		check_annotations(c, meta);
	}
	if (cicd__manifest_is_crd(c->obj))
		check_crd(c);
	if (schema && !c->rc)
		c->rc = cicd__openapi_check(schema, c->d, c->obj);
	if (!c->rc && !c->obj->info.kind_known && set->crds.count)
		c->rc = cicd__openapi_check_crd(set, c->d, c->obj);
}

/* group \0 kind \0 namespace \0 name, the identity duplicates are found by. */
static char *identity_key(const cicd_manifest_set *set, const cicd_manifest *o, size_t *len)
{
	const char *ns = cicd__manifest_scope(set, o) == CICD_MANIFEST_SCOPE_CLUSTER ? "" : o->ns;
	size_t n = strlen(o->group) + strlen(o->kind) + strlen(ns) + strlen(o->name) + 4;
	char *k = cicd__malloc(n), *p;
	if (!k)
		return NULL;
	p = k;
	p += sprintf(p, "%s", o->group) + 1;
	p += sprintf(p, "%s", o->kind) + 1;
	p += sprintf(p, "%s", ns) + 1;
	sprintf(p, "%s", o->name);
	*len = n - 1;
	return k;
}

static void free_key(void *k)
{
	cicd__free(k);
}

static int check_duplicates(cicd_diagnostics *d, const cicd_manifest_set *set)
{
	cicd_hashmap seen = CICD_HASHMAP_INIT;
	cicd_vec keys = CICD_VEC_INIT;
	size_t i;
	int rc = 0;
	for (i = 0; i < set->count && !rc; i++) {
		const cicd_manifest *o = set->items[i];
		const cicd_manifest *first;
		size_t len;
		char *key;
		if (!o->name[0] || !o->kind[0])
			continue; /* generateName objects are new each time; missing names are reported already */
		key = identity_key(set, o, &len);
		if (!key || cicd__vec_push(&keys, key)) {
			cicd__free(key);
			rc = cicd__error_oom();
			break;
		}
		first = cicd__hashmap_get(&seen, key, len);
		if (first) {
			rc = cicd__diagnostics_add(d, CICD_SEVERITY_ERROR, CICD_EVALIDATE, o->file, o->line, 1,
			                           "duplicate %s %s%s%s (first defined at %s:%u)", o->kind, o->ns,
			                           o->ns[0] ? "/" : "", o->name, first->file, first->line);
		} else {
			union {
				const cicd_manifest *c;
				void *m;
			} u;
			u.c = o;
			rc = cicd__hashmap_put(&seen, key, len, u.m, NULL);
		}
	}
	cicd__hashmap_dispose(&seen);
	cicd__vec_dispose_with(&keys, free_key);
	return rc;
}

int cicd_manifest_set_validate(cicd_diagnostics **out, const cicd_manifest_set *set,
                               const cicd_manifest_validate_options *opts)
{
	cicd_manifest_validate_options o = CICD_MANIFEST_VALIDATE_OPTIONS_INIT;
	cicd_openapi *schema = NULL;
	cicd_diagnostics *d;
	size_t i;
	int rc = 0;
	if (out)
		*out = NULL;
	if (!set)
		return cicd__error_set(CICD_EINVALID, "cicd_manifest_set_validate: set is required");
	if (opts) {
		if (opts->version == 0 || opts->version > CICD_MANIFEST_VALIDATE_OPTIONS_VERSION)
			return cicd__error_set(CICD_EINVALID, "unsupported cicd_manifest_validate_options version %u",
			                       opts->version);
		o = *opts;
	}
	if (o.openapi && (rc = cicd__openapi_load(&schema, o.openapi, o.openapi_len)))
		return rc;
	d = cicd__diagnostics_new();
	if (!d) {
		cicd__openapi_free(schema);
		return CICD_ENOMEM;
	}
	d->max = o.max_diagnostics ? o.max_diagnostics : DEFAULT_MAX_DIAGNOSTICS;
	for (i = 0; i < set->problems.count && !rc; i++) {
		const cicd_diagnostic *p = &set->problems.items[i];
		rc = cicd__diagnostics_add(d, p->severity, p->code, p->file, p->line, p->column, "%s", p->message);
	}
	for (i = 0; i < set->count && !rc; i++) {
		vctx c;
		c.d = d;
		c.obj = set->items[i];
		c.rc = 0;
		check_object(&c, set, schema);
		rc = c.rc;
	}
	if (!rc)
		rc = check_duplicates(d, set);
	cicd__openapi_free(schema);
	if (rc) {
		cicd_diagnostics_free(d);
		return rc;
	}
	cicd__diagnostics_sort(d);
	if (cicd_diagnostics_count_severity(d, CICD_SEVERITY_ERROR) || d->dropped)
		rc = cicd__diagnostics_raise(d);
	if (out)
		*out = d;
	else
		cicd_diagnostics_free(d);
	return rc;
}

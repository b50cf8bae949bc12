/*
 * Loading manifests into a set: YAML streams, JSON texts, `kind: *List`
 * expansion, files and directories; the object accessors.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/alloc.h"
#include "core/error.h"
#include "core/file.h"
#include "manifest.h"

#define DEFAULT_MAX_OBJECTS ((size_t)100 * 1000)
#define DEFAULT_MAX_FILES   ((size_t)10 * 1000)

int cicd_manifest_options_init(cicd_manifest_options *opts, unsigned int version)
{
	cicd_manifest_options def = CICD_MANIFEST_OPTIONS_INIT;
	if (!opts || version == 0 || version > CICD_MANIFEST_OPTIONS_VERSION)
		return cicd__error_set(CICD_EINVALID, "unsupported cicd_manifest_options version %u", version);
	*opts = def;
	return 0;
}

static int resolve_options(cicd_manifest_options *out, const cicd_manifest_options *in)
{
	cicd_manifest_options def = CICD_MANIFEST_OPTIONS_INIT;
	if (in && (in->version == 0 || in->version > CICD_MANIFEST_OPTIONS_VERSION))
		return cicd__error_set(CICD_EINVALID, "unsupported cicd_manifest_options version %u", in->version);
	*out = in ? *in : def;
	if (!out->max_objects)
		out->max_objects = DEFAULT_MAX_OBJECTS;
	if (!out->max_files)
		out->max_files = DEFAULT_MAX_FILES;
	if (out->format != CICD_MANIFEST_FORMAT_AUTO && out->format != CICD_MANIFEST_FORMAT_YAML &&
	    out->format != CICD_MANIFEST_FORMAT_JSON)
		return cicd__error_set(CICD_EINVALID, "unknown manifest format %d", (int)out->format);
	return 0;
}

int cicd_manifest_set_new(cicd_manifest_set **out)
{
	cicd_manifest_set *set;
	if (!out)
		return cicd__error_set(CICD_EINVALID, "cicd_manifest_set_new: out is required");
	*out = NULL;
	set = cicd__calloc(1, sizeof *set);
	if (!set)
		return cicd__error_oom();
	cicd__arena_init(&set->arena, 64 * 1024);
	cicd__diagnostics_init(&set->problems);
	*out = set;
	return 0;
}

static void free_document(void *doc)
{
	cicd_document_free(doc);
}

void cicd_manifest_set_free(cicd_manifest_set *set)
{
	if (!set)
		return;
	cicd__vec_dispose_with(&set->documents, free_document);
	cicd__vec_dispose(&set->crds);
	cicd__diagnostics_dispose(&set->problems);
	cicd__free(set->items);
	cicd__arena_release(&set->arena);
	cicd__free(set);
}

const char *cicd__manifest_str(const cicd_node *map, const char *key)
{
	const cicd_node *v = cicd__node_get(map, key, strlen(key));
	if (!v || v->kind != CICD_NODE_SCALAR || v->value_type != CICD_VALUE_STRING)
		return NULL;
	return v->u.scalar.text;
}

static const char *or_empty(const char *s)
{
	return s ? s : "";
}

int cicd__manifest_refresh(cicd_manifest *obj)
{
	const cicd_node *meta = cicd__node_get(obj->root, "metadata", 8);
	const char *slash;
	obj->api_version = or_empty(cicd__manifest_str(obj->root, "apiVersion"));
	obj->kind = or_empty(cicd__manifest_str(obj->root, "kind"));
	obj->name = or_empty(cicd__manifest_str(meta, "name"));
	obj->generate_name = or_empty(cicd__manifest_str(meta, "generateName"));
	obj->ns = or_empty(cicd__manifest_str(meta, "namespace"));
	slash = strchr(obj->api_version, '/');
	if (slash) {
		obj->group =
		    cicd__arena_strndup(&obj->set->arena, obj->api_version, (size_t)(slash - obj->api_version));
		if (!obj->group)
			return cicd__error_oom();
		obj->version = slash + 1;
	} else {
		obj->group = "";
		obj->version = obj->api_version;
	}
	cicd__kind_lookup(&obj->info, obj->group, obj->kind);
	obj->rank = cicd__kind_rank(obj->kind);
	return 0;
}

/* Objects found in one input, committed to the set only when the whole input loaded. */
typedef struct {
	cicd_manifest_set *set;
	const cicd_manifest_options *opts;
	cicd_vec found;
	cicd_diagnostics problems;
	const char *file;
} load_ctx;

static int is_list(const cicd_node *root)
{
	const char *kind = cicd__manifest_str(root, "kind");
	const cicd_node *items = cicd__node_get(root, "items", 5);
	size_t n;
	if (!kind || !items || items->kind != CICD_NODE_SEQUENCE)
		return 0;
	n = strlen(kind);
	return n >= 4 && strcmp(kind + n - 4, "List") == 0;
}

static int add_root(load_ctx *c, const cicd_node *root, size_t doc_index, unsigned int depth)
{
	cicd_manifest *obj;
	union {
		const cicd_node *c;
		cicd_node *m;
	} u;
	if (root->kind != CICD_NODE_MAPPING)
		return cicd__diagnostics_add(&c->problems, CICD_SEVERITY_ERROR, CICD_EVALIDATE, root->meta->file, root->line,
		                             root->column, "%s is not a mapping", depth ? "list item" : "document");
	if (is_list(root) && depth < 8) {
		const cicd_node *items = cicd__node_get(root, "items", 5);
		size_t i;
		for (i = 0; i < items->count; i++) {
			int rc = add_root(c, items->u.seq.items[i], doc_index, depth + 1);
			if (rc)
				return rc;
		}
		return 0;
	}
	if (c->set->count + c->found.count >= c->opts->max_objects)
		return cicd__error_set_at(CICD_ELIMIT, root->meta->file, root->line, root->column,
		                          "more than %zu objects in the set", c->opts->max_objects);
	obj = cicd__arena_calloc(&c->set->arena, 1, sizeof *obj);
	if (!obj)
		return cicd__error_oom();
	u.c = root;
	obj->set = c->set;
	obj->root = u.m;
	obj->file = c->file;
	obj->doc_index = doc_index;
	obj->line = root->line;
	if (cicd__manifest_refresh(obj))
		return CICD_ENOMEM;
	return cicd__vec_push(&c->found, obj);
}

static int ensure_capacity(cicd_manifest_set *set, size_t extra)
{
	size_t need = set->count + extra, cap = set->capacity ? set->capacity : 16;
	cicd_manifest **items;
	if (need <= set->capacity)
		return 0;
	while (cap < need)
		cap *= 2;
	items = cicd__realloc(set->items, cap * sizeof *items);
	if (!items)
		return cicd__error_oom();
	set->items = items;
	set->capacity = cap;
	return 0;
}

static int ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);
	return n >= m && strcmp(s + n - m, suffix) == 0;
}

static int add_buffer(cicd_manifest_set *set, const char *buf, size_t len, const char *name,
                      const cicd_manifest_options *o)
{
	cicd_document *doc = NULL;
	load_ctx c;
	size_t i, crds, problems_before = set->problems.count;
	int rc, json = o->format == CICD_MANIFEST_FORMAT_JSON ||
	               (o->format == CICD_MANIFEST_FORMAT_AUTO && name && ends_with(name, ".json"));
	rc = json ? cicd_document_load_json(&doc, buf, len, name, o->document)
	          : cicd_document_load_buffer(&doc, buf, len, name, o->document);
	if (rc)
		return rc;
	memset(&c, 0, sizeof c);
	c.set = set;
	c.opts = o;
	c.file = cicd_document_name(doc);
	cicd__diagnostics_init(&c.problems);
	for (i = 0; i < cicd_document_count(doc) && !rc; i++) {
		const cicd_node *root = cicd_document_root(doc, i);
		if (root)
			rc = add_root(&c, root, i, 0);
	}
	if (!rc)
		rc = ensure_capacity(set, c.found.count);
	for (i = 0, crds = 0; !rc && i < c.found.count; i++)
		crds += (size_t)cicd__manifest_is_crd(c.found.items[i]);
	if (!rc && crds)
		rc = cicd__vec_reserve(&set->crds, set->crds.count + crds);
	if (!rc && (c.found.count || c.problems.count))
		rc = cicd__vec_push(&set->documents, doc);
	for (i = 0; !rc && i < c.problems.count; i++) {
		const cicd_diagnostic *d = &c.problems.items[i];
		rc = cicd__diagnostics_add(&set->problems, d->severity, d->code, d->file, d->line, d->column, "%s",
		                           d->message);
	}
	if (rc) {
		/* Objects already allocated stay in the arena unused; the set's visible state is unchanged. */
		if (set->documents.count && set->documents.items[set->documents.count - 1] == doc)
			set->documents.count--;
		cicd_document_free(doc);
		while (set->problems.count > problems_before) {
			cicd_diagnostic *d = &set->problems.items[--set->problems.count];
			cicd__free_const(d->message);
			cicd__free_const(d->file);
		}
	} else {
		for (i = 0; i < c.found.count; i++) {
			cicd_manifest *obj = c.found.items[i];
			obj->seq = set->next_seq++;
			set->items[set->count++] = obj;
			if (cicd__manifest_is_crd(obj))
				set->crds.items[set->crds.count++] = obj; /* room reserved above */
		}
		if (!c.found.count && !c.problems.count)
			cicd_document_free(doc);
	}
	cicd__vec_dispose(&c.found);
	cicd__diagnostics_dispose(&c.problems);
	return rc;
}

int cicd_manifest_set_add_buffer(cicd_manifest_set *set, const char *buf, size_t len, const char *name,
                                 const cicd_manifest_options *opts)
{
	cicd_manifest_options o;
	int rc;
	if (!set || (!buf && len))
		return cicd__error_set(CICD_EINVALID, "cicd_manifest_set_add_buffer: set and buf are required");
	if ((rc = resolve_options(&o, opts)))
		return rc;
	return add_buffer(set, buf ? buf : "", len, name ? name : "<buffer>", &o);
}

static int add_file(cicd_manifest_set *set, const char *path, const cicd_manifest_options *o)
{
	cicd_document_options dopts = CICD_DOCUMENT_OPTIONS_INIT;
	char *data = NULL;
	size_t len = 0;
	int rc;
	if ((rc = cicd__document_options_resolve(&dopts, o->document)))
		return rc;
	if ((rc = cicd__file_read(path, dopts.max_bytes, &data, &len)))
		return rc;
	rc = add_buffer(set, data, len, path, o);
	cicd__free(data);
	return rc;
}

static int is_manifest_name(const char *name)
{
	return name[0] != '.' && (ends_with(name, ".yaml") || ends_with(name, ".yml") || ends_with(name, ".json"));
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Collects the paths of a directory's manifest files (and, recursively, its subdirectories'). */
static int collect(cicd_vec *paths, const char *dir, const cicd_manifest_options *o, unsigned int depth)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	cicd_vec here = CICD_VEC_INIT;
	size_t i;
	int rc = 0;
	if (!d)
		return cicd__error_set_at(CICD_EIO, dir, 0, 0, "cannot open directory");
	while (!rc && (e = readdir(d)) != NULL) {
		size_t n = strlen(dir) + strlen(e->d_name) + 2;
		char *p;
		struct stat st;
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		p = cicd__malloc(n);
		if (!p) {
			rc = cicd__error_oom();
			break;
		}
		snprintf(p, n, "%s%s%s", dir, dir[strlen(dir) - 1] == '/' ? "" : "/", e->d_name);
		if (stat(p, &st) == 0 && ((S_ISREG(st.st_mode) && is_manifest_name(e->d_name)) ||
		                          (S_ISDIR(st.st_mode) && (o->flags & CICD_MANIFEST_RECURSIVE) &&
		                           e->d_name[0] != '.' && depth < 32)))
			rc = cicd__vec_push(&here, p);
		else
			cicd__free(p);
	}
	closedir(d);
	if (here.count)
		qsort(here.items, here.count, sizeof *here.items, cmp_str);
	for (i = 0; i < here.count; i++) {
		char *p = here.items[i];
		struct stat st;
		if (!rc && paths->count >= o->max_files)
			rc = cicd__error_set_at(CICD_ELIMIT, dir, 0, 0, "more than %zu manifest files", o->max_files);
		if (!rc && stat(p, &st) == 0 && S_ISDIR(st.st_mode)) {
			rc = collect(paths, p, o, depth + 1);
			cicd__free(p);
		} else if (!rc) {
			rc = cicd__vec_push(paths, p);
			if (rc)
				cicd__free(p);
		} else {
			cicd__free(p);
		}
	}
	cicd__vec_dispose(&here);
	return rc;
}

static void free_path(void *p)
{
	cicd__free(p);
}

int cicd_manifest_set_add_path(cicd_manifest_set *set, const char *path, const cicd_manifest_options *opts)
{
	cicd_manifest_options o;
	cicd_vec paths = CICD_VEC_INIT;
	struct stat st;
	size_t i;
	int rc;
	if (!set || !path)
		return cicd__error_set(CICD_EINVALID, "cicd_manifest_set_add_path: set and path are required");
	if ((rc = resolve_options(&o, opts)))
		return rc;
	if (stat(path, &st) != 0)
		return cicd__error_set_at(CICD_EIO, path, 0, 0, "no such file or directory");
	if (!S_ISDIR(st.st_mode))
		return add_file(set, path, &o);
	rc = collect(&paths, path, &o, 0);
	for (i = 0; !rc && i < paths.count; i++)
		rc = add_file(set, paths.items[i], &o);
	cicd__vec_dispose_with(&paths, free_path);
	return rc;
}

size_t cicd_manifest_set_count(const cicd_manifest_set *set)
{
	return set ? set->count : 0;
}

const cicd_manifest *cicd_manifest_set_get(const cicd_manifest_set *set, size_t i)
{
	return set && i < set->count ? set->items[i] : NULL;
}

int cicd_manifest_set_find(const cicd_manifest **out, const cicd_manifest_set *set, const char *group, const char *kind,
                           const char *ns, const char *name)
{
	size_t i;
	if (!out || !set || !kind || !name)
		return cicd__error_set(CICD_EINVALID, "cicd_manifest_set_find: out, set, kind and name are required");
	*out = NULL;
	for (i = 0; i < set->count; i++) {
		const cicd_manifest *o = set->items[i];
		if (!strcmp(o->group, group ? group : "") && !strcmp(o->kind, kind) && !strcmp(o->ns, ns ? ns : "") &&
		    !strcmp(o->name, name)) {
			*out = o;
			return 0;
		}
	}
	return cicd__error_set(CICD_ENOTFOUND, "no %s %s%s%s in the set", kind, ns && *ns ? ns : "",
	                       ns && *ns ? "/" : "", name);
}

#define GETTER(field)                                                                                                  \
	const char *cicd_manifest_##field(const cicd_manifest *obj)                                                    \
	{                                                                                                              \
		return obj ? obj->field : "";                                                                          \
	}
GETTER(api_version)
GETTER(group)
GETTER(version)
GETTER(kind)
GETTER(name)
GETTER(generate_name)
#undef GETTER

const char *cicd_manifest_namespace(const cicd_manifest *obj)
{
	return obj ? obj->ns : "";
}

static const cicd_node *meta_map(const cicd_manifest *obj, const char *key)
{
	const cicd_node *meta, *v;
	if (!obj)
		return NULL;
	meta = cicd__node_get(obj->root, "metadata", 8);
	v = cicd__node_get(meta, key, strlen(key));
	return v && v->kind == CICD_NODE_MAPPING ? v : NULL;
}

const cicd_node *cicd_manifest_labels(const cicd_manifest *obj)
{
	return meta_map(obj, "labels");
}

const cicd_node *cicd_manifest_annotations(const cicd_manifest *obj)
{
	return meta_map(obj, "annotations");
}

const char *cicd_manifest_label(const cicd_manifest *obj, const char *key)
{
	return key ? cicd__manifest_str(meta_map(obj, "labels"), key) : NULL;
}

const char *cicd_manifest_annotation(const cicd_manifest *obj, const char *key)
{
	return key ? cicd__manifest_str(meta_map(obj, "annotations"), key) : NULL;
}

const cicd_node *cicd_manifest_node(const cicd_manifest *obj)
{
	return obj ? obj->root : NULL;
}

const char *cicd_manifest_file(const cicd_manifest *obj)
{
	return obj ? obj->file : "";
}

size_t cicd_manifest_document_index(const cicd_manifest *obj)
{
	return obj ? obj->doc_index : 0;
}

unsigned int cicd_manifest_line(const cicd_manifest *obj)
{
	return obj ? obj->line : 0;
}

/* Loading a pipeline: options, the stages in GitLab's order, diagnostics, freeing. */
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <stddef.h>
#include <string.h>

#include "core/alloc.h"
#include "core/file.h"
#include "core/node_emit.h"
#include "internal.h"

#define DEFAULT_MAX_INCLUDES        150u
#define DEFAULT_MAX_INCLUDE_DEPTH   100u
#define DEFAULT_MAX_EXTENDS_DEPTH   11u
#define DEFAULT_MAX_REFERENCE_DEPTH 10u
#define DEFAULT_MAX_FILE_BYTES      ((size_t)4 * 1024 * 1024)
#define DEFAULT_MAX_YAML_DEPTH      100u
#define DEFAULT_MAX_DIAGNOSTICS     ((size_t)1000)

int cicd_pipeline_options_init(cicd_pipeline_options *opts, unsigned int version)
{
	cicd_pipeline_options def = CICD_PIPELINE_OPTIONS_INIT;
	if (!opts || version == 0 || version > CICD_PIPELINE_OPTIONS_VERSION)
		return cicd__error_set(CICD_EINVALID, "unsupported cicd_pipeline_options version %u", version);
	*opts = def;
	return 0;
}

static void vdiag(pl_ctx *c, cicd_severity sev, int code, const cicd_node *at, const char *fmt, va_list ap)
	CICD__PRINTF(5, 0);

static void vdiag(pl_ctx *c, cicd_severity sev, int code, const cicd_node *at, const char *fmt, va_list ap)
{
	char text[1024];
	vsnprintf(text, sizeof text, fmt, ap);
	if (sev == CICD_SEVERITY_ERROR)
		c->errors++;
	if (cicd__diagnostics_add(c->diags, sev, code, at ? at->meta->file : c->p->name, at ? at->line : 0,
	                          at ? at->column : 0, "%s", text))
		c->fatal = 1;
}

void pl_error(pl_ctx *c, const cicd_node *at, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vdiag(c, CICD_SEVERITY_ERROR, CICD_EVALIDATE, at, fmt, ap);
	va_end(ap);
}

void pl_error_code(pl_ctx *c, int code, const cicd_node *at, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vdiag(c, CICD_SEVERITY_ERROR, code, at, fmt, ap);
	va_end(ap);
}

void pl_warning(pl_ctx *c, const cicd_node *at, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vdiag(c, CICD_SEVERITY_WARNING, CICD_EVALIDATE, at, fmt, ap);
	va_end(ap);
}

void pl_oom(pl_ctx *c)
{
	c->fatal = 1;
	cicd__error_oom();
}

void cicd_pipeline_free(cicd_pipeline *p)
{
	size_t i;
	if (!p)
		return;
	for (i = 0; i < p->documents.count; i++)
		cicd_document_free(p->documents.items[i]);
	cicd__vec_dispose(&p->documents);
	cicd__vec_dispose(&p->files);
	cicd__hashmap_dispose(&p->job_index);
	cicd__arena_release(&p->arena);
	cicd__free(p);
}

static int resolve_options(cicd_pipeline_options *o, const cicd_pipeline_options *in)
{
	cicd_pipeline_options def = CICD_PIPELINE_OPTIONS_INIT;
	if (in && (in->version == 0 || in->version > CICD_PIPELINE_OPTIONS_VERSION))
		return cicd__error_set(CICD_EINVALID, "unsupported cicd_pipeline_options version %u", in->version);
	*o = def;
	if (in) /* an older caller's struct ends before the fields its version lacks */
		memcpy(o, in,
		       in->version == 1   ? offsetof(cicd_pipeline_options, include_variables)
		       : in->version == 2 ? offsetof(cicd_pipeline_options, masked_values)
		                          : sizeof *o);
	if (!o->masked_values)
		o->masked_value_count = 0;
	if (!o->max_includes)
		o->max_includes = DEFAULT_MAX_INCLUDES;
	if (!o->max_include_depth)
		o->max_include_depth = DEFAULT_MAX_INCLUDE_DEPTH;
	if (!o->max_extends_depth)
		o->max_extends_depth = DEFAULT_MAX_EXTENDS_DEPTH;
	if (!o->max_reference_depth)
		o->max_reference_depth = DEFAULT_MAX_REFERENCE_DEPTH;
	if (!o->max_file_bytes)
		o->max_file_bytes = DEFAULT_MAX_FILE_BYTES;
	if (!o->max_yaml_depth)
		o->max_yaml_depth = DEFAULT_MAX_YAML_DEPTH;
	if (!o->max_diagnostics)
		o->max_diagnostics = DEFAULT_MAX_DIAGNOSTICS;
	return 0;
}

/* The directory part of a path ("." when none). */
static char *dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');
	if (!slash)
		return cicd__strdup(".");
	if (slash == path)
		return cicd__strdup("/");
	return cicd__strndup(path, (size_t)(slash - path));
}

/* Drops exact repeats (one cycle found from several places); the list is sorted. */
static void dedupe(cicd_diagnostics *d)
{
	size_t i, n = 0;
	for (i = 0; i < d->count; i++) {
		cicd_diagnostic *x = &d->items[i];
		if (n) {
			const cicd_diagnostic *prev = &d->items[n - 1];
			if (prev->line == x->line && prev->column == x->column && prev->severity == x->severity &&
			    !strcmp(prev->file, x->file) && !strcmp(prev->message, x->message)) {
				cicd__free_const(x->message);
				cicd__free_const(x->file);
				continue;
			}
		}
		d->items[n++] = *x;
	}
	d->count = n;
}

static int run(cicd_pipeline **out, cicd_diagnostics **diags_out, const char *data, size_t len, const char *name,
               const char *root, const cicd_pipeline_options *opts)
{
	pl_ctx c;
	cicd_pipeline *p;
	const cicd_node *tree = NULL;
	int rc = 0;
	memset(&c, 0, sizeof c);
	c.opts = *opts;
	p = cicd__calloc(1, sizeof *p);
	c.diags = cicd__diagnostics_new();
	if (!p || !c.diags) {
		cicd__free(p);
		cicd_diagnostics_free(c.diags);
		return cicd__error_oom();
	}
	c.diags->max = opts->max_diagnostics;
	c.p = p;
	cicd__arena_init(&p->arena, 64 * 1024);
	p->name = cicd__arena_strdup(&p->arena, name);
	if (!p->name) {
		pl_oom(&c);
		goto done;
	}
	p->name_meta.file = p->name;
	if (root) {
		c.root_shown = root;
		c.root_real = realpath(root, NULL);
		if (!c.root_real) {
			rc = cicd__error_set(CICD_EIO, "project root %s cannot be resolved", root);
			goto done;
		}
	}
	tree = pl_load_file_tree(&c, data, len, p->name, NULL, NULL, 0);
	if (tree && !c.fatal && !c.errors) {
		if (!pl_is_map(tree)) {
			pl_error(&c, tree, "Invalid configuration format");
			tree = NULL;
		}
	}
	if (tree && !c.fatal)
		tree = pl_resolve_extends(&c, tree);
	if (tree && !c.fatal && c.has_references) {
		size_t before = c.errors;
		tree = pl_resolve_references(&c, tree);
		if (c.errors > before)
			tree = NULL; /* GitLab stops at unresolved references; the rest would only echo them */
	}
	if (tree && !c.fatal) {
		p->root = tree;
		pl_validate(&c, tree);
	}
	if (tree && !c.fatal && !c.errors)
		pl_build_model(&c, tree);
done:
	free(c.root_real);
	cicd__vec_dispose(&c.stack);
	cicd__hashmap_dispose(&c.seen);
	if (c.fatal && !rc)
		rc = CICD_ENOMEM;
	if (!rc && c.errors) {
		cicd__diagnostics_sort(c.diags);
		dedupe(c.diags);
		rc = CICD_EVALIDATE;
		{
			size_t i;
			for (i = 0; i < c.diags->count; i++) {
				const cicd_diagnostic *d = &c.diags->items[i];
				if (d->severity == CICD_SEVERITY_ERROR) {
					cicd__error_set_at(CICD_EVALIDATE, d->file, d->line, d->column, "%s",
					                   d->message);
					break;
				}
			}
		}
	}
	if (rc) {
		cicd_pipeline_free(p);
		p = NULL;
	} else {
		cicd__diagnostics_sort(c.diags);
		dedupe(c.diags);
	}
	if (diags_out && (!rc || rc == CICD_EVALIDATE))
		*diags_out = c.diags;
	else
		cicd_diagnostics_free(c.diags);
	*out = p;
	return rc;
}

int cicd_pipeline_load_buffer(cicd_pipeline **out, cicd_diagnostics **diags, const char *buf, size_t len,
                              const char *name, const cicd_pipeline_options *opts)
{
	cicd_pipeline_options o;
	int rc;
	if (diags)
		*diags = NULL;
	if (!out || (!buf && len))
		return cicd__error_set(CICD_EINVALID, "cicd_pipeline_load_buffer: out and buf are required");
	*out = NULL;
	if ((rc = resolve_options(&o, opts)))
		return rc;
	return run(out, diags, buf ? buf : "", len, name ? name : ".gitlab-ci.yml", o.project_root, &o);
}

int cicd_pipeline_load_file(cicd_pipeline **out, cicd_diagnostics **diags, const char *path,
                            const cicd_pipeline_options *opts)
{
	cicd_pipeline_options o;
	char *data = NULL, *root = NULL;
	size_t len = 0;
	int rc;
	if (diags)
		*diags = NULL;
	if (!out || !path)
		return cicd__error_set(CICD_EINVALID, "cicd_pipeline_load_file: out and path are required");
	*out = NULL;
	if ((rc = resolve_options(&o, opts)))
		return rc;
	if ((rc = cicd__file_read(path, o.max_file_bytes, &data, &len)))
		return rc;
	if (!o.project_root) {
		root = dir_of(path);
		if (!root) {
			cicd__free(data);
			return cicd__error_oom();
		}
	}
	rc = run(out, diags, data, len, path, o.project_root ? o.project_root : root, &o);
	cicd__free(root);
	cicd__free(data);
	return rc;
}

const cicd_node *cicd_pipeline_config(const cicd_pipeline *p)
{
	return p ? p->root : NULL;
}

int cicd_pipeline_to_json(cicd_buf *out, const cicd_pipeline *p, unsigned int flags)
{
	if (!out || !p)
		return cicd__error_set(CICD_EINVALID, "cicd_pipeline_to_json: out and pipeline are required");
	return cicd_node_to_json(out, p->root, flags);
}

const char *cicd_pipeline_name(const cicd_pipeline *p)
{
	return p ? p->name : "";
}

size_t cicd_pipeline_file_count(const cicd_pipeline *p)
{
	return p ? p->files.count : 0;
}

const char *cicd_pipeline_file(const cicd_pipeline *p, size_t i)
{
	return p && i < p->files.count ? p->files.items[i] : NULL;
}

/* ---- include results, filled by resolvers ---- */

int cicd_include_result_set(cicd_include_result *r, const char *data, size_t len, const char *name)
{
	char *d, *n = NULL;
	if (!r || (!data && len))
		return cicd__error_set(CICD_EINVALID, "cicd_include_result_set: result and data are required");
	d = cicd__malloc(len + 1);
	if (name)
		n = cicd__strdup(name);
	if (!d || (name && !n)) {
		cicd__free(d);
		cicd__free(n);
		return cicd__error_oom();
	}
	if (len)
		memcpy(d, data, len);
	d[len] = 0;
	cicd__free(r->data);
	cicd__free(r->name);
	r->data = d;
	r->len = len;
	r->name = n;
	return 0;
}

int cicd_include_result_fail(cicd_include_result *r, const char *message)
{
	char *m;
	if (!r)
		return cicd__error_set(CICD_EINVALID, "cicd_include_result_fail: result is required");
	m = cicd__strdup(message ? message : "");
	if (!m)
		return cicd__error_oom();
	cicd__free(r->message);
	r->message = m;
	return 0;
}

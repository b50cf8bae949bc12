/*
 * Reading one file and everything it includes: YAML, the spec:inputs
 * header, then each include (local files from the project root, the rest
 * through the caller's resolver), deep-merged with the file's own keys
 * winning, as GitLab's External::Processor does.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/alloc.h"
#include "core/buf.h"
#include "core/file.h"
#include "core/log.h"
#include "internal.h"

#define MAX_GLOB_ENTRIES 10000

static const char *const INCLUDE_KEYS[] = {"local",     "file",  "project", "ref",       "remote", "template",
                                           "component", "rules", "inputs",  "integrity", "cache",  NULL};

static int ends_with(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);
	return a >= b && strcmp(s + a - b, suffix) == 0;
}

/* Appends text with each of the caller's secrets (the longest where several start at one place) as [MASKED]. */
static int put_masked(pl_ctx *c, cicd_buf *out, const char *text)
{
	const char *p = text;
	while (*p) {
		size_t i, best = 0;
		for (i = 0; i < c->opts.masked_value_count; i++) {
			const char *v = c->opts.masked_values[i];
			size_t n = v ? strlen(v) : 0;
			if (n > best && !strncmp(p, v, n))
				best = n;
		}
		if (best ? cicd__buf_puts(out, "[MASKED]") : cicd__buf_putc(out, *p))
			return -1;
		p += best ? best : 1;
	}
	return 0;
}

/* A copy safe to show (in the pipeline's arena): the caller's secrets, credentials in URLs and tokens masked. */
static char *shown(pl_ctx *c, const char *text)
{
	cicd_buf masked = CICD_BUF_INIT;
	size_t len, cap;
	char *s = NULL;
	if (!put_masked(c, &masked, text)) {
		len = masked.size;
		cap = len * 8 + 16; /* a mask may be longer than the secret it hides */
		if ((s = cicd__arena_alloc(&c->p->arena, cap))) {
			memcpy(s, masked.ptr ? masked.ptr : "", len + 1);
			s[cicd__redact(s, len, cap)] = 0;
		}
	}
	cicd_buf_dispose(&masked);
	if (!s)
		pl_oom(c);
	return s;
}

/*
 * A location with the caller's include variables expanded (a copy in the
 * pipeline's arena), or as written without them; NULL after reporting.
 */
static const char *expanded(pl_ctx *c, const char *text, const cicd_node *at)
{
	cicd_buf out = CICD_BUF_INIT;
	const char *copy;
	int rc;
	if (!text || !c->opts.include_variables || !strchr(text, '$'))
		return text;
	rc = cicd_expand(&out, text, strlen(text), 0, c->opts.include_variables, c->opts.include_variables_payload);
	if (rc) {
		cicd_buf_dispose(&out);
		pl_error_code(c, rc, at, "variables in include location `%s` could not be expanded: %s", text,
		              cicd_strerror(rc));
		return NULL;
	}
	copy = pl_strdup(c, out.ptr ? out.ptr : "");
	cicd_buf_dispose(&out);
	return copy;
}

/* Expands the request's location, project and ref in place; 0, or -1 after reporting. */
static int expand_request(pl_ctx *c, cicd_include_request *req, const cicd_node *at)
{
	if (!(req->location = expanded(c, req->location, at)))
		return -1;
	if (req->project && !(req->project = expanded(c, req->project, at)))
		return -1;
	if (req->ref && !(req->ref = expanded(c, req->ref, at)))
		return -1;
	return 0;
}

/* Glob as GitLab's local includes use it: `*` within a segment, `**` across segments. */
static int glob_match(const char *p, const char *s, int budget)
{
	if (budget <= 0)
		return 0;
	while (*p) {
		if (p[0] == '*' && p[1] == '*') {
			const char *rest = p + 2;
			if (*rest == '/') {
				/* zero directories, or skip one segment at a time */
				if (glob_match(rest + 1, s, budget - 1))
					return 1;
				for (; *s; s++)
					if (*s == '/' && glob_match(rest + 1, s + 1, budget - 1))
						return 1;
				return 0;
			}
			for (;; s++) {
				if (glob_match(rest, s, budget - 1))
					return 1;
				if (!*s)
					return 0;
			}
		}
		if (*p == '*') {
			for (;; s++) {
				if (glob_match(p + 1, s, budget - 1))
					return 1;
				if (!*s || *s == '/')
					return 0;
			}
		}
		if (!*s)
			return 0;
		if (*p == '?') {
			if (*s == '/')
				return 0;
		} else if (*p != *s) {
			return 0;
		}
		p++;
		s++;
	}
	return *s == 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Collects files under dir (relative names) matching pattern; no symlinks followed. */
static void walk(pl_ctx *c, const char *base, const char *rel, const char *pattern, cicd_vec *out, size_t *seen)
{
	char path[PATH_MAX];
	DIR *d;
	struct dirent *e;
	snprintf(path, sizeof path, "%s%s%s", base, *rel ? "/" : "", rel);
	d = opendir(path);
	if (!d)
		return;
	while ((e = readdir(d)) && *seen < MAX_GLOB_ENTRIES) {
		char child[PATH_MAX], full[2 * PATH_MAX + 2];
		struct stat st;
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..") || !strcmp(e->d_name, ".git"))
			continue;
		(*seen)++;
		if ((size_t)snprintf(child, sizeof child, "%s%s%s", rel, *rel ? "/" : "", e->d_name) >= sizeof child ||
		    strlen(base) + strlen(child) + 2 > PATH_MAX)
			continue;
		snprintf(full, sizeof full, "%s/%s", base, child);
		if (lstat(full, &st))
			continue;
		if (S_ISDIR(st.st_mode)) {
			walk(c, base, child, pattern, out, seen);
		} else if (S_ISREG(st.st_mode) && glob_match(pattern, child, 100000)) {
			char *copy = pl_strdup(c, child);
			if (!copy || cicd__vec_push(out, copy)) {
				pl_oom(c);
				break;
			}
		}
	}
	closedir(d);
}

static int has_dotdot(const char *rel)
{
	const char *s = rel;
	while (*s) {
		const char *slash = strchr(s, '/');
		size_t n = slash ? (size_t)(slash - s) : strlen(s);
		if (n == 2 && s[0] == '.' && s[1] == '.')
			return 1;
		if (!slash)
			break;
		s = slash + 1;
	}
	return 0;
}

/*
 * Reads a local include confined to the project root into *data; *name is
 * its path as the pipeline shows it, before masking. 0, or -1 after reporting.
 */
static int read_local(pl_ctx *c, const char *location, const cicd_node *at, char **data, size_t *len, char **name)
{
	const char *rel = location, *loc = shown(c, location);
	char *full, *real;
	size_t rootlen;
	int rc;
	if (!loc)
		return -1;
	while (*rel == '/')
		rel++;
	if (!c->root_real) {
		pl_error(c, at, "Local file `%s` cannot be included: no project root is set", loc);
		return -1;
	}
	if (has_dotdot(rel)) {
		pl_error(c, at, "Local file `%s` is outside the project root", loc);
		return -1;
	}
	if (!ends_with(rel, ".yml") && !ends_with(rel, ".yaml")) {
		pl_error(c, at, "Included file `%s` does not have YAML extension!", loc);
		return -1;
	}
	full = pl_sprintf(c, "%s/%s", c->root_real, rel);
	if (!full)
		return -1;
	real = realpath(full, NULL);
	if (!real) {
		pl_error_code(c, CICD_ENOTFOUND, at, "Local file `%s` does not exist!", loc);
		return -1;
	}
	rootlen = strlen(c->root_real);
	if (strncmp(real, c->root_real, rootlen) != 0 || (real[rootlen] != '/' && strcmp(c->root_real, "/") != 0)) {
		free(real);
		pl_error(c, at, "Local file `%s` is outside the project root", loc);
		return -1;
	}
	free(real);
	rc = cicd__file_read(full, c->opts.max_file_bytes, data, len);
	if (rc == CICD_ELIMIT) {
		pl_error_code(c, CICD_ELIMIT, at, "Local file `%s` is larger than %zu bytes", loc,
		              c->opts.max_file_bytes);
		return -1;
	}
	if (rc) {
		pl_error_code(c, CICD_EIO, at, "Local file `%s` does not exist!", loc);
		return -1;
	}
	if (!strcmp(c->root_shown, "."))
		*name = pl_strdup(c, rel);
	else
		*name = pl_sprintf(c, "%s%s%s", c->root_shown, ends_with(c->root_shown, "/") ? "" : "/", rel);
	if (!*name) {
		cicd__free(*data);
		return -1;
	}
	return 0;
}

static const char *kind_label(cicd_include_kind k)
{
	switch (k) {
	case CICD_INCLUDE_LOCAL:
		return "Local file";
	case CICD_INCLUDE_PROJECT:
		return "Project file";
	case CICD_INCLUDE_REMOTE:
		return "Remote file";
	case CICD_INCLUDE_TEMPLATE:
		return "Template file";
	default:
		return "Component";
	}
}

/*
 * Asks the caller's resolver; 0 with data and *name (the resolver's, or the
 * location, before masking), 1 when skipped by rules, -1 after reporting.
 */
static int read_resolved(pl_ctx *c, const cicd_include_request *req, const cicd_node *at, char **data, size_t *len,
                         char **name)
{
	cicd_include_result r;
	const char *what = kind_label(req->kind);
	char *loc = shown(c, req->location), *project = req->project ? shown(c, req->project) : NULL;
	int rc;
	if (!loc || (req->project && !project))
		return -1;
	if (!c->opts.resolver) {
		if (req->kind == CICD_INCLUDE_PROJECT)
			pl_error(c, at, "Project `%s` file `%s` cannot be included: no include resolver is configured",
			         project, loc);
		else
			pl_error(c, at, "%s `%s` cannot be included: no include resolver is configured", what, loc);
		return -1;
	}
	memset(&r, 0, sizeof r);
	rc = c->opts.resolver(&r, req, c->opts.resolver_payload);
	if (rc == CICD_ITEROVER) {
		rc = 1;
	} else if (rc == CICD_ENOTFOUND) {
		if (req->kind == CICD_INCLUDE_PROJECT)
			pl_error_code(c, rc, at, "Project `%s` file `%s` does not exist!", project, loc);
		else
			pl_error_code(c, rc, at, "%s `%s` does not exist!", what, loc);
		rc = -1;
	} else if (rc < 0 || !r.data) {
		char *m = r.message ? shown(c, r.message) : NULL;
		pl_error_code(c, rc < 0 ? rc : CICD_ERROR, at, "%s `%s` could not be included: %s", what, loc,
		              m ? m : (rc < 0 ? cicd_strerror(rc) : "the resolver gave no content"));
		rc = -1;
	} else if (r.len > c->opts.max_file_bytes) {
		pl_error_code(c, CICD_ELIMIT, at, "%s `%s` is larger than %zu bytes", what, loc,
		              c->opts.max_file_bytes);
		rc = -1;
	} else {
		*data = r.data;
		*len = r.len;
		r.data = NULL;
		*name = pl_strdup(c, r.name ? r.name : req->location);
		rc = *name ? 0 : -1;
	}
	cicd__free(r.data);
	cicd__free(r.name);
	cicd__free(r.message);
	return rc;
}

static int on_stack(pl_ctx *c, const char *id)
{
	size_t i;
	for (i = 0; i < c->stack.count; i++)
		if (!strcmp(c->stack.items[i], id))
			return 1;
	return 0;
}

/* Reads one include (one file) and returns its merged tree, or NULL (reported or skipped). */
static const cicd_node *include_one(pl_ctx *c, const cicd_include_request *req, const cicd_node *at,
                                    const cicd_node *inputs, unsigned int depth)
{
	char *data = NULL, *name = NULL, *id;
	size_t len = 0;
	const cicd_node *tree;
	int rc;
	if (c->includes >= c->opts.max_includes) {
		pl_error_code(c, CICD_ELIMIT, at, "Maximum of %u nested includes are allowed!", c->opts.max_includes);
		return NULL;
	}
	if (depth > c->opts.max_include_depth) {
		pl_error_code(c, CICD_ELIMIT, at, "Maximum of %u levels of nested includes are allowed!",
		              c->opts.max_include_depth);
		return NULL;
	}
	c->includes++;
	if (req->kind == CICD_INCLUDE_LOCAL && !(c->opts.flags & CICD_PIPELINE_RESOLVE_LOCAL))
		rc = read_local(c, req->location, at, &data, &len, &name);
	else
		rc = read_resolved(c, req, at, &data, &len, &name);
	if (rc)
		return NULL;
	/* the include's identity, unmasked: two secrets must not look like one file */
	id = pl_sprintf(c, "%d\n%s\n%s\n%s", (int)req->kind, req->project ? req->project : "", req->ref ? req->ref : "",
	                name);
	if (!id || !(name = shown(c, name))) {
		cicd__free(data);
		return NULL;
	}
	if (on_stack(c, id)) {
		pl_error(c, at, "Include `%s` was already included! (circular include)", name);
		cicd__free(data);
		return NULL;
	}
	if (cicd__vec_push(&c->stack, id)) {
		pl_oom(c);
		cicd__free(data);
		return NULL;
	}
	tree = pl_load_file_tree(c, data, len, name, inputs, at, depth);
	c->stack.count--;
	cicd__free(data);
	return tree;
}

/* include:rules entries: hashes of if, changes, exists and when (never or always). */
static int valid_include_rules(pl_ctx *c, const cicd_node *rules)
{
	static const char *const keys[] = {"if", "changes", "exists", "when", NULL};
	static const char *const whens[] = {"never", "always", NULL};
	size_t i, before = c->errors;
	if (!pl_is_seq(rules)) {
		pl_error(c, rules, "include:rules config should be an array of hashes");
		return 0;
	}
	for (i = 0; i < rules->count; i++) {
		const cicd_node *r = rules->u.seq.items[i], *v;
		if (!pl_is_map(r)) {
			pl_error(c, r, "include:rules:rule config should be a hash");
			continue;
		}
		pl_unknown_keys(c, r, "include:rules:rule", keys);
		if ((v = pl_get(r, "if"))) {
			if (!pl_is_string(v))
				pl_error(c, v, "include:rules:rule if should be a string");
			else
				pl_check_expression(c, v, "include:rules:rule", "if");
		}
		if ((v = pl_get(r, "when")) && !pl_in_list(pl_text(v), whens))
			pl_error(c, v, "include:rules:rule when unknown value: %s", pl_text(v) ? pl_text(v) : "?");
	}
	return c->errors == before;
}

/* Asks the caller's include_rules callback about an include with rules; 1 to read it. */
static int rules_allow(pl_ctx *c, const cicd_include_request *req, const cicd_node *at)
{
	int rc;
	if (!req->rules || !c->opts.include_rules)
		return 1;
	cicd_error_clear();
	rc = c->opts.include_rules(req->rules, req, c->opts.include_rules_payload);
	if (rc < 0) {
		/* A callback that set an error for its code (the plan module's does) says why. */
		const cicd_error *e = cicd_error_last();
		pl_error_code(c, rc, at, "include rules could not be evaluated: %s",
		              e->code == rc && *e->message ? e->message : cicd_strerror(rc));
		return 0;
	}
	return rc != 0;
}

static void add_part(pl_ctx *c, cicd_vec *parts, const cicd_node *tree)
{
	if (tree && cicd__vec_push(parts, (void *)(uintptr_t)tree))
		pl_oom(c);
}

/* One entry of `include`: a string or a hash; several files for globs and project file lists. */
static void include_entry(pl_ctx *c, const cicd_node *e, const char *parent, unsigned int depth, cicd_vec *parts)
{
	cicd_include_request req;
	const cicd_node *inputs = NULL, *loc_node = NULL;
	const char *location;
	size_t i, accessors = 0;
	memset(&req, 0, sizeof req);
	req.version = CICD_INCLUDE_REQUEST_VERSION;
	req.parent = parent;
	req.depth = depth;
	if (pl_is_string(e)) {
		location = pl_text(e);
		loc_node = e;
		req.kind = (!strncmp(location, "https://", 8) || !strncmp(location, "http://", 7)) ? CICD_INCLUDE_REMOTE
		                                                                                   : CICD_INCLUDE_LOCAL;
	} else if (pl_is_map(e)) {
		static const char *const acc[] = {"local", "remote", "template", "component", "project", NULL};
		for (i = 0; acc[i]; i++)
			if (pl_get(e, acc[i]))
				accessors++;
		pl_unknown_keys(c, e, "include", INCLUDE_KEYS);
		if (accessors != 1) {
			cicd_buf json = CICD_BUF_INIT;
			if (cicd_node_to_json(&json, e, 0)) {
				pl_oom(c);
				return;
			}
			pl_error(c, e, "Include `%s` needs to match exactly one accessor!", json.ptr ? json.ptr : "");
			cicd_buf_dispose(&json);
			return;
		}
		inputs = pl_get(e, "inputs");
		if (inputs && !pl_is_map(inputs)) {
			pl_error(c, inputs, "include:inputs config should be a hash");
			return;
		}
		req.rules = pl_get(e, "rules");
		if (req.rules && !valid_include_rules(c, req.rules))
			return;
		if ((loc_node = pl_get(e, "local")))
			req.kind = CICD_INCLUDE_LOCAL;
		else if ((loc_node = pl_get(e, "remote")))
			req.kind = CICD_INCLUDE_REMOTE;
		else if ((loc_node = pl_get(e, "template")))
			req.kind = CICD_INCLUDE_TEMPLATE;
		else if ((loc_node = pl_get(e, "component")))
			req.kind = CICD_INCLUDE_COMPONENT;
		else {
			const cicd_node *proj = pl_get(e, "project"), *file = pl_get(e, "file"),
			                *ref = pl_get(e, "ref");
			req.kind = CICD_INCLUDE_PROJECT;
			if (!pl_is_string(proj)) {
				pl_error(c, proj, "include:project config should be a string");
				return;
			}
			if (ref && !pl_is_scalar(ref)) {
				pl_error(c, ref, "include:ref config should be a string");
				return;
			}
			req.project = pl_text(proj);
			req.ref = pl_text(ref);
			if (!file || (!pl_is_string(file) && !pl_is_array_of_strings(file))) {
				pl_error(c, file ? file : e,
				         "include:file config should be a string or an array of strings");
				return;
			}
			if (file->kind == CICD_NODE_SEQUENCE && !file->count)
				return;
			req.location = pl_is_string(file) ? pl_text(file) : pl_text(file->u.seq.items[0]);
			if (!rules_allow(c, &req, e) || expand_request(c, &req, e))
				return;
			if (pl_is_string(file)) {
				add_part(c, parts, include_one(c, &req, file, inputs, depth));
				return;
			}
			for (i = 0; i < file->count && !c->fatal; i++) {
				if (i && !(req.location = expanded(c, pl_text(file->u.seq.items[i]), file->u.seq.items[i])))
					continue;
				add_part(c, parts, include_one(c, &req, file->u.seq.items[i], inputs, depth));
			}
			return;
		}
		if (!pl_is_string(loc_node)) {
			pl_error(c, loc_node, "include:%s config should be a string",
			         req.kind == CICD_INCLUDE_LOCAL      ? "local"
			         : req.kind == CICD_INCLUDE_REMOTE   ? "remote"
			         : req.kind == CICD_INCLUDE_TEMPLATE ? "template"
			                                             : "component");
			return;
		}
		location = pl_text(loc_node);
	} else {
		pl_error(c, e, "include config should be a hash or a string");
		return;
	}
	req.location = location;
	/* GitLab's Mapper decides rules first, then matches local wildcards
	 * against the pattern as written, then expands variables: an include
	 * its rules leave out is never expanded, and `ci/$DIR/<glob>` is a
	 * pattern with a literal `$DIR`. */
	if (!rules_allow(c, &req, e))
		return;
	if (req.kind == CICD_INCLUDE_LOCAL && strchr(location, '*') && !(c->opts.flags & CICD_PIPELINE_RESOLVE_LOCAL)) {
		cicd_vec found = CICD_VEC_INIT;
		size_t seen = 0;
		const char *pat = location;
		while (*pat == '/')
			pat++;
		if (!c->root_real) {
			const char *loc = shown(c, location);
			if (loc)
				pl_error(c, loc_node, "Local file `%s` cannot be included: no project root is set", loc);
			return;
		}
		walk(c, c->root_real, "", pat, &found, &seen);
		if (!found.count) {
			/* GitLab's LocationExpander turns such a pattern into no
			 * include at all; a warning says so without failing the load. */
			const char *loc = shown(c, location);
			if (loc)
				pl_warning(c, loc_node, "Included file `%s` matches no file; nothing is included", loc);
		}
		if (found.count > 1)
			qsort(found.items, found.count, sizeof *found.items, cmp_str);
		for (i = 0; i < found.count && !c->fatal; i++)
			if ((req.location = expanded(c, found.items[i], loc_node)))
				add_part(c, parts, include_one(c, &req, loc_node, inputs, depth));
		cicd__vec_dispose(&found);
		return;
	}
	if (expand_request(c, &req, loc_node))
		return;
	add_part(c, parts, include_one(c, &req, loc_node, inputs, depth));
}

static int mentions_reference(const char *data, size_t len)
{
	const char *p = data, *end = data + len;
	while (p && (size_t)(end - p) >= 10) {
		p = memchr(p, '!', (size_t)(end - p) - 9);
		if (!p)
			return 0;
		if (!memcmp(p, "!reference", 10))
			return 1;
		p++;
	}
	return 0;
}

static void copy_warnings(pl_ctx *c, const cicd_document *doc)
{
	const cicd_diagnostics *w = cicd_document_diagnostics(doc);
	size_t i;
	for (i = 0; i < w->count; i++) {
		const cicd_diagnostic *d = &w->items[i];
		if (cicd__diagnostics_add(c->diags, d->severity, d->code, d->file, d->line, d->column, "%s",
		                          d->message))
			c->fatal = 1;
		if (d->severity == CICD_SEVERITY_ERROR)
			c->errors++;
	}
}

static int note_file(pl_ctx *c, const char *name)
{
	if (cicd__hashmap_get(&c->seen, name, strlen(name)))
		return 0;
	if (cicd__hashmap_put(&c->seen, name, strlen(name), (void *)(uintptr_t)name, NULL) ||
	    cicd__vec_push(&c->p->files, (void *)(uintptr_t)name)) {
		pl_oom(c);
		return -1;
	}
	return 0;
}

const cicd_node *pl_load_file_tree(pl_ctx *c, const char *data, size_t len, const char *name, const cicd_node *inputs,
                                   const cicd_node *include_at, unsigned int depth)
{
	cicd_document_options dopts = CICD_DOCUMENT_OPTIONS_INIT;
	cicd_document *doc = NULL;
	const cicd_node *header = NULL, *content, *inc, *merged;
	cicd_vec parts = CICD_VEC_INIT;
	size_t i;
	int rc;
	name = pl_strdup(c, name);
	if (!name || note_file(c, name))
		return NULL;
	dopts.max_bytes = c->opts.max_file_bytes;
	dopts.max_depth = c->opts.max_yaml_depth;
	if (c->opts.flags & CICD_PIPELINE_STRICT_KEYS)
		dopts.flags |= CICD_DOCUMENT_STRICT_KEYS;
	if (!c->has_references && mentions_reference(data, len))
		c->has_references = 1;
	rc = cicd_document_load_buffer(&doc, data, len, name, &dopts);
	if (rc == CICD_ENOMEM) {
		pl_oom(c);
		return NULL;
	}
	if (rc) {
		const cicd_error *err = cicd_error_last();
		c->errors++;
		if (cicd__diagnostics_add(c->diags, CICD_SEVERITY_ERROR, rc, err->file, err->line, err->column, "%s",
		                          err->message))
			c->fatal = 1;
		if (include_at)
			pl_error(c, include_at, "Included file `%s` does not have valid YAML syntax!", name);
		return NULL;
	}
	if (cicd__vec_push(&c->p->documents, doc)) {
		cicd_document_free(doc);
		pl_oom(c);
		return NULL;
	}
	copy_warnings(c, doc);
	content = cicd_document_root(doc, 0);
	if (cicd_document_count(doc) >= 2 && pl_is_map(content) && pl_get(content, "spec")) {
		header = content;
		content = cicd_document_root(doc, 1);
	}
	if (pl_is_null(content)) {
		if (include_at)
			pl_error(c, include_at, "Included file `%s` is empty or does not exist!", name);
		else
			pl_error(c, NULL, "Please provide content of %s", name);
		return NULL;
	}
	content = pl_interpolate(c, header, content, inputs, include_at, name);
	if (!content)
		return NULL;
	if (!pl_is_map(content)) {
		pl_error(c, content,
		         include_at ? "Included file `%s` does not have valid YAML syntax!"
		                    : "Invalid configuration format%s",
		         include_at ? name : "");
		return NULL;
	}
	inc = pl_get(content, "include");
	if (!inc)
		return content;
	if (pl_is_seq(inc)) {
		for (i = 0; i < inc->count && !c->fatal; i++)
			include_entry(c, inc->u.seq.items[i], name, depth + 1, &parts);
	} else {
		include_entry(c, inc, name, depth + 1, &parts);
	}
	add_part(c, &parts, pl_map_without(c, content, "include"));
	merged = c->fatal ? NULL : pl_merge_all(c, (const cicd_node *const *)parts.items, parts.count);
	cicd__vec_dispose(&parts);
	return merged;
}

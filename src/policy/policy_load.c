/* Loading and validating a policy file (docs/policy.md); every error has the file:line:col of its node. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/alloc.h"
#include "core/buf.h"
#include "core/document.h"
#include "core/error.h"
#include "core/file.h"
#include "core/scalar_value.h"
#include "policy_internal.h"

int cicd_policy_options_init(cicd_policy_options *opts, unsigned int version)
{
	cicd_policy_options def = CICD_POLICY_OPTIONS_INIT;
	if (!opts || version == 0 || version > CICD_POLICY_OPTIONS_VERSION)
		return cicd__error_set(CICD_EINVALID, "unknown policy options version %u", version);
	*opts = def;
	return 0;
}

void cicd_policy_free(cicd_policy *p)
{
	size_t i;
	if (!p)
		return;
	for (i = 0; i < p->nkinds; i++) {
		cicd__free(p->kinds[i].name);
		cicd__free(p->kinds[i].pattern);
		cicd__free(p->kinds[i].description);
		cicd__regex_free(p->kinds[i].re);
		cicd__free(p->kinds[i].targets);
	}
	cicd__free(p->kinds);
	cicd__free(p->tag_template);
	cicd__regex_free(p->tag_re);
	cicd__free(p);
}

static int node_error(const cicd_node *n, int code, const char *fmt, ...) CICD__PRINTF(3, 4);
static int node_error(const cicd_node *n, int code, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	return cicd__error_set_at(code, n->meta->file ? n->meta->file : "", n->line, n->column, "%s", msg);
}

static const char *scalar(const cicd_node *n)
{
	return n && n->kind == CICD_NODE_SCALAR ? n->u.scalar.text : NULL;
}

static int expect(const cicd_node *n, cicd_node_kind kind, const char *what)
{
	static const char *names[] = {"null", "a string", "a list", "a mapping"};
	if (n->kind == (uint8_t)kind && (kind != CICD_NODE_SCALAR || n->value_type != CICD_VALUE_NULL))
		return 0;
	return cicd__error_set_at(CICD_EVALIDATE, n->meta->file ? n->meta->file : "", n->line, n->column, "%s must be %s", what,
	                          (unsigned int)kind < 4 ? names[kind] : "something else");
}

static int get_bool(const cicd_node *n, const char *what, int *out)
{
	int b = n->kind == CICD_NODE_SCALAR ? cicd__scalar_bool(n) : -1;
	if (b < 0)
		return cicd__error_set_at(CICD_EVALIDATE, n->meta->file ? n->meta->file : "", n->line, n->column,
		                          "%s must be true or false", what);
	*out = b;
	return 0;
}

static int compile(cicd_regex **out, const cicd_node *n, const char *text, size_t len)
{
	char err[256];
	int rc = cicd__regex_compile(out, text, len, 0, err, sizeof err);
	if (rc == CICD_ENOMEM)
		return cicd__error_oom();
	if (rc < 0)
		return node_error(n, CICD_EVALIDATE, "invalid pattern '%s': %s", text, err);
	return 0;
}

static int load_kind(branch_kind *k, const cicd_node *key, const cicd_node *spec)
{
	size_t i;
	int rc;
	if (key->kind != CICD_NODE_SCALAR)
		return node_error(key, CICD_EVALIDATE, "a branch kind's name must be a string");
	k->name = cicd__strndup(key->u.scalar.text, key->len);
	if (!k->name)
		return cicd__error_oom();
	if ((rc = expect(spec, CICD_NODE_MAPPING, "a branch kind")))
		return rc;
	for (i = 0; i < spec->count; i++) {
		const cicd_node *kn = spec->u.map.pairs[i].key, *v = spec->u.map.pairs[i].value;
		const char *kname = scalar(kn) ? scalar(kn) : "";
		if (!strcmp(kname, "pattern")) {
			if ((rc = expect(v, CICD_NODE_SCALAR, "pattern")))
				return rc;
			k->pattern = cicd__strndup(v->u.scalar.text, v->len);
			if (!k->pattern)
				return cicd__error_oom();
			if ((rc = compile(&k->re, v, v->u.scalar.text, v->len)))
				return rc;
		} else if (!strcmp(kname, "description")) {
			if ((rc = expect(v, CICD_NODE_SCALAR, "description")))
				return rc;
			k->description = cicd__strndup(v->u.scalar.text, v->len);
			if (!k->description)
				return cicd__error_oom();
		} else if (!strcmp(kname, "protected")) {
			if ((rc = get_bool(v, "protected", &k->is_protected)))
				return rc;
		} else if (!strcmp(kname, "release")) {
			if ((rc = get_bool(v, "release", &k->release)))
				return rc;
		} else {
			return node_error(kn, CICD_EVALIDATE, "unknown key '%s' in branch kind '%s'", kname, k->name);
		}
	}
	if (!k->re)
		return node_error(spec, CICD_EVALIDATE, "branch kind '%s' has no pattern", k->name);
	return 0;
}

static size_t find_kind(const cicd_policy *p, const char *name)
{
	size_t i;
	for (i = 0; i < p->nkinds; i++)
		if (!strcmp(p->kinds[i].name, name))
			return i;
	return (size_t)-1;
}

static int load_flows(cicd_policy *p, const cicd_node *flows)
{
	size_t i, j;
	int rc;
	if ((rc = expect(flows, CICD_NODE_MAPPING, "merge_requests")))
		return rc;
	for (i = 0; i < flows->count; i++) {
		const cicd_node *kn = flows->u.map.pairs[i].key, *v = flows->u.map.pairs[i].value;
		const char *src = scalar(kn) ? scalar(kn) : "";
		size_t s = find_kind(p, src);
		branch_kind *k;
		if (s == (size_t)-1)
			return node_error(kn, CICD_EVALIDATE, "merge_requests names '%s', which is not a branch kind",
			                  src);
		k = &p->kinds[s];
		if (v->kind == CICD_NODE_SCALAR && v->value_type != CICD_VALUE_NULL) {
			/* one target may be written without a list */
			const cicd_node *one = v;
			size_t t = find_kind(p, one->u.scalar.text);
			if (t == (size_t)-1)
				return node_error(one, CICD_EVALIDATE,
				                  "merge_requests target '%s' is not a branch kind",
				                  one->u.scalar.text);
			k->targets = cicd__calloc(1, sizeof *k->targets);
			if (!k->targets)
				return cicd__error_oom();
			k->targets[0] = t;
			k->ntargets = 1;
			continue;
		}
		if ((rc = expect(v, CICD_NODE_SEQUENCE, "the targets of a merge-request flow")))
			return rc;
		k->targets = cicd__calloc(v->count ? v->count : 1, sizeof *k->targets);
		if (!k->targets)
			return cicd__error_oom();
		for (j = 0; j < v->count; j++) {
			const cicd_node *tn = v->u.seq.items[j];
			size_t t;
			if ((rc = expect(tn, CICD_NODE_SCALAR, "a merge-request target")))
				return rc;
			t = find_kind(p, tn->u.scalar.text);
			if (t == (size_t)-1)
				return node_error(tn, CICD_EVALIDATE, "merge_requests target '%s' is not a branch kind",
				                  tn->u.scalar.text);
			k->targets[k->ntargets++] = t;
		}
	}
	return 0;
}

/* Turns "v{major}.{minor}.{patch}" into an RE2 pattern with named groups. */
static int tag_pattern(cicd_policy *p, const cicd_node *n)
{
	static const char *const holders[] = {"major", "minor", "patch", "prerelease"};
	static const char *const groups[] = {"(?P<major>0|[1-9][0-9]*)", "(?P<minor>0|[1-9][0-9]*)",
	                                     "(?P<patch>0|[1-9][0-9]*)",
	                                     "(?P<prerelease>[0-9A-Za-z-]+(?:\\.[0-9A-Za-z-]+)*)"};
	const char *t = n->u.scalar.text;
	size_t len = n->len, i = 0;
	int seen[4] = {0, 0, 0, 0}, h, rc;
	cicd_buf re = CICD_BUF_INIT;
	while (i < len) {
		if (t[i] == '{') {
			const char *end = memchr(t + i, '}', len - i);
			size_t nl = end ? (size_t)(end - (t + i)) - 1 : 0;
			for (h = 0; h < 4 && end; h++)
				if (strlen(holders[h]) == nl && !memcmp(t + i + 1, holders[h], nl))
					break;
			if (!end || h == 4) {
				cicd_buf_dispose(&re);
				return node_error(n, CICD_EVALIDATE,
				                  "tag pattern %s: unknown placeholder (use {major}, {minor}, {patch}, "
				                  "{prerelease})",
				                  t);
			}
			if (seen[h]++) {
				cicd_buf_dispose(&re);
				return node_error(n, CICD_EVALIDATE, "tag pattern %s repeats {%s}", t, holders[h]);
			}
			if (cicd__buf_puts(&re, groups[h]))
				goto oom;
			i += nl + 2;
			continue;
		}
		if (strchr("\\.+*?()|[]{}^$", t[i]) && cicd__buf_putc(&re, '\\'))
			goto oom;
		if (cicd__buf_putc(&re, t[i++]))
			goto oom;
	}
	for (h = 0; h < 3; h++)
		if (!seen[h]) {
			cicd_buf_dispose(&re);
			return node_error(n, CICD_EVALIDATE, "tag pattern %s has no {%s}", t, holders[h]);
		}
	p->tag_template = cicd__strndup(t, len);
	if (!p->tag_template)
		goto oom;
	rc = compile(&p->tag_re, n, re.ptr, re.size);
	cicd_buf_dispose(&re);
	return rc;
oom:
	cicd_buf_dispose(&re);
	return cicd__error_oom();
}

static int load_tags(cicd_policy *p, const cicd_node *tags)
{
	size_t i;
	int rc;
	if ((rc = expect(tags, CICD_NODE_MAPPING, "tags")))
		return rc;
	for (i = 0; i < tags->count; i++) {
		const cicd_node *kn = tags->u.map.pairs[i].key, *v = tags->u.map.pairs[i].value;
		const char *k = scalar(kn) ? scalar(kn) : "";
		if (!strcmp(k, "release")) {
			if ((rc = expect(v, CICD_NODE_SCALAR, "tags.release")) || (rc = tag_pattern(p, v)))
				return rc;
		} else if (!strcmp(k, "increasing")) {
			if ((rc = get_bool(v, "tags.increasing", &p->tags_increasing)))
				return rc;
		} else {
			return node_error(kn, CICD_EVALIDATE, "unknown key '%s' in tags", k);
		}
	}
	return 0;
}

static int load_root(cicd_policy *p, const cicd_node *root, const cicd_policy_options *opts)
{
	const cicd_node *branches = NULL, *flows = NULL, *tags = NULL;
	size_t i;
	int rc;
	if ((rc = expect(root, CICD_NODE_MAPPING, "a policy")))
		return rc;
	for (i = 0; i < root->count; i++) {
		const cicd_node *kn = root->u.map.pairs[i].key, *v = root->u.map.pairs[i].value;
		const char *k = scalar(kn) ? scalar(kn) : "";
		if (!strcmp(k, "version")) {
			if (!cicd__node_is(v, "1"))
				return node_error(v, CICD_EUNSUPPORTED,
				                  "policy version %s is not supported (this is 1)",
				                  scalar(v) ? scalar(v) : "?");
		} else if (!strcmp(k, "branches")) {
			branches = v;
		} else if (!strcmp(k, "merge_requests")) {
			flows = v;
		} else if (!strcmp(k, "tags")) {
			tags = v;
		} else {
			return node_error(kn, CICD_EVALIDATE, "unknown key '%s' in the policy", k);
		}
	}
	if (!branches)
		return node_error(root, CICD_EVALIDATE, "the policy has no branches");
	if ((rc = expect(branches, CICD_NODE_MAPPING, "branches")))
		return rc;
	if (branches->count == 0)
		return node_error(branches, CICD_EVALIDATE, "branches has no branch kind");
	if (branches->count > opts->max_branch_kinds)
		return cicd__error_set_at(CICD_ELIMIT, branches->meta->file, branches->line, branches->column,
		                          "%zu branch kinds, more than the limit of %zu", (size_t)branches->count,
		                          opts->max_branch_kinds);
	p->kinds = cicd__calloc(branches->count ? branches->count : 1, sizeof *p->kinds);
	if (!p->kinds)
		return cicd__error_oom();
	for (i = 0; i < branches->count; i++) {
		p->nkinds++;
		if ((rc = load_kind(&p->kinds[i], branches->u.map.pairs[i].key, branches->u.map.pairs[i].value)))
			return rc;
	}
	if (flows && (rc = load_flows(p, flows)))
		return rc;
	if (tags && (rc = load_tags(p, tags)))
		return rc;
	if (!p->tag_re) {
		/* the default release tag: v{major}.{minor}.{patch} */
		static const char def[] =
		    "v(?P<major>0|[1-9][0-9]*)\\.(?P<minor>0|[1-9][0-9]*)\\.(?P<patch>0|[1-9][0-9]*)";
		if ((rc = compile(&p->tag_re, root, def, sizeof def - 1)))
			return rc;
		p->tag_template = cicd__strdup("v{major}.{minor}.{patch}");
		if (!p->tag_template)
			return cicd__error_oom();
	}
	return 0;
}

int cicd_policy_load_buffer(cicd_policy **out, const char *data, size_t len, const char *name,
                            const cicd_policy_options *opts)
{
	cicd_policy_options def = CICD_POLICY_OPTIONS_INIT;
	cicd_document_options dopts = CICD_DOCUMENT_OPTIONS_INIT;
	cicd_document *doc = NULL;
	cicd_policy *p;
	int rc;
	if (!out || (!data && len))
		return cicd__error_set(CICD_EINVALID, "cicd_policy_load_buffer: NULL argument");
	*out = NULL;
	if (!opts)
		opts = &def;
	if (!name)
		name = "<policy>";
	if (len > opts->max_bytes)
		return cicd__error_set_at(CICD_ELIMIT, name, 0, 0, "policy is %zu bytes, over the limit of %zu bytes",
		                          len, opts->max_bytes);
	dopts.max_bytes = opts->max_bytes;
	dopts.max_depth = 16;
	dopts.max_alias_expansion = 100000;
	dopts.flags |= CICD_DOCUMENT_STRICT_KEYS;
	if ((rc = cicd_document_load_buffer(&doc, data ? data : "", len, name, &dopts)))
		return rc;
	if (cicd_document_count(doc) != 1 || !cicd_document_root(doc, 0)) {
		cicd_document_free(doc);
		return cicd__error_set_at(CICD_EVALIDATE, name, 1, 1, "a policy file holds exactly one YAML document");
	}
	p = cicd__calloc(1, sizeof *p);
	if (!p) {
		cicd_document_free(doc);
		return cicd__error_oom();
	}
	p->tags_increasing = 1;
	p->max_name_length = opts->max_name_length;
	rc = load_root(p, cicd_document_root(doc, 0), opts);
	cicd_document_free(doc);
	if (rc) {
		cicd_policy_free(p);
		return rc;
	}
	*out = p;
	return 0;
}

int cicd_policy_load_file(cicd_policy **out, const char *path, const cicd_policy_options *opts)
{
	cicd_policy_options def = CICD_POLICY_OPTIONS_INIT;
	char *data = NULL;
	size_t len = 0;
	int rc;
	if (!out || !path)
		return cicd__error_set(CICD_EINVALID, "cicd_policy_load_file: NULL argument");
	*out = NULL;
	if (!opts)
		opts = &def;
	if ((rc = cicd__file_read(path, opts->max_bytes, &data, &len)))
		return rc;
	rc = cicd_policy_load_buffer(out, data, len, path, opts);
	cicd__free(data);
	return rc;
}

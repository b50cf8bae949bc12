/*
 * `spec:inputs` headers and `$[[ inputs.name ]]` interpolation, per file
 * and before its includes are read, as GitLab's Interpolator does: given
 * inputs are checked against the spec (types, options, regex, required),
 * defaults fill the rest, and every scalar (keys too) is interpolated. A
 * scalar that is exactly one `$[[ ... ]]` takes the input's typed value.
 */
#include <stdio.h>
#include <string.h>

#include "core/alloc.h"
#include "core/buf.h"
#include "core/regex.h"
#include "internal.h"

#define MAX_INPUTS 50

static const char *const SPEC_KEYS[] = {"inputs", "include", "component", NULL};
static const char *const INPUT_KEYS[] = {"default", "description", "options", "regex", "type", "rules", NULL};
static const char *const INPUT_TYPES[] = {"string", "number", "boolean", "array", NULL};

typedef struct input {
	const char *name;
	const cicd_node *value; /* given or default; NULL when missing */
} input;

typedef struct interp {
	pl_ctx *c;
	input *inputs;
	size_t count;
	const char *file;
} interp;

static const char *type_of(const cicd_node *spec)
{
	const cicd_node *t = pl_is_map(spec) ? pl_get(spec, "type") : NULL;
	return t ? pl_text(t) : "string";
}

static int type_ok(const char *type, const cicd_node *v)
{
	if (!strcmp(type, "array"))
		return pl_is_seq(v);
	if (!pl_is_scalar(v))
		return 0;
	if (!strcmp(type, "number"))
		return v->value_type == CICD_VALUE_INT || v->value_type == CICD_VALUE_FLOAT;
	if (!strcmp(type, "boolean"))
		return v->value_type == CICD_VALUE_BOOL;
	return v->value_type == CICD_VALUE_STRING;
}

static void check_value(pl_ctx *c, const char *name, const cicd_node *spec, const cicd_node *v, const cicd_node *at)
{
	const char *type = type_of(spec);
	const cicd_node *options = pl_is_map(spec) ? pl_get(spec, "options") : NULL;
	const cicd_node *regex = pl_is_map(spec) ? pl_get(spec, "regex") : NULL;
	size_t i;
	if (!type_ok(type, v)) {
		pl_error(c, at, "`%s` input: provided value is not a%s %s", name, !strcmp(type, "array") ? "n" : "",
		         type);
		return;
	}
	if (pl_is_seq(options) && pl_is_scalar(v)) {
		int found = 0;
		for (i = 0; i < options->count; i++)
			if (pl_text(options->u.seq.items[i]) && !strcmp(pl_text(options->u.seq.items[i]), pl_text(v)))
				found = 1;
		if (!found)
			pl_error(c, at,
			         "`%s` input: `%s` cannot be used because it is not in the list of allowed options",
			         name, pl_text(v));
	}
	if (pl_is_string(regex) && pl_is_scalar(v)) {
		const char *r = pl_text(regex);
		size_t rl = strlen(r);
		cicd_regex *re = NULL;
		char err[256];
		if (rl >= 2 && r[0] == '/' && r[rl - 1] == '/') {
			r++;
			rl -= 2;
		}
		if (cicd__regex_compile(&re, r, rl, 0, err, sizeof err)) {
			pl_error(c, regex, "`%s` input: invalid regular expression: %s", name, err);
			return;
		}
		if (!cicd__regex_search(re, pl_text(v), strlen(pl_text(v))))
			pl_error(c, at, "`%s` input: provided value does not match required RegEx pattern", name);
		cicd__regex_free(re);
	}
}

/* Validates the header and collects the inputs; 0, or -1 when errors were reported. */
static int collect(interp *it, const cicd_node *header, const cicd_node *given, const cicd_node *include_at)
{
	pl_ctx *c = it->c;
	const cicd_node *spec = pl_get(header, "spec"), *decl;
	size_t before = c->errors, i;
	if (!pl_is_map(spec)) {
		pl_error(c, spec ? spec : header, "header:spec config should be a hash");
		return -1;
	}
	pl_unknown_keys(c, spec, "header:spec", SPEC_KEYS);
	decl = pl_get(spec, "inputs");
	if (decl && !pl_is_map(decl) && !pl_is_null(decl)) {
		pl_error(c, decl, "header:spec:inputs config should be a hash");
		return -1;
	}
	if (pl_is_map(decl) && decl->count > MAX_INPUTS) {
		pl_error(c, decl, "header:spec:inputs config has too many inputs (maximum %d)", MAX_INPUTS);
		return -1;
	}
	if (given) {
		for (i = 0; i < given->count; i++) {
			const cicd_node *k = given->u.map.pairs[i].key;
			if (!pl_is_map(decl) || !cicd__node_get(decl, k->u.scalar.text, k->len))
				pl_error(c, k, "unknown input arguments: %s", pl_text(k));
		}
	}
	if (!pl_is_map(decl))
		return c->errors > before ? -1 : 0;
	it->inputs = cicd__arena_calloc(&c->p->arena, decl->count + 1, sizeof *it->inputs);
	if (!it->inputs) {
		pl_oom(c);
		return -1;
	}
	for (i = 0; i < decl->count; i++) {
		const cicd_node *k = decl->u.map.pairs[i].key, *s = decl->u.map.pairs[i].value, *v = NULL, *d;
		const char *name = pl_text(k), *type;
		if (!pl_is_map(s) && !pl_is_null(s)) {
			pl_error(c, s, "header:spec:inputs:%s config should be a hash", name);
			continue;
		}
		if (pl_is_map(s)) {
			pl_unknown_keys(c, s, pl_sprintf(c, "header:spec:inputs:%s", name), INPUT_KEYS);
			type = type_of(s);
			if (!type || !pl_in_list(type, INPUT_TYPES)) {
				pl_error(c, pl_get(s, "type"), "header:spec:inputs:%s input type unknown value: %s",
				         name, type ? type : "?");
				continue;
			}
			if ((d = pl_get(s, "options")) && (!pl_is_seq(d) || d->count > 50))
				pl_error(c, d, "header:spec:inputs:%s options should be an array of at most 50 values",
				         name);
			if ((d = pl_get(s, "regex")) && (!pl_is_string(d) || strcmp(type, "string")))
				pl_error(c, d, "header:spec:inputs:%s regex is only allowed for string inputs", name);
		}
		if (given)
			v = cicd__node_get(given, k->u.scalar.text, k->len);
		if (v) {
			check_value(c, name, s, v, v);
		} else if (pl_is_map(s) && (d = pl_get(s, "default"))) {
			v = d;
			check_value(c, name, s, v, d);
		} else {
			pl_error(c, include_at ? include_at : k, "`%s` input: required value has not been provided",
			         name);
		}
		it->inputs[it->count].name = name;
		it->inputs[it->count].value = v;
		it->count++;
	}
	return c->errors > before ? -1 : 0;
}

static const input *find_input(const interp *it, const char *name, size_t len)
{
	size_t i;
	for (i = 0; i < it->count; i++)
		if (strlen(it->inputs[i].name) == len && !memcmp(it->inputs[i].name, name, len))
			return &it->inputs[i];
	return NULL;
}

static void trim(const char **s, const char **e)
{
	while (*s < *e && (**s == ' ' || **s == '\t'))
		(*s)++;
	while (*e > *s && ((*e)[-1] == ' ' || (*e)[-1] == '\t'))
		(*e)--;
}

/* Evaluates the inside of one `$[[ ]]` into text (or *whole for a typed value); -1 on error (reported). */
static int eval_block(interp *it, const cicd_node *at, const char *s, const char *e, cicd_buf *out,
                      const cicd_node **whole)
{
	pl_ctx *c = it->c;
	const char *name, *p;
	const input *in;
	const cicd_node *v;
	cicd_buf val = CICD_BUF_INIT;
	int typed = 1, rc = -1;
	trim(&s, &e);
	if ((size_t)(e - s) < 7 || memcmp(s, "inputs.", 7) != 0) {
		pl_error(c, at, "invalid interpolation access pattern: `%.*s`", (int)(e - s), s);
		return -1;
	}
	name = s + 7;
	for (p = name; p < e && (p[0] == '_' || p[0] == '-' || (p[0] >= 'a' && p[0] <= 'z') ||
	                         (p[0] >= 'A' && p[0] <= 'Z') || (p[0] >= '0' && p[0] <= '9'));
	     p++)
		;
	in = find_input(it, name, (size_t)(p - name));
	if (!in) {
		pl_error(c, at, "unknown interpolation key: `%.*s`", (int)(p - name), name);
		return -1;
	}
	v = in->value;
	if (!v)
		return -1; /* missing input, reported already */
	if (pl_is_scalar(v)) {
		if (v->value_type == CICD_VALUE_BOOL)
			rc = cicd__buf_puts(&val, v->u.scalar.text[0] == 't' || v->u.scalar.text[0] == 'T' ||
			                                  v->u.scalar.text[0] == 'y' || v->u.scalar.text[0] == 'Y' ||
			                                  !strcasecmp(v->u.scalar.text, "on")
			                              ? "true"
			                              : "false");
		else
			rc = cicd__buf_put(&val, v->u.scalar.text, v->len);
	} else {
		rc = cicd_node_to_json(&val, v, 0);
	}
	if (rc) {
		pl_oom(c);
		goto done;
	}
	rc = -1;
	/* functions: | expand_vars | truncate(a, b) */
	while (p < e) {
		const char *fs;
		while (p < e && *p == ' ')
			p++;
		if (p >= e)
			break;
		if (*p != '|') {
			pl_error(c, at, "invalid interpolation access pattern: `%.*s`", (int)(e - s), s);
			goto done;
		}
		p++;
		while (p < e && *p == ' ')
			p++;
		fs = p;
		while (p < e && *p != '|' && *p != ' ')
			p++;
		typed = 0;
		if ((size_t)(p - fs) == 11 && !memcmp(fs, "expand_vars", 11)) {
			/* No CI/CD variables are known while loading: the text stays as written. */
		} else if ((size_t)(p - fs) >= 9 && !memcmp(fs, "truncate(", 9)) {
			long off = 0, n = 0;
			char args[64];
			size_t al = (size_t)(p - fs) - 9;
			if (al == 0 || al >= sizeof args || fs[9 + al - 1] != ')' ||
			    (memcpy(args, fs + 9, al), args[al - 1] = 0, sscanf(args, "%ld ,%ld", &off, &n) != 2) ||
			    off < 0 || n < 0) {
				pl_error(c, at, "invalid input for function `truncate`: `%.*s`", (int)(p - fs), fs);
				goto done;
			}
			if ((size_t)off > val.size)
				off = (long)val.size;
			if ((size_t)(off + n) > val.size)
				n = (long)val.size - off;
			memmove(val.ptr, val.ptr + off, (size_t)n);
			val.size = (size_t)n;
			val.ptr[n] = 0;
		} else {
			pl_error(c, at,
			         "no function matching `%.*s`: check that the function name, arguments, and types are "
			         "correct",
			         (int)(p - fs), fs);
			goto done;
		}
	}
	if (typed)
		*whole = v;
	if (cicd__buf_put(out, val.ptr ? val.ptr : "", val.size)) {
		pl_oom(c);
		goto done;
	}
	rc = 0;
done:
	cicd_buf_dispose(&val);
	return rc;
}

static int is_matrix_block(const char *s, const char *e)
{
	trim(&s, &e);
	return (size_t)(e - s) > 7 && !memcmp(s, "matrix.", 7);
}

static const cicd_node *interp_scalar(interp *it, const cicd_node *n)
{
	pl_ctx *c = it->c;
	const char *t = n->u.scalar.text, *end = t + n->len, *p = t;
	cicd_buf out = CICD_BUF_INIT;
	const cicd_node *whole = NULL, *res = NULL;
	int blocks = 0;
	while (p < end) {
		const char *open = strstr(p, "$[[");
		const char *close;
		if (!open || open >= end) {
			if (cicd__buf_put(&out, p, (size_t)(end - p)))
				goto oom;
			break;
		}
		close = strstr(open + 3, "]]");
		if (!close) {
			if (cicd__buf_put(&out, p, (size_t)(end - p)))
				goto oom;
			break;
		}
		if (cicd__buf_put(&out, p, (size_t)(open - p)))
			goto oom;
		whole = NULL;
		if (is_matrix_block(open + 3, close)) {
			/* `$[[ matrix.X ]]` is resolved per parallel:matrix instance when planning (GitLab 18.5) */
			if (cicd__buf_put(&out, open, (size_t)(close + 2 - open)))
				goto oom;
			p = close + 2;
			continue;
		}
		if (eval_block(it, n, open + 3, close, &out, &whole)) {
			cicd_buf_dispose(&out);
			return n;
		}
		blocks++;
		p = close + 2;
	}
	if (!blocks) {
		cicd_buf_dispose(&out);
		return n;
	}
	if (blocks == 1 && whole && n->len >= 4 && t[0] == '$' && end[-1] == ']' && end[-2] == ']') {
		cicd_buf_dispose(&out);
		if (!pl_is_scalar(whole))
			return whole;
		res =
		    pl_scalar_new(c, whole->u.scalar.text, whole->len, n, (cicd_value_type)whole->value_type);
		if (res)
			((cicd_node *)(uintptr_t)res)->style = whole->style;
		return res;
	}
	res = pl_scalar_new(c, out.ptr ? out.ptr : "", out.size, n, CICD_VALUE_STRING);
	cicd_buf_dispose(&out);
	return res;
oom:
	cicd_buf_dispose(&out);
	pl_oom(c);
	return NULL;
}

static const cicd_node *interp_node(interp *it, const cicd_node *n)
{
	pl_ctx *c = it->c;
	size_t i;
	if (!n || c->fatal)
		return n;
	if (n->kind == CICD_NODE_SCALAR)
		return memchr(n->u.scalar.text, '$', n->len) ? interp_scalar(it, n) : n;
	if (n->kind == CICD_NODE_SEQUENCE) {
		cicd_node *copy = NULL;
		for (i = 0; i < n->count; i++) {
			const cicd_node *v = interp_node(it, n->u.seq.items[i]);
			if (!v)
				return NULL;
			if (v != n->u.seq.items[i] && !copy) {
				if (!(copy = pl_seq_new(c, n->count, n)))
					return NULL;
				copy->meta = n->meta;
				copy->count = n->count;
				memcpy(copy->u.seq.items, n->u.seq.items, n->count * sizeof *copy->u.seq.items);
			}
			if (copy)
				copy->u.seq.items[i] = (cicd_node *)(uintptr_t)v;
		}
		return copy ? copy : n;
	} else {
		cicd_node *copy = NULL;
		for (i = 0; i < n->count; i++) {
			const cicd_node *k = interp_node(it, n->u.map.pairs[i].key);
			const cicd_node *v = interp_node(it, n->u.map.pairs[i].value);
			if (!k || !v)
				return NULL;
			if ((k != n->u.map.pairs[i].key || v != n->u.map.pairs[i].value) && !copy) {
				if (!(copy = pl_map_new(c, n->count, n)))
					return NULL;
				copy->meta = n->meta;
				copy->count = n->count;
				memcpy(copy->u.map.pairs, n->u.map.pairs, n->count * sizeof *copy->u.map.pairs);
			}
			if (copy) {
				copy->u.map.pairs[i].key = (cicd_node *)(uintptr_t)k;
				copy->u.map.pairs[i].value = (cicd_node *)(uintptr_t)v;
			}
		}
		if (copy && pl_map_finish(c, copy))
			return NULL;
		return copy ? copy : n;
	}
}

const cicd_node *pl_interpolate(pl_ctx *c, const cicd_node *header, const cicd_node *content, const cicd_node *inputs,
                                const cicd_node *include_at, const char *name)
{
	interp it;
	size_t before = c->errors;
	const cicd_node *out;
	if (!header) {
		if (inputs && inputs->count)
			pl_error(c, inputs,
			         "Given inputs not defined in the `spec` section of the included configuration file");
		return content;
	}
	memset(&it, 0, sizeof it);
	it.c = c;
	it.file = name;
	if (collect(&it, header, inputs, include_at))
		return NULL;
	out = interp_node(&it, content);
	return c->errors > before ? NULL : out;
}

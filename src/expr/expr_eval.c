/*
 * Evaluating a compiled rules:if expression with GitLab's (Ruby's) value
 * semantics: null for undefined variables, `&&`/`||` returning an operand,
 * and "present" (not null, not false, not blank) as the final truth.
 */
#include <string.h>

#include "core/alloc.h"
#include "core/error.h"
#include "expr_internal.h"

typedef enum { V_NIL, V_FALSE, V_TRUE, V_STRING, V_PATTERN } val_kind;

typedef struct value {
	val_kind kind;
	const char *s; /* string, or a pattern's RE2 source */
	size_t len;
	const cicd_regex *re;
} value;

char *cicd__expr_unescape_slashes(const char *text, size_t len, size_t *out_len)
{
	char *out = cicd__malloc(len + 1);
	size_t i, n = 0;
	if (!out)
		return NULL;
	for (i = 0; i < len; i++) {
		if (text[i] == '\\' && i + 1 < len && text[i + 1] == '/')
			i++;
		out[n++] = text[i];
	}
	out[n] = '\0';
	*out_len = n;
	return out;
}

/*
 * GitLab's RubySyntax: `^/(?<regexp>.*)/(?<flags>[ismU]*)$` with Ruby's
 * `.` (no newline); the flags go in front as an inline group.
 */
int cicd__expr_pattern_source(char **src, size_t *src_len, const char *text, size_t len)
{
	size_t end = len, body_end, i, flags_len;
	char *out;
	if (len < 2 || text[0] != '/' || memchr(text, '\n', len))
		return 0;
	while (end > 1 && strchr("ismU", text[end - 1]) && text[end - 1] != '\0')
		end--;
	/* `.*` is greedy: the body ends at the last slash followed only by flags. */
	body_end = end;
	while (body_end > 1 && text[body_end - 1] != '/')
		body_end--;
	if (body_end <= 1)
		return 0;
	/* The flags are the letters after that slash; anything else breaks the shape. */
	for (i = body_end; i < len; i++)
		if (!strchr("ismU", text[i]) || text[i] == '\0')
			return 0;
	flags_len = len - body_end;
	out = cicd__malloc(len + 8);
	if (!out)
		return cicd__error_oom();
	*src_len = 0;
	if (flags_len) {
		out[0] = '(';
		out[1] = '?';
		memcpy(out + 2, text + body_end, flags_len);
		out[2 + flags_len] = ')';
		*src_len = flags_len + 3;
	}
	memcpy(out + *src_len, text + 1, body_end - 2);
	*src_len += body_end - 2;
	out[*src_len] = '\0';
	*src = out;
	return 1;
}

static int truthy(const value *v)
{
	return v->kind != V_NIL && v->kind != V_FALSE;
}

static int present(const value *v)
{
	size_t i;
	if (v->kind == V_STRING) {
		for (i = 0; i < v->len; i++)
			if (!strchr(" \t\n\v\f\r", v->s[i]) || v->s[i] == '\0')
				return 1;
		return 0;
	}
	return truthy(v);
}

static int values_equal(const value *a, const value *b)
{
	if (a->kind != b->kind)
		return 0;
	if (a->kind == V_STRING || a->kind == V_PATTERN)
		return a->len == b->len && memcmp(a->s, b->s, a->len) == 0;
	return 1;
}

/* Ruby's to_s of the left side of =~. */
static void as_text(const value *v, const char **s, size_t *len)
{
	switch (v->kind) {
	case V_NIL:
		*s = "";
		*len = 0;
		break;
	case V_FALSE:
		*s = "false";
		*len = 5;
		break;
	case V_TRUE:
		*s = "true";
		*len = 4;
		break;
	default:
		*s = v->s;
		*len = v->len;
	}
}

/* Substring search, as Ruby's String#scan with a string argument. */
static int contains(const char *hay, size_t hay_len, const char *needle, size_t needle_len)
{
	size_t i;
	if (needle_len == 0)
		return 1;
	for (i = 0; i + needle_len <= hay_len; i++)
		if (memcmp(hay + i, needle, needle_len) == 0)
			return 1;
	return 0;
}

/*
 * GitLab's Matches: a null or false right side never matches; a pattern
 * literal is searched in the text; a string that reads as `/.../flags` is
 * compiled, any other string (or an invalid pattern) is searched for the
 * text as a substring. *matched gets 1 or 0.
 */
static int match_values(int *matched, const value *left, const value *right)
{
	const char *text;
	size_t text_len, ulen, slen;
	char *unesc, *src = NULL;
	cicd_regex *re = NULL;
	char errbuf[64];
	int rc;

	*matched = 0;
	if (!truthy(right))
		return 0;
	as_text(left, &text, &text_len);
	if (right->kind == V_PATTERN) {
		*matched = cicd__regex_search(right->re, text, text_len);
		return 0;
	}
	if (right->kind != V_STRING)
		return 0; /* `true` on the right: GitLab fails; never a match here */
	if (!(unesc = cicd__expr_unescape_slashes(right->s, right->len, &ulen)))
		return cicd__error_oom();
	rc = cicd__expr_pattern_source(&src, &slen, unesc, ulen);
	cicd__free(unesc);
	if (rc < 0)
		return rc;
	if (rc == 1) {
		rc = cicd__regex_compile(&re, src, slen, 0, errbuf, sizeof errbuf);
		cicd__free(src);
		if (rc == CICD_ENOMEM)
			return cicd__error_oom();
		if (rc == 0) {
			*matched = cicd__regex_search(re, text, text_len);
			cicd__regex_free(re);
			return 0;
		}
	}
	*matched = contains(right->s, right->len, text, text_len);
	return 0;
}

typedef struct evaluator {
	const cicd_expr *expr;
	cicd_expr_lookup_cb lookup;
	void *payload;
} evaluator;

static int eval_node(value *out, const evaluator *ev, int index)
{
	const expr_node *n = &ev->expr->nodes[index];
	value l, r;
	int rc, m;
	memset(out, 0, sizeof *out);
	switch (n->kind) {
	case EXPR_VAR:
		out->kind = V_NIL;
		if (ev->lookup) {
			const char *v = NULL;
			size_t len = 0;
			rc = ev->lookup(&v, &len, n->str, ev->payload);
			if (rc < 0)
				return rc;
			if (rc > 0) {
				out->kind = V_STRING;
				out->s = v ? v : "";
				out->len = v ? len : 0;
			}
		}
		return 0;
	case EXPR_STRING:
		out->kind = V_STRING;
		out->s = n->str;
		out->len = n->len;
		return 0;
	case EXPR_NULL:
		out->kind = V_NIL;
		return 0;
	case EXPR_TRUE:
		out->kind = V_TRUE;
		return 0;
	case EXPR_FALSE:
		out->kind = V_FALSE;
		return 0;
	case EXPR_PATTERN:
		out->kind = V_PATTERN;
		out->s = n->str;
		out->len = n->len;
		out->re = n->re;
		return 0;
	case EXPR_AND:
	case EXPR_OR:
		if ((rc = eval_node(&l, ev, n->left)) != 0)
			return rc;
		if (truthy(&l) == (n->kind == EXPR_OR)) {
			*out = l;
			return 0;
		}
		return eval_node(out, ev, n->right);
	case EXPR_EQ:
	case EXPR_NE:
	case EXPR_MATCH:
	case EXPR_NMATCH:
		if ((rc = eval_node(&l, ev, n->left)) != 0 || (rc = eval_node(&r, ev, n->right)) != 0)
			return rc;
		if (n->kind == EXPR_EQ || n->kind == EXPR_NE) {
			m = values_equal(&l, &r) == (n->kind == EXPR_EQ);
		} else {
			if ((rc = match_values(&m, &l, &r)) != 0)
				return rc;
			/* GitLab's NotMatches: a null right side counts as "does not match". */
			if (n->kind == EXPR_NMATCH)
				m = !m;
		}
		out->kind = m ? V_TRUE : V_FALSE;
		return 0;
	}
	return cicd__error_set(CICD_ERROR, "internal: unknown expression node");
}

int cicd_expr_eval(int *result, const cicd_expr *expr, cicd_expr_lookup_cb lookup, void *payload)
{
	evaluator ev;
	value v;
	int rc;
	if (!result || !expr)
		return cicd__error_set(CICD_EINVALID, "cicd_expr_eval: result or expr is NULL");
	*result = 0;
	ev.expr = expr;
	ev.lookup = lookup;
	ev.payload = payload;
	if ((rc = eval_node(&v, &ev, expr->root)) != 0)
		return rc;
	*result = present(&v);
	return 0;
}

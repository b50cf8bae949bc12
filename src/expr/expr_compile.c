/*
 * Compiling a rules:if expression: GitLab's lexer (the first lexeme that
 * matches at the current position wins, in GitLab's order) and GitLab's
 * shunting-yard parser, with its errors given positions.
 */
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/alloc.h"
#include "core/error.h"
#include "expr_internal.h"

#define DEFAULT_MAX_TOKENS 99u
#define HARD_MAX_TOKENS 4096u
#define DEFAULT_MAX_BYTES 65536u

typedef enum {
	T_LPAREN = 1,
	T_RPAREN,
	T_VAR,
	T_STRING,
	T_PATTERN,
	T_NULL,
	T_TRUE,
	T_FALSE,
	T_EQ,
	T_MATCH,
	T_NE,
	T_NMATCH,
	T_AND,
	T_OR
} tok_kind;

typedef struct token {
	tok_kind kind;
	size_t off, len; /* the whole token */
} token;

typedef struct compiler {
	const char *text;
	size_t len;
	const cicd_expr_options *opts;
	token *toks;
	size_t ntoks;
	cicd_expr *expr;
} compiler;

int cicd_expr_options_init(cicd_expr_options *opts, unsigned int version)
{
	static const cicd_expr_options defaults = CICD_EXPR_OPTIONS_INIT;
	if (!opts || version != CICD_EXPR_OPTIONS_VERSION)
		return cicd__error_set(CICD_EINVALID, "unknown cicd_expr_options version %u", version);
	*opts = defaults;
	return 0;
}

/* Sets a parse error at byte offset `off` of the expression, in file coordinates. */
static int error_at(const compiler *c, size_t off, const char *fmt, ...) CICD__PRINTF(3, 4);
static int error_at(const compiler *c, size_t off, const char *fmt, ...)
{
	unsigned int line = c->opts && c->opts->line ? c->opts->line : 1;
	unsigned int col = c->opts && c->opts->column ? c->opts->column : 1;
	size_t i, line_start = 0;
	int first_line = 1;
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	for (i = 0; i < off && i < c->len; i++)
		if (c->text[i] == '\n') {
			line++;
			line_start = i + 1;
			first_line = 0;
		}
	col = first_line ? col + (unsigned int)off : (unsigned int)(off - line_start) + 1;
	return cicd__error_set_at(CICD_EPARSE, c->opts && c->opts->file ? c->opts->file : "", line, col, "%s", msg);
}

/* The lexer pattern of GitLab's Lexeme::Pattern, run with RE2 for its exact backtracking preference. */
static cicd_regex *g_pattern_lexeme;
static pthread_once_t g_pattern_once = PTHREAD_ONCE_INIT;

static void compile_pattern_lexeme(void)
{
	static const char pat[] = "^/(?:[^/]|\\\\/)+[^\\\\]/[ismU]*";
	char err[128];
	if (cicd__regex_compile(&g_pattern_lexeme, pat, sizeof pat - 1, CICD_REGEX_DOTALL, err, sizeof err) != 0)
		g_pattern_lexeme = NULL;
}

static int is_space(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r' || ch == '\f' || ch == '\v';
}

static int is_word(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '_';
}

static int starts(const compiler *c, size_t at, const char *lit)
{
	size_t n = strlen(lit);
	return at + n <= c->len && memcmp(c->text + at, lit, n) == 0;
}

/* Length of the token of `kind` at `at`, or 0 when that lexeme does not match there. */
static size_t scan_one(const compiler *c, size_t at, tok_kind kind, int *err)
{
	const char *s = c->text + at;
	size_t rest = c->len - at, i;
	switch (kind) {
	case T_LPAREN:
		return s[0] == '(';
	case T_RPAREN:
		return s[0] == ')';
	case T_VAR:
		if (s[0] != '$')
			return 0;
		for (i = 1; i < rest && is_word(s[i]); i++)
			;
		return i > 1 ? i : 0;
	case T_STRING:
		if (s[0] != '"' && s[0] != '\'')
			return 0;
		for (i = 1; i < rest && s[i] != '\n'; i++)
			if (s[i] == s[0])
				return i + 1;
		return 0;
	case T_PATTERN: {
		cicd_regex_span span;
		if (s[0] != '/')
			return 0;
		pthread_once(&g_pattern_once, compile_pattern_lexeme);
		if (!g_pattern_lexeme) {
			*err = cicd__error_oom();
			return 0;
		}
		if (cicd__regex_match(g_pattern_lexeme, s, rest, 0, &span, 1) != 1)
			return 0;
		return (size_t)span.end;
	}
	case T_NULL:
		return starts(c, at, "null") ? 4 : 0;
	case T_TRUE:
	case T_FALSE: {
		const char *w = kind == T_TRUE ? "true" : "false";
		size_t n = strlen(w);
		if (!starts(c, at, w) || (at + n < c->len && is_word(s[n])))
			return 0;
		return n;
	}
	case T_EQ:
		return starts(c, at, "==") ? 2 : 0;
	case T_MATCH:
		return starts(c, at, "=~") ? 2 : 0;
	case T_NE:
		return starts(c, at, "!=") ? 2 : 0;
	case T_NMATCH:
		return starts(c, at, "!~") ? 2 : 0;
	case T_AND:
		return starts(c, at, "&&") ? 2 : 0;
	case T_OR:
		return starts(c, at, "||") ? 2 : 0;
	}
	return 0;
}

static int unknown_lexeme(const compiler *c, size_t at)
{
	const char *s = c->text + at;
	char ch[2] = {s[0], '\0'};
	if (s[0] == '$' && at + 1 < c->len && s[1] == '{')
		return error_at(c, at, "invalid expression syntax: %s is not a variable in rules:if, write $NAME",
				"${NAME}");
	if (s[0] == '"' || s[0] == '\'')
		return error_at(c, at, "invalid expression syntax: unterminated string starting with %s", ch);
	if (s[0] == '/')
		return error_at(c, at, "invalid expression syntax: %s", "unterminated or too short regular expression");
	if (s[0] == '$')
		return error_at(c, at, "invalid expression syntax: %s", "$ without a variable name");
	if ((unsigned char)s[0] < 0x20 || (unsigned char)s[0] >= 0x7f)
		return error_at(c, at, "invalid expression syntax: %s", "unexpected character");
	return error_at(c, at, "invalid expression syntax: unexpected character '%s'", ch);
}

static int tokenize(compiler *c)
{
	unsigned int max = c->opts && c->opts->max_tokens ? c->opts->max_tokens : DEFAULT_MAX_TOKENS;
	size_t at = 0, cap = 0;
	while (1) {
		tok_kind k;
		size_t n = 0;
		int err = 0;
		while (at < c->len && is_space(c->text[at]))
			at++;
		if (at >= c->len)
			return 0;
		if (c->ntoks >= max)
			return error_at(c, at, "invalid expression syntax: %s", "too many tokens");
		for (k = T_LPAREN; k <= T_OR; k++) {
			n = scan_one(c, at, k, &err);
			if (err)
				return err;
			if (n)
				break;
		}
		if (!n)
			return unknown_lexeme(c, at);
		if (c->ntoks == cap) {
			size_t ncap = cap ? cap * 2 : 16;
			token *t = cicd__realloc(c->toks, ncap * sizeof *t);
			if (!t)
				return cicd__error_oom();
			c->toks = t;
			cap = ncap;
		}
		c->toks[c->ntoks].kind = k;
		c->toks[c->ntoks].off = at;
		c->toks[c->ntoks].len = n;
		c->ntoks++;
		at += n;
	}
}

static int precedence(tok_kind k)
{
	switch (k) {
	case T_EQ:
	case T_NE:
	case T_MATCH:
	case T_NMATCH:
		return 10;
	case T_AND:
		return 11;
	case T_OR:
		return 12;
	case T_RPAREN:
		return 900;
	case T_LPAREN:
		return 901;
	default:
		return 0;
	}
}

static int is_operator(tok_kind k)
{
	return k >= T_EQ && k <= T_OR;
}

static const char *op_text(tok_kind k)
{
	static const char *const names[] = {"==", "=~", "!=", "!~", "&&", "||"};
	return is_operator(k) ? names[k - T_EQ] : "?";
}

static int add_var(cicd_expr *e, const char *name, size_t len)
{
	size_t i;
	char **v;
	for (i = 0; i < e->nvars; i++)
		if (strlen(e->vars[i]) == len && memcmp(e->vars[i], name, len) == 0)
			return 0;
	v = cicd__realloc(e->vars, (e->nvars + 1) * sizeof *v);
	if (!v)
		return cicd__error_oom();
	e->vars = v;
	if (!(v[e->nvars] = cicd__strndup(name, len)))
		return cicd__error_oom();
	e->nvars++;
	return 0;
}

static int build_pattern(compiler *c, expr_node *n, const token *t)
{
	size_t ulen, slen;
	char *unesc = cicd__expr_unescape_slashes(c->text + t->off, t->len, &ulen);
	char *src = NULL;
	char errbuf[256];
	int rc;
	if (!unesc)
		return cicd__error_oom();
	rc = cicd__expr_pattern_source(&src, &slen, unesc, ulen);
	cicd__free(unesc);
	if (rc < 0)
		return rc;
	if (rc == 0)
		return error_at(c, t->off, "invalid expression syntax: %s", "invalid regular expression");
	rc = cicd__regex_compile(&n->re, src, slen, 0, errbuf, sizeof errbuf);
	if (rc == CICD_ENOMEM) {
		cicd__free(src);
		return cicd__error_oom();
	}
	if (rc != 0) {
		cicd__free(src);
		return error_at(c, t->off, "invalid expression syntax: invalid regular expression: %s", errbuf);
	}
	n->str = src;
	n->len = slen;
	return 0;
}

/* A value token becomes a leaf node. */
static int build_leaf(compiler *c, expr_node *n, const token *t)
{
	const char *s = c->text + t->off;
	n->left = n->right = -1;
	n->start = t->off;
	switch (t->kind) {
	case T_VAR:
		n->kind = EXPR_VAR;
		if (!(n->str = cicd__strndup(s + 1, t->len - 1)))
			return cicd__error_oom();
		n->len = t->len - 1;
		return add_var(c->expr, s + 1, t->len - 1);
	case T_STRING:
		n->kind = EXPR_STRING;
		if (!(n->str = cicd__strndup(s + 1, t->len - 2)))
			return cicd__error_oom();
		n->len = t->len - 2;
		return 0;
	case T_NULL:
		n->kind = EXPR_NULL;
		return 0;
	case T_TRUE:
		n->kind = EXPR_TRUE;
		return 0;
	case T_FALSE:
		n->kind = EXPR_FALSE;
		return 0;
	case T_PATTERN:
		n->kind = EXPR_PATTERN;
		return build_pattern(c, n, t);
	default:
		return cicd__error_set(CICD_ERROR, "internal: not a value token");
	}
}

static expr_kind op_kind(tok_kind k)
{
	switch (k) {
	case T_EQ:
		return EXPR_EQ;
	case T_NE:
		return EXPR_NE;
	case T_MATCH:
		return EXPR_MATCH;
	case T_NMATCH:
		return EXPR_NMATCH;
	case T_AND:
		return EXPR_AND;
	default:
		return EXPR_OR;
	}
}

/*
 * GitLab's parser: shunting-yard into reverse Polish notation (an operator
 * pops those of lower or equal precedence number; `)` pops back to its
 * `(`), then the RPN is folded into a tree, and its errors are GitLab's.
 */
static int parse(compiler *c)
{
	size_t *ops = NULL, *rpn = NULL;
	size_t nops = 0, nrpn = 0, i;
	int *stack = NULL;
	size_t depth = 0;
	int rc = 0;
	cicd_expr *e = c->expr;

	if (c->ntoks == 0)
		return error_at(c, 0, "invalid expression syntax: %s", "empty expression");
	ops = cicd__malloc(c->ntoks * sizeof *ops);
	rpn = cicd__malloc(c->ntoks * sizeof *rpn);
	stack = cicd__malloc(c->ntoks * sizeof *stack);
	e->nodes = cicd__calloc(c->ntoks, sizeof *e->nodes);
	if (!ops || !rpn || !stack || !e->nodes) {
		rc = cicd__error_oom();
		goto done;
	}
	for (i = 0; i < c->ntoks; i++) {
		tok_kind k = c->toks[i].kind;
		if (k == T_LPAREN) {
			ops[nops++] = i;
		} else if (k == T_RPAREN || is_operator(k)) {
			while (nops && precedence(k) >= precedence(c->toks[ops[nops - 1]].kind))
				rpn[nrpn++] = ops[--nops];
			if (k == T_RPAREN) {
				if (!nops) {
					rc = error_at(c, c->toks[i].off, "invalid expression syntax: %s",
						      "unmatched parenthesis");
					goto done;
				}
				nops--; /* the matching `(` */
			} else {
				ops[nops++] = i;
			}
		} else {
			rpn[nrpn++] = i;
		}
	}
	while (nops)
		rpn[nrpn++] = ops[--nops];

	for (i = 0; i < nrpn; i++) {
		const token *t = &c->toks[rpn[i]];
		expr_node *n = &e->nodes[e->count];
		if (t->kind == T_LPAREN) {
			rc = error_at(c, t->off, "invalid expression syntax: %s", "unclosed parenthesis");
			goto done;
		}
		if (is_operator(t->kind)) {
			if (depth < 2) {
				const char *which = "operands";
				if (depth == 1)
					which = e->nodes[stack[0]].start < t->off ? "right operand" : "left operand";
				rc = error_at(c, t->off, "invalid expression syntax: %s has no %s", op_text(t->kind),
					      which);
				goto done;
			}
			n->kind = op_kind(t->kind);
			n->right = stack[--depth];
			n->left = stack[--depth];
			n->start = e->nodes[n->left].start;
		} else if ((rc = build_leaf(c, n, t)) != 0) {
			e->count++; /* so that what the leaf allocated is freed */
			goto done;
		}
		stack[depth++] = (int)e->count++;
	}
	if (depth == 0) {
		rc = error_at(c, c->toks[0].off, "invalid expression syntax: %s", "empty expression");
	} else if (depth > 1) {
		rc = error_at(c, e->nodes[stack[1]].start, "invalid expression syntax: %s",
			      "value without an operator before it");
	} else {
		e->root = stack[0];
	}
done:
	cicd__free(ops);
	cicd__free(rpn);
	cicd__free(stack);
	return rc;
}

int cicd_expr_compile(cicd_expr **out, const char *text, size_t len, const cicd_expr_options *opts)
{
	compiler c;
	size_t max_bytes;
	int rc;
	if (!out)
		return cicd__error_set(CICD_EINVALID, "cicd_expr_compile: out is NULL");
	*out = NULL;
	if (!text && len)
		return cicd__error_set(CICD_EINVALID, "cicd_expr_compile: text is NULL");
	if (opts && opts->version != CICD_EXPR_OPTIONS_VERSION)
		return cicd__error_set(CICD_EINVALID, "unknown cicd_expr_options version %u", opts->version);
	if (opts && opts->max_tokens > HARD_MAX_TOKENS)
		return cicd__error_set(CICD_EINVALID, "max_tokens above %u", HARD_MAX_TOKENS);
	max_bytes = opts && opts->max_bytes ? opts->max_bytes : DEFAULT_MAX_BYTES;
	if (len > max_bytes)
		return cicd__error_set_at(CICD_ELIMIT, opts && opts->file ? opts->file : "", opts ? opts->line : 0,
					  opts ? opts->column : 0, "expression longer than %zu bytes", max_bytes);
	memset(&c, 0, sizeof c);
	c.text = text ? text : "";
	c.len = len;
	c.opts = opts;
	if (!(c.expr = cicd__calloc(1, sizeof *c.expr)))
		return cicd__error_oom();
	if (!(c.expr->text = cicd__strndup(c.text, len))) {
		cicd__free(c.expr);
		return cicd__error_oom();
	}
	c.expr->len = len;
	c.expr->root = -1;
	rc = tokenize(&c);
	if (rc == 0)
		rc = parse(&c);
	cicd__free(c.toks);
	if (rc != 0) {
		cicd_expr_free(c.expr);
		return rc;
	}
	*out = c.expr;
	return 0;
}

void cicd_expr_free(cicd_expr *expr)
{
	size_t i;
	if (!expr)
		return;
	for (i = 0; i < expr->count; i++) {
		cicd__free_const(expr->nodes[i].str);
		cicd__regex_free(expr->nodes[i].re);
	}
	for (i = 0; i < expr->nvars; i++)
		cicd__free(expr->vars[i]);
	cicd__free(expr->vars);
	cicd__free(expr->nodes);
	cicd__free(expr->text);
	cicd__free(expr);
}

const char *cicd_expr_text(const cicd_expr *expr)
{
	return expr ? expr->text : "";
}

size_t cicd_expr_variable_count(const cicd_expr *expr)
{
	return expr ? expr->nvars : 0;
}

const char *cicd_expr_variable_name(const cicd_expr *expr, size_t i)
{
	return expr && i < expr->nvars ? expr->vars[i] : NULL;
}

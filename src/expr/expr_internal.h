/* Internal: the compiled form of a rules:if expression. */
#ifndef CICD_EXPR_INTERNAL_H
#define CICD_EXPR_INTERNAL_H

#include <stddef.h>

#include "cicd/expr.h"
#include "core/regex.h"

/* Node kinds: values first, then binary operators. */
typedef enum {
	EXPR_VAR = 1,
	EXPR_STRING,
	EXPR_NULL,
	EXPR_TRUE,
	EXPR_FALSE,
	EXPR_PATTERN,
	EXPR_EQ,
	EXPR_NE,
	EXPR_MATCH,
	EXPR_NMATCH,
	EXPR_AND,
	EXPR_OR
} expr_kind;

typedef struct expr_node {
	expr_kind kind;
	int left, right;   /* node indices for operators; -1 for values */
	size_t start;      /* byte offset of the node's first token, for errors */
	const char *str;   /* string value, variable name, or the pattern's RE2 source */
	size_t len;
	cicd_regex *re;    /* compiled pattern literal */
} expr_node;

struct cicd_expr {
	char *text;
	size_t len;
	expr_node *nodes;
	size_t count;
	int root;
	char **vars; /* distinct variable names, in order of first use */
	size_t nvars;
};

/*
 * Turns a pattern as GitLab writes it (`/body/flags`, after `\/` was
 * unescaped) into RE2 source: "(?flags)body". Returns 1 and sets *src
 * (malloc'd) when the text has that shape, 0 when it has not, CICD_ENOMEM.
 */
int cicd__expr_pattern_source(char **src, size_t *src_len, const char *text, size_t len);

/* GitLab unescapes `\/` to `/` in a pattern before anything else; malloc'd. */
char *cicd__expr_unescape_slashes(const char *text, size_t len, size_t *out_len);

#endif

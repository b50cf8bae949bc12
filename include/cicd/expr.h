/*
 * libcicd — the `rules:if` expression language of GitLab CI, and GitLab's
 * variable expansion in strings.
 *
 * The language is GitLab's (lib/gitlab/ci/pipeline/expression): tokens
 * `$NAME` (only this form: `${NAME}` is a syntax error in rules:if),
 * "double" or 'single' quoted strings without escapes, `null`, `true`,
 * `false`, regex literals `/.../flags` (flags i, m, s, U; RE2 syntax, so
 * backreferences and lookaround are rejected), `==`, `!=`, `=~`, `!~`,
 * `&&`, `||` and parentheses. Comparisons bind tighter than `&&`, which
 * binds tighter than `||`; all are left-associative.
 *
 * Values follow GitLab's Ruby evaluation: an undefined variable is null,
 * `&&` and `||` return one of their operands (an empty string is "true"
 * inside them, as in Ruby), and the whole expression is true when its
 * value is present: not null, not false, not a blank string.
 * `=~` with a variable on the right compiles the variable's value when it
 * is written `/.../flags`; any other value is searched for the left side
 * as a plain substring, as GitLab does.
 *
 * A compiled expression is immutable: evaluate it as often as needed,
 * from several threads at once if the lookup callback allows it.
 */
#ifndef INCLUDE_cicd_expr_h__
#define INCLUDE_cicd_expr_h__

#include "common.h"
#include "buffer.h"

CICD_BEGIN_DECL

typedef struct cicd_expr cicd_expr;

typedef struct cicd_expr_options {
	unsigned int version;
	const char *file;        /* labels error positions; NULL: "" */
	unsigned int line;       /* line of the expression's first character; 0: 1 */
	unsigned int column;     /* column of the expression's first character; 0: 1 */
	unsigned int max_tokens; /* 0: 99, GitLab's limit (its lexer stops at the 100th token) */
	size_t max_bytes;        /* 0: 65536 bytes of expression text */
} cicd_expr_options;

#define CICD_EXPR_OPTIONS_VERSION 1
#define CICD_EXPR_OPTIONS_INIT {CICD_EXPR_OPTIONS_VERSION, NULL, 0, 0, 0, 0}

/* Fills opts with defaults; CICD_EINVALID for an unknown version. */
CICD_EXTERN(int) cicd_expr_options_init(cicd_expr_options *opts, unsigned int version);

/*
 * Looks a variable up. Return 1 and set *value and *len when the variable
 * is defined (the value is borrowed until the evaluation ends), 0 when it
 * is undefined, or a negative code to stop the evaluation, which then
 * returns that code.
 */
typedef int (*cicd_expr_lookup_cb)(const char **value, size_t *len, const char *name, void *payload);

/*
 * Compiles an expression (len bytes of UTF-8). On a syntax error returns
 * CICD_EPARSE with the position of the offending token in
 * cicd_error_last(); CICD_ELIMIT when the text or its tokens exceed the
 * limits. *out is the caller's: free it with cicd_expr_free(). opts may
 * be NULL.
 */
CICD_EXTERN(int) cicd_expr_compile(cicd_expr **out, const char *text, size_t len, const cicd_expr_options *opts);

/* Frees a compiled expression; NULL is fine. */
CICD_EXTERN(void) cicd_expr_free(cicd_expr *expr);

/*
 * Evaluates: *result is 1 when the expression is true, 0 when false.
 * lookup may be NULL (every variable undefined). Returns 0, CICD_ENOMEM,
 * or what the callback returned when it returned a negative code.
 */
CICD_EXTERN(int) cicd_expr_eval(int *result, const cicd_expr *expr, cicd_expr_lookup_cb lookup, void *payload);

/* The expression's text as compiled; borrowed from expr. */
CICD_EXTERN(const char *) cicd_expr_text(const cicd_expr *expr);

/* Number of distinct variables the expression reads. */
CICD_EXTERN(size_t) cicd_expr_variable_count(const cicd_expr *expr);

/* Name of the i-th variable read, in order of first use; NULL out of range. Borrowed from expr. */
CICD_EXTERN(const char *) cicd_expr_variable_name(const cicd_expr *expr, size_t i);

/*
 * Variable expansion in strings, as GitLab expands a variable's value from
 * the others (Variables::Collection#expand_value): `$NAME`, `${NAME}` and
 * `%NAME%` (NAME is [A-Za-z_][A-Za-z0-9_]*) are replaced by the value, an
 * undefined variable by nothing; the escapes `$$` and `%%` are copied as
 * written (the runner turns `$$` into `$` later); other text is copied.
 * CICD_EXPAND_KEEP_UNDEFINED keeps references to undefined variables as
 * written. CICD_EXPAND_UNESCAPE turns `$$` into `$` (the runner's last
 * step). The lookup returns as for cicd_expr_eval(); values are copied.
 * Appends to *out. Returns 0, CICD_ENOMEM or the callback's negative code.
 */
#define CICD_EXPAND_KEEP_UNDEFINED (1u << 0)
#define CICD_EXPAND_UNESCAPE (1u << 1)
CICD_EXTERN(int) cicd_expand(cicd_buf *out, const char *text, size_t len, unsigned int flags,
			     cicd_expr_lookup_cb lookup, void *payload);

CICD_END_DECL

#endif

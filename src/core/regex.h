/*
 * Internal: regular expressions with RE2 semantics, as GitLab evaluates
 * them. RE2 matches in time linear in the input, so a hostile pattern
 * cannot make matching slow; patterns RE2 does not support (backreferences,
 * lookaround) fail to compile with RE2's message. Compiled patterns are
 * immutable and may be shared between threads.
 */
#ifndef CICD_CORE_REGEX_H
#define CICD_CORE_REGEX_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct cicd_regex cicd_regex;

#define CICD_REGEX_ICASE (1u << 0)     /* i: case-insensitive */
#define CICD_REGEX_MULTILINE (1u << 1) /* m: ^ and $ match at line breaks */
#define CICD_REGEX_DOTALL (1u << 2)    /* s: . matches \n */

/* Byte offsets of a match or capture; start == -1 when the group did not take part. */
typedef struct cicd_regex_span {
	long start;
	long end;
} cicd_regex_span;

/*
 * Compiles a pattern (UTF-8, len bytes). On failure returns CICD_EPARSE
 * (or CICD_ELIMIT when the pattern needs more than RE2's memory budget)
 * and writes RE2's reason to errbuf, without setting the last error, so
 * that the caller can report it at the pattern's position.
 */
int cicd__regex_compile(cicd_regex **out, const char *pattern, size_t len, unsigned int flags, char *errbuf,
			size_t errcap);
void cicd__regex_free(cicd_regex *re);

/* 1 when the pattern matches anywhere in text, 0 when not. */
int cicd__regex_search(const cicd_regex *re, const char *text, size_t len);

/* 1 when the pattern matches the whole text, 0 when not. */
int cicd__regex_full_match(const cicd_regex *re, const char *text, size_t len);

/* Number of capture groups (not counting the whole match). */
int cicd__regex_group_count(const cicd_regex *re);

/* Name of group i (1-based), or NULL when unnamed or out of range. */
const char *cicd__regex_group_name(const cicd_regex *re, int i);

/* Index of the named group, or -1. */
int cicd__regex_group_index(const cicd_regex *re, const char *name);

/*
 * Matches (whole text when `full`, else anywhere) and fills spans[0] with
 * the match and spans[1..n-1] with groups. Returns 1 on a match, 0 when
 * none; spans are untouched when there is no match.
 */
int cicd__regex_match(const cicd_regex *re, const char *text, size_t len, int full, cicd_regex_span *spans,
		      int nspans);

#ifdef __cplusplus
}
#endif

#endif

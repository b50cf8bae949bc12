/*
 * Ruby's File.fnmatch with FNM_PATHNAME | FNM_DOTMATCH | FNM_EXTGLOB, as
 * GitLab matches `changes` and `exists` globs: `*` and `?` stay within one
 * path segment, `**` followed by `/` spans directories, `[...]` classes,
 * `{a,b}` alternatives, `\` escapes. Leading dots need no explicit dot.
 */
#include <string.h>

#include "core/alloc.h"
#include "internal.h"

#define MAX_BRACE_DEPTH 16

/* Matches one segment pattern [p, pe) against one path segment [s, se); iterative star backtracking. */
static int match_segment(const char *p, const char *pe, const char *s, const char *se)
{
	const char *star_p = NULL, *star_s = NULL;
	while (s < se) {
		if (p < pe && *p == '*') {
			star_p = ++p;
			star_s = s;
			continue;
		}
		if (p < pe && *p == '?') {
			p++;
			s++;
			continue;
		}
		if (p < pe && *p == '[') {
			const char *q = p + 1;
			int negate = 0, ok = 0;
			if (q < pe && (*q == '!' || *q == '^')) {
				negate = 1;
				q++;
			}
			while (q < pe && (*q != ']' || q == p + 1 + negate)) {
				char lo = *q, hi;
				if (lo == '\\' && q + 1 < pe)
					lo = *++q;
				hi = lo;
				if (q + 2 < pe && q[1] == '-' && q[2] != ']') {
					hi = q[2];
					if (hi == '\\' && q + 3 < pe) {
						hi = q[3];
						q++;
					}
					q += 2;
				}
				if (*s >= lo && *s <= hi)
					ok = 1;
				q++;
			}
			if (q < pe) { /* a closed class */
				if (ok != negate) {
					p = q + 1;
					s++;
					continue;
				}
				goto backtrack;
			}
			/* an unclosed `[` is a literal */
		}
		if (p < pe && *p == '\\' && p + 1 < pe) {
			if (p[1] == *s) {
				p += 2;
				s++;
				continue;
			}
			goto backtrack;
		}
		if (p < pe && *p == *s) {
			p++;
			s++;
			continue;
		}
	backtrack:
		if (!star_p)
			return 0;
		p = star_p;
		s = ++star_s;
	}
	while (p < pe && *p == '*')
		p++;
	return p == pe;
}

static const char *seg_end(const char *s)
{
	const char *e = strchr(s, '/');
	return e ? e : s + strlen(s);
}

/* Matches a brace-free pattern against a path, segment by segment. */
static int match_path(const char *p, const char *s)
{
	while (1) {
		const char *pe = seg_end(p), *se = seg_end(s);
		if (pe - p == 2 && p[0] == '*' && p[1] == '*' && *pe == '/') {
			/* `**` then `/`: zero or more whole directories */
			const char *rest = pe + 1;
			const char *t = s;
			while (1) {
				if (match_path(rest, t))
					return 1;
				t = seg_end(t);
				if (!*t)
					return 0;
				t++;
			}
		}
		if (!match_segment(p, pe, s, se))
			return 0;
		if (!*pe || !*se)
			return !*pe && !*se;
		p = pe + 1;
		s = se + 1;
	}
}

/* Expands the first `{a,b}` group and recurses; plain patterns go to match_path. */
static int match_braces(const char *pattern, const char *path, int depth)
{
	const char *open = NULL, *close = NULL, *q;
	int level = 0, result = 0;
	size_t prefix, suffix_len;
	if (depth > MAX_BRACE_DEPTH)
		return 0;
	for (q = pattern; *q; q++) {
		if (*q == '\\' && q[1]) {
			q++;
			continue;
		}
		if (*q == '{') {
			if (level++ == 0)
				open = q;
		} else if (*q == '}' && level > 0) {
			if (--level == 0) {
				close = q;
				break;
			}
		}
	}
	if (!open || !close)
		return match_path(pattern, path);
	prefix = (size_t)(open - pattern);
	suffix_len = strlen(close + 1);
	q = open + 1;
	while (!result && q <= close) {
		const char *alt = q, *alt_end = q;
		char *candidate;
		level = 0;
		while (alt_end < close) {
			if (*alt_end == '\\' && alt_end + 1 < close)
				alt_end++;
			else if (*alt_end == '{')
				level++;
			else if (*alt_end == '}')
				level--;
			else if (*alt_end == ',' && level == 0)
				break;
			alt_end++;
		}
		candidate = cicd__malloc(prefix + (size_t)(alt_end - alt) + suffix_len + 1);
		if (!candidate)
			return 0;
		memcpy(candidate, pattern, prefix);
		memcpy(candidate + prefix, alt, (size_t)(alt_end - alt));
		memcpy(candidate + prefix + (alt_end - alt), close + 1, suffix_len + 1);
		result = match_braces(candidate, path, depth + 1);
		cicd__free(candidate);
		q = alt_end + 1;
	}
	return result;
}

int cicd__plan_glob(const char *pattern, const char *path)
{
	return match_braces(pattern, path, 0);
}

int cicd_plan_glob_match(const char *pattern, const char *path)
{
	if (!pattern || !path)
		return 0;
	return cicd__plan_glob(pattern, path);
}

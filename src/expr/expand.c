/*
 * Variable expansion in strings, as GitLab's Variables::Collection expands
 * a value: at each position the first of `$$`, `%%`, `$NAME`, `${NAME}`,
 * `${}`, `%NAME%` that matches is taken; escapes are copied as written.
 */
#include <string.h>

#include "core/alloc.h"
#include "core/buf.h"
#include "core/error.h"
#include "cicd/expr.h"

static int name_start(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static int name_char(char c)
{
	return name_start(c) || (c >= '0' && c <= '9');
}

/* Length of a name at s (0 when none). */
static size_t name_len(const char *s, size_t n)
{
	size_t i = 0;
	if (n == 0 || !name_start(s[0]))
		return 0;
	while (i < n && name_char(s[i]))
		i++;
	return i;
}

static int put_value(cicd_buf *out, const char *ref, size_t ref_len, const char *name, size_t nlen,
		     unsigned int flags, cicd_expr_lookup_cb lookup, void *payload)
{
	char *key;
	const char *v = NULL;
	size_t vlen = 0;
	int rc = 0;
	if (!(key = cicd__strndup(name, nlen)))
		return cicd__error_oom();
	if (lookup)
		rc = lookup(&v, &vlen, key, payload);
	cicd__free(key);
	if (rc < 0)
		return rc;
	if (rc > 0)
		return v && vlen && cicd__buf_put(out, v, vlen) ? CICD_ENOMEM : 0;
	if (flags & CICD_EXPAND_KEEP_UNDEFINED)
		return cicd__buf_put(out, ref, ref_len) ? CICD_ENOMEM : 0;
	return 0;
}

int cicd_expand(cicd_buf *out, const char *text, size_t len, unsigned int flags, cicd_expr_lookup_cb lookup,
		void *payload)
{
	size_t i = 0, start = 0;
	int rc;
	if (!out || (!text && len))
		return cicd__error_set(CICD_EINVALID, "cicd_expand: out or text is NULL");
	if (cicd__buf_put(out, "", 0))
		return CICD_ENOMEM;
	while (i < len) {
		const char *s = text + i;
		size_t rest = len - i, n, used = 0;
		if (s[0] != '$' && s[0] != '%') {
			i++;
			continue;
		}
		if (i > start && cicd__buf_put(out, text + start, i - start))
			return CICD_ENOMEM;
		rc = 0;
		if (rest >= 2 && s[1] == s[0]) { /* `$$` or `%%` */
			used = 2;
			if (s[0] == '$' && (flags & CICD_EXPAND_UNESCAPE))
				rc = cicd__buf_putc(out, '$') ? CICD_ENOMEM : 0;
			else
				rc = cicd__buf_put(out, s, 2) ? CICD_ENOMEM : 0;
		} else if (s[0] == '$' && (n = name_len(s + 1, rest - 1)) > 0) {
			used = 1 + n;
			rc = put_value(out, s, used, s + 1, n, flags, lookup, payload);
		} else if (s[0] == '$' && rest >= 2 && s[1] == '{') {
			n = name_len(s + 2, rest - 2);
			if (2 + n < rest && s[2 + n] == '}') {
				used = 3 + n;
				if (n)
					rc = put_value(out, s, used, s + 2, n, flags, lookup, payload);
				else
					rc = cicd__buf_put(out, s, used) ? CICD_ENOMEM : 0;
			}
		} else if (s[0] == '%' && (n = name_len(s + 1, rest - 1)) > 0 && 1 + n < rest && s[1 + n] == '%') {
			used = 2 + n;
			rc = put_value(out, s, used, s + 1, n, flags, lookup, payload);
		}
		if (rc)
			return rc;
		if (!used) { /* a lone `$` or `%` is text */
			if (cicd__buf_putc(out, s[0]))
				return CICD_ENOMEM;
			used = 1;
		}
		i += used;
		start = i;
	}
	if (i > start && cicd__buf_put(out, text + start, i - start))
		return CICD_ENOMEM;
	return 0;
}

/* Increments, differences and coercion, with node-semver's semantics on exact digit strings. */
#include <string.h>

#include "core/alloc.h"
#include "core/buf.h"
#include "core/error.h"
#include "semver_internal.h"

static const char *const RELEASE_NAMES[] = {"none",  "major",    "premajor",   "minor",  "preminor",
                                            "patch", "prepatch", "prerelease", "release"};

const char *cicd_semver_release_name(cicd_semver_release kind)
{
	if ((unsigned int)kind < sizeof RELEASE_NAMES / sizeof RELEASE_NAMES[0])
		return RELEASE_NAMES[kind];
	return "unknown";
}

int cicd_semver_release_parse(cicd_semver_release *out, const char *name)
{
	unsigned int i;
	if (!out || !name)
		return cicd__error_set(CICD_EINVALID, "cicd_semver_release_parse: NULL argument");
	for (i = 1; i < sizeof RELEASE_NAMES / sizeof RELEASE_NAMES[0]; i++) {
		if (!strcmp(name, RELEASE_NAMES[i])) {
			*out = (cicd_semver_release)i;
			return 0;
		}
	}
	return cicd__error_set(CICD_EINVALID, "unknown release type \"%.32s\"", name);
}

/* A version being bumped: numbers as owned digit strings, pre-release as a dotted string. */
typedef struct {
	cicd_buf num[3];
	cicd_buf pre;
} bump;

static void bump_dispose(bump *b)
{
	int i;
	for (i = 0; i < 3; i++)
		cicd_buf_dispose(&b->num[i]);
	cicd_buf_dispose(&b->pre);
}

static int set_str(cicd_buf *b, const char *s, size_t n)
{
	cicd__buf_clear(b);
	return cicd__buf_put(b, s, n) < 0 ? CICD_ENOMEM : (cicd__buf_putc(b, '\0'), b->size--, 0);
}

static int num_inc(cicd_buf *b)
{
	size_t n = b->size;
	if (cicd__buf_grow(b, 2) < 0)
		return CICD_ENOMEM;
	b->size = cicd__semver_digits_inc(b->ptr, b->ptr, n);
	return 0;
}

static int is_zero(const cicd_buf *b)
{
	return b->size == 1 && b->ptr[0] == '0';
}

static int numeric(const char *s, size_t n)
{
	size_t i;
	for (i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return n > 0;
}

/*
 * Whether JavaScript's Number(s) is a number (node-semver tests isNaN on
 * the identifier after preid): decimal with sign and exponent, 0x/0o/0b,
 * Infinity. Identifiers hold only [0-9A-Za-z-].
 */
static int js_number_like(const char *s, size_t n)
{
	size_t i = 0;
	int base = 0;
	if (n >= 3 && s[0] == '0' && strchr("xXoObB", s[1])) {
		base = (s[1] | 0x20) == 'x' ? 16 : (s[1] | 0x20) == 'o' ? 8 : 2;
		for (i = 2; i < n; i++) {
			char c = (char)(s[i] | 0x20);
			int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : 99;
			if (d >= base)
				return 0;
		}
		return 1;
	}
	if (i < n && s[i] == '-')
		i++;
	if (n - i == 8 && !memcmp(s + i, "Infinity", 8))
		return 1;
	if (i >= n || !numeric(s + i, 1))
		return 0;
	while (i < n && numeric(s + i, 1))
		i++;
	if (i < n && (s[i] == 'e' || s[i] == 'E')) {
		i++;
		if (i < n && s[i] == '-')
			i++;
		if (i >= n || !numeric(s + i, 1))
			return 0;
		while (i < n && numeric(s + i, 1))
			i++;
	}
	return i == n;
}

/* Does the pre-release start with the identifiers of preid (compared as node's compareIdentifiers)? */
static int starts_with_preid(const cicd_buf *pre, const char *id, size_t idlen, size_t *after)
{
	size_t i = 0, j = 0;
	for (;;) {
		size_t si = i, sj = j;
		if (j >= idlen) {
			*after = i;
			return 1;
		}
		if (i >= pre->size)
			return 0;
		while (i < pre->size && pre->ptr[i] != '.')
			i++;
		while (j < idlen && id[j] != '.')
			j++;
		if (cicd__semver_cmp_ident(pre->ptr + si, i - si, id + sj, j - sj) != 0)
			return 0;
		if (i < pre->size)
			i++;
		if (j < idlen)
			j++;
	}
}

/* node-semver's inc('pre'): bump the last numeric identifier (or append 0), then apply preid. */
static int inc_pre(bump *b, const char *id, size_t idlen)
{
	if (!b->pre.size) {
		if (set_str(&b->pre, "0", 1))
			return CICD_ENOMEM;
	} else {
		size_t end = b->pre.size, st;
		int done = 0;
		while (end > 0 && !done) {
			st = end;
			while (st > 0 && b->pre.ptr[st - 1] != '.')
				st--;
			if (numeric(b->pre.ptr + st, end - st)) {
				char tmp[CICD_SEMVER_DEFAULT_MAX_LENGTH + 2], *num = tmp;
				size_t n, tail = b->pre.size - end;
				cicd_buf rebuilt = CICD_BUF_INIT;
				if (end - st + 2 > sizeof tmp && !(num = cicd__malloc_or_set(end - st + 2)))
					return CICD_ENOMEM;
				n = cicd__semver_digits_inc(num, b->pre.ptr + st, end - st);
				if (cicd__buf_put(&rebuilt, b->pre.ptr, st) || cicd__buf_put(&rebuilt, num, n) ||
				    cicd__buf_put(&rebuilt, b->pre.ptr + end, tail)) {
					if (num != tmp)
						cicd__free(num);
					cicd_buf_dispose(&rebuilt);
					return CICD_ENOMEM;
				}
				if (num != tmp)
					cicd__free(num);
				cicd_buf_dispose(&b->pre);
				b->pre = rebuilt;
				done = 1;
			}
			end = st ? st - 1 : 0;
		}
		if (!done && cicd__buf_puts(&b->pre, ".0"))
			return CICD_ENOMEM;
	}
	if (idlen) {
		size_t after;
		int replace = 1;
		if (starts_with_preid(&b->pre, id, idlen, &after)) {
			/* keep 1.2.0-beta.1 -> beta.2; a non-numeric or missing identifier after preid restarts at 0 */
			size_t e = after;
			while (e < b->pre.size && b->pre.ptr[e] != '.')
				e++;
			replace = !(after < b->pre.size && js_number_like(b->pre.ptr + after, e - after));
		}
		if (replace) {
			cicd__buf_clear(&b->pre);
			if (cicd__buf_put(&b->pre, id, idlen) || cicd__buf_puts(&b->pre, ".0"))
				return CICD_ENOMEM;
		}
	}
	return 0;
}

static int do_inc(bump *b, cicd_semver_release kind, const char *id, size_t idlen)
{
	switch (kind) {
	case CICD_SEMVER_PREMAJOR:
		cicd__buf_clear(&b->pre);
		if (set_str(&b->num[2], "0", 1) || set_str(&b->num[1], "0", 1) || num_inc(&b->num[0]))
			return CICD_ENOMEM;
		return inc_pre(b, id, idlen);
	case CICD_SEMVER_PREMINOR:
		cicd__buf_clear(&b->pre);
		if (set_str(&b->num[2], "0", 1) || num_inc(&b->num[1]))
			return CICD_ENOMEM;
		return inc_pre(b, id, idlen);
	case CICD_SEMVER_PREPATCH:
		cicd__buf_clear(&b->pre);
		if (do_inc(b, CICD_SEMVER_PATCH, id, idlen))
			return CICD_ENOMEM;
		return inc_pre(b, id, idlen);
	case CICD_SEMVER_PRERELEASE:
		if (!b->pre.size && do_inc(b, CICD_SEMVER_PATCH, id, idlen))
			return CICD_ENOMEM;
		return inc_pre(b, id, idlen);
	case CICD_SEMVER_RELEASE:
		if (!b->pre.size)
			return cicd__error_set(CICD_EINVALID, "version is not a pre-release");
		cicd__buf_clear(&b->pre);
		return 0;
	case CICD_SEMVER_MAJOR:
		if (!is_zero(&b->num[1]) || !is_zero(&b->num[2]) || !b->pre.size)
			if (num_inc(&b->num[0]))
				return CICD_ENOMEM;
		cicd__buf_clear(&b->pre);
		return set_str(&b->num[1], "0", 1) || set_str(&b->num[2], "0", 1) ? CICD_ENOMEM : 0;
	case CICD_SEMVER_MINOR:
		if (!is_zero(&b->num[2]) || !b->pre.size)
			if (num_inc(&b->num[1]))
				return CICD_ENOMEM;
		cicd__buf_clear(&b->pre);
		return set_str(&b->num[2], "0", 1);
	case CICD_SEMVER_PATCH:
		if (!b->pre.size && num_inc(&b->num[2]))
			return CICD_ENOMEM;
		cicd__buf_clear(&b->pre);
		return 0;
	default:
		return cicd__error_set(CICD_EINVALID, "unknown release type %d", (int)kind);
	}
}

int cicd_semver_inc(cicd_semver **out, const cicd_semver *v, cicd_semver_release kind, const char *preid,
                    const cicd_semver_options *opts)
{
	bump b;
	size_t idlen = preid ? strlen(preid) : 0;
	int i, rc, loose = opts && (opts->flags & CICD_SEMVER_LOOSE);
	if (!out || !v)
		return cicd__error_set(CICD_EINVALID, "cicd_semver_inc: NULL argument");
	*out = NULL;
	if (kind <= CICD_SEMVER_NONE || kind > CICD_SEMVER_RELEASE)
		return cicd__error_set(CICD_EINVALID, "unknown release type %d", (int)kind);
	if (kind >= CICD_SEMVER_PREMAJOR && kind != CICD_SEMVER_MAJOR && kind != CICD_SEMVER_MINOR &&
	    kind != CICD_SEMVER_PATCH && kind != CICD_SEMVER_RELEASE && idlen &&
	    !cicd__semver_valid_prerelease(preid, idlen, loose))
		return cicd__error_set(CICD_EINVALID, "invalid pre-release identifier \"%.64s\"", preid);
	memset(&b, 0, sizeof b);
	rc = 0;
	for (i = 0; i < 3 && !rc; i++)
		rc = set_str(&b.num[i], v->text + v->off[i], v->plen[i]);
	if (!rc && v->plen[SV_PRE])
		rc = set_str(&b.pre, v->text + v->off[SV_PRE], v->plen[SV_PRE]);
	if (!rc)
		rc = do_inc(&b, kind, preid, idlen);
	if (!rc)
		rc = cicd__semver_make(out, b.num[0].ptr, b.num[0].size, b.num[1].ptr, b.num[1].size, b.num[2].ptr,
		                       b.num[2].size, b.pre.size ? b.pre.ptr : "", b.pre.size, "", 0);
	bump_dispose(&b);
	return rc;
}

cicd_semver_release cicd_semver_diff(const cicd_semver *a, const cicd_semver *b)
{
	const cicd_semver *hi, *lo;
	int c = cicd_semver_compare(a, b), i, hi_pre, lo_pre;
	if (c == 0)
		return CICD_SEMVER_NONE;
	hi = c > 0 ? a : b;
	lo = c > 0 ? b : a;
	hi_pre = hi->plen[SV_PRE] > 0;
	lo_pre = lo->plen[SV_PRE] > 0;
	if (lo_pre && !hi_pre) {
		int lo_minor0 = lo->plen[1] == 1 && lo->text[lo->off[1]] == '0';
		int lo_patch0 = lo->plen[2] == 1 && lo->text[lo->off[2]] == '0';
		int main_same = 1;
		if (lo_minor0 && lo_patch0)
			return CICD_SEMVER_MAJOR;
		for (i = 0; i < 3; i++)
			if (lo->plen[i] != hi->plen[i] ||
			    memcmp(lo->text + lo->off[i], hi->text + hi->off[i], lo->plen[i]))
				main_same = 0;
		if (main_same)
			return !lo_minor0 && lo_patch0 ? CICD_SEMVER_MINOR : CICD_SEMVER_PATCH;
	}
	for (i = 0; i < 3; i++) {
		if (a->plen[i] != b->plen[i] || memcmp(a->text + a->off[i], b->text + b->off[i], a->plen[i])) {
			static const cicd_semver_release plain[3] = {CICD_SEMVER_MAJOR, CICD_SEMVER_MINOR,
			                                             CICD_SEMVER_PATCH};
			static const cicd_semver_release pre[3] = {CICD_SEMVER_PREMAJOR, CICD_SEMVER_PREMINOR,
			                                           CICD_SEMVER_PREPATCH};
			return hi_pre ? pre[i] : plain[i];
		}
	}
	return CICD_SEMVER_PRERELEASE;
}

static int digit(char c)
{
	return c >= '0' && c <= '9';
}

/* A run of 1..16 digits at s[i] that is the whole digit run; its end in *e. */
static int short_run(const char *s, size_t len, size_t i, size_t *e)
{
	size_t j = i;
	while (j < len && digit(s[j]))
		j++;
	*e = j;
	return j > i && j - i <= 16;
}

int cicd_semver_coerce(cicd_semver **out, const char *text, size_t len, const cicd_semver_options *opts)
{
	size_t i, e, ms = 0, me = 0, ns = 0, ne = 0, ps = 0, pe = 0;
	cicd_buf b = CICD_BUF_INIT;
	int rc, found = 0;
	if (!out || (!text && len))
		return cicd__error_set(CICD_EINVALID, "cicd_semver_coerce: NULL argument");
	*out = NULL;
	for (i = 0; i < len && !found; i++) {
		if (!digit(text[i]) || (i > 0 && digit(text[i - 1])))
			continue;
		if (!short_run(text, len, i, &e)) {
			i = e;
			continue;
		}
		ms = i;
		me = e;
		found = 1;
		if (e + 1 < len && text[e] == '.' && short_run(text, len, e + 1, &ne)) {
			ns = e + 1;
			if (ne + 1 < len && text[ne] == '.' && short_run(text, len, ne + 1, &pe))
				ps = ne + 1;
			else
				pe = 0;
		} else {
			ne = 0;
		}
	}
	if (!found)
		return cicd__error_set(CICD_ENOTFOUND, "no version found in \"%.*s\"", len > 64 ? 64 : (int)len,
		                       text ? text : "");
	rc = cicd__buf_put(&b, text + ms, me - ms);
	if (!rc)
		rc = cicd__buf_putc(&b, '.');
	if (!rc)
		rc = ne ? cicd__buf_put(&b, text + ns, ne - ns) : cicd__buf_putc(&b, '0');
	if (!rc)
		rc = cicd__buf_putc(&b, '.');
	if (!rc)
		rc = pe ? cicd__buf_put(&b, text + ps, pe - ps) : cicd__buf_putc(&b, '0');
	if (!rc)
		rc = cicd__semver_parse_mode(out, b.ptr, b.size, SEMVER_MODE_NODE,
		                             opts ? opts->max_length : CICD_SEMVER_DEFAULT_MAX_LENGTH);
	cicd_buf_dispose(&b);
	return rc;
}

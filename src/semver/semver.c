/* SemVer 2.0.0 versions: parsing (spec, node-semver default, loose), accessors, precedence, sorting. */
#include <string.h>

#include "core/alloc.h"
#include "core/error.h"
#include "semver_internal.h"

int cicd_semver_options_init(cicd_semver_options *opts, unsigned int version)
{
	cicd_semver_options def = CICD_SEMVER_OPTIONS_INIT;
	if (!opts || version == 0 || version > CICD_SEMVER_OPTIONS_VERSION)
		return cicd__error_set(CICD_EINVALID, "unknown semver options version %u", version);
	*opts = def;
	return 0;
}

size_t cicd__js_space(const char *s, size_t len)
{
	const unsigned char *u = (const unsigned char *)s;
	if (!len)
		return 0;
	if (u[0] == ' ' || (u[0] >= 0x09 && u[0] <= 0x0d))
		return 1;
	if (u[0] == 0xc2 && len >= 2 && u[1] == 0xa0) /* U+00A0 */
		return 2;
	if (len < 3)
		return 0;
	if (u[0] == 0xe1 && u[1] == 0x9a && u[2] == 0x80) /* U+1680 */
		return 3;
	if (u[0] == 0xe2 && u[1] == 0x80 &&
	    ((u[2] >= 0x80 && u[2] <= 0x8a) || u[2] == 0xa8 || u[2] == 0xa9 || u[2] == 0xaf))
		return 3;                                 /* U+2000..200A, U+2028, U+2029, U+202F */
	if (u[0] == 0xe2 && u[1] == 0x81 && u[2] == 0x9f) /* U+205F */
		return 3;
	if (u[0] == 0xe3 && u[1] == 0x80 && u[2] == 0x80) /* U+3000 */
		return 3;
	if (u[0] == 0xef && u[1] == 0xbb && u[2] == 0xbf) /* U+FEFF */
		return 3;
	return 0;
}

/* The trailing JavaScript whitespace character ending at s[len-1], or 0. */
static size_t js_space_back(const char *s, size_t len)
{
	size_t k;
	for (k = 1; k <= 3 && k <= len; k++)
		if (cicd__js_space(s + len - k, k) == k)
			return k;
	return 0;
}

size_t cicd__utf16_length(const char *s, size_t len)
{
	size_t i, n = 0;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if ((c & 0xc0) != 0x80)
			n += c >= 0xf0 ? 2 : 1;
	}
	return n;
}

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static int is_ident(char c)
{
	return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-';
}

static int all_digits(const char *s, size_t n)
{
	size_t i;
	for (i = 0; i < n; i++)
		if (!is_digit(s[i]))
			return 0;
	return n > 0;
}

int cicd__semver_cmp_digits(const char *a, size_t al, const char *b, size_t bl)
{
	int c;
	while (al > 1 && *a == '0')
		a++, al--;
	while (bl > 1 && *b == '0')
		b++, bl--;
	if (al != bl)
		return al < bl ? -1 : 1;
	c = memcmp(a, b, al);
	return (c > 0) - (c < 0);
}

size_t cicd__semver_digits_inc(char *out, const char *digits, size_t len)
{
	size_t i, n;
	while (len > 1 && *digits == '0')
		digits++, len--;
	memmove(out + 1, digits, len); /* out may be digits itself */
	out[0] = '0';
	for (i = len; i > 0; i--) {
		if (out[i] == '9') {
			out[i] = '0';
		} else {
			out[i]++;
			break;
		}
	}
	if (i == 0)
		out[0] = '1';
	n = len + 1;
	if (out[0] == '0') {
		memmove(out, out + 1, len);
		n = len;
	}
	out[n] = '\0';
	return n;
}

int cicd__semver_cmp_ident(const char *a, size_t al, const char *b, size_t bl)
{
	int an = all_digits(a, al), bn = all_digits(b, bl), c;
	size_t m;
	if (an && bn)
		return cicd__semver_cmp_digits(a, al, b, bl);
	if (an)
		return -1;
	if (bn)
		return 1;
	m = al < bl ? al : bl;
	c = memcmp(a, b, m);
	if (c)
		return c < 0 ? -1 : 1;
	return al == bl ? 0 : al < bl ? -1 : 1;
}

/* Scans dot-separated identifiers from s[*i]; 0 when at least one was read and all are valid. */
static int scan_idents(const char *s, size_t len, size_t *i, int strict_numeric)
{
	for (;;) {
		size_t st = *i;
		while (*i < len && is_ident(s[*i]))
			(*i)++;
		if (*i == st)
			return -1;
		if (strict_numeric && all_digits(s + st, *i - st) && *i - st > 1 && s[st] == '0') {
			*i = st;
			return -2;
		}
		if (*i < len && s[*i] == '.') {
			(*i)++;
			continue;
		}
		return 0;
	}
}

int cicd__semver_valid_prerelease(const char *s, size_t len, int loose)
{
	size_t i = 0;
	return scan_idents(s, len, &i, !loose) == 0 && i == len;
}

typedef struct {
	const char *s;
	size_t a[5], b[5]; /* spans into the input; a == b for absent parts */
} spans;

static size_t strip_zeros(const char *s, size_t *start, size_t end)
{
	while (end - *start > 1 && s[*start] == '0')
		(*start)++;
	return end - *start;
}

static int parse_error(const char *text, size_t len, size_t col, const char *why)
{
	int shown = len > 64 ? 64 : (int)len;
	return cicd__error_set_at(CICD_EPARSE, "", 1, (unsigned int)col + 1,
	                          "not a version: \"%.*s%s\" (column %zu: %s)", shown, text, len > 64 ? "..." : "",
	                          col + 1, why);
}

/* A main-version number: strict is `0|[1-9][0-9]*`, loose any digits. */
static int scan_number(const char *s, size_t len, size_t *i, int loose)
{
	size_t st = *i;
	while (*i < len && is_digit(s[*i]))
		(*i)++;
	if (*i == st)
		return -1;
	if (!loose && s[st] == '0' && *i - st > 1) {
		*i = st;
		return -2;
	}
	return 0;
}

static int parse_spans(spans *sp, const char *s, size_t len, semver_mode mode, size_t *errcol, const char **why)
{
	size_t i = 0, end = len, k;
	int loose = mode == SEMVER_MODE_LOOSE, part, r;
	memset(sp->a, 0, sizeof sp->a);
	memset(sp->b, 0, sizeof sp->b);
	if (mode != SEMVER_MODE_SPEC) {
		while (i < end && (k = cicd__js_space(s + i, end - i)) > 0)
			i += k;
		while (end > i && (k = js_space_back(s + i, end - i)) > 0)
			end -= k;
	}
	if (mode == SEMVER_MODE_NODE && i < end && s[i] == 'v')
		i++;
	else if (loose)
		while (i < end && (s[i] == 'v' || s[i] == '=' || (k = cicd__js_space(s + i, end - i)) > 0))
			i += (s[i] == 'v' || s[i] == '=') ? 1 : k;
	for (part = 0; part < 3; part++) {
		sp->a[part] = i;
		r = scan_number(s, end, &i, loose);
		if (r) {
			*errcol = i;
			*why = r == -2 ? "leading zero" : "expected a number";
			return -1;
		}
		sp->b[part] = i;
		if (part < 2) {
			if (i >= end || s[i] != '.') {
				*errcol = i;
				*why = "expected '.'";
				return -1;
			}
			i++;
		}
	}
	if (i < end && (s[i] == '-' || (loose && s[i] != '+'))) {
		size_t from = i;
		if (s[i] == '-' && (!loose || (i + 1 < end && is_ident(s[i + 1]))))
			from = i + 1;
		else if (loose && s[i] == '.') {
			/* node's loose regex backtracks: 1.2.34.5 is 1.2.3-4.5 */
			if (sp->b[SV_PATCH] - sp->a[SV_PATCH] < 2) {
				*errcol = i;
				*why = "unexpected '.'";
				return -1;
			}
			sp->b[SV_PATCH]--;
			from = sp->b[SV_PATCH];
		} else if (loose && s[i] != '-' && !is_ident(s[i])) {
			*errcol = i;
			*why = "unexpected character";
			return -1;
		}
		i = from;
		if ((r = scan_idents(s, end, &i, !loose)) != 0) {
			*errcol = i;
			*why = r == -2 ? "leading zero in a numeric identifier" : "expected an identifier";
			return -1;
		}
		sp->a[SV_PRE] = from;
		sp->b[SV_PRE] = i;
	}
	if (i < end && s[i] == '+') {
		i++;
		sp->a[SV_BUILD] = i;
		if (scan_idents(s, end, &i, 0)) {
			*errcol = i;
			*why = "expected a build identifier";
			return -1;
		}
		sp->b[SV_BUILD] = i;
	}
	if (i != end) {
		*errcol = i;
		*why = "unexpected character";
		return -1;
	}
	sp->s = s;
	return 0;
}

/* The length limit (in UTF-16 code units, as node-semver counts), then the grammar. 0 or an error. */
static int check_spans(spans *sp, const char *text, size_t len, semver_mode mode, size_t max_length)
{
	size_t errcol = 0;
	const char *why = "";
	/* a UTF-16 length never exceeds the byte length: count only when it could matter */
	if (max_length && len > max_length && cicd__utf16_length(text, len) > max_length)
		return cicd__error_set(CICD_ELIMIT, "version longer than %zu characters", max_length);
	if (parse_spans(sp, text, len, mode, &errcol, &why))
		return parse_error(text, len, errcol, why);
	return 0;
}

static int make_in(cicd_semver **out, void *buf, size_t cap, const char *major, size_t major_len, const char *minor,
                   size_t minor_len, const char *patch, size_t patch_len, const char *pre, size_t pre_len,
                   const char *build, size_t build_len);

int cicd__semver_make(cicd_semver **out, const char *major, size_t major_len, const char *minor, size_t minor_len,
                      const char *patch, size_t patch_len, const char *pre, size_t pre_len, const char *build,
                      size_t build_len)
{
	return make_in(out, NULL, 0, major, major_len, minor, minor_len, patch, patch_len, pre, pre_len, build,
	               build_len);
}

/* Builds the version in buf when it fits (cap bytes, aligned for cicd_semver), else allocates. */
static int make_in(cicd_semver **out, void *buf, size_t cap, const char *major, size_t major_len, const char *minor,
                   size_t minor_len, const char *patch, size_t patch_len, const char *pre, size_t pre_len,
                   const char *build, size_t build_len)
{
	const char *src[5] = {major, minor, patch, pre, build};
	size_t n[5] = {major_len, minor_len, patch_len, pre_len, build_len}, total, pos = 0, p;
	cicd_semver *v;
	int i;
	total = n[0] + n[1] + n[2] + 2 + (n[3] ? n[3] + 1 : 0) + (n[4] ? n[4] + 1 : 0);
	if (total > UINT32_MAX / 4)
		return cicd__error_set(CICD_ELIMIT, "version too long");
	v = buf && cap >= sizeof *v + 2 * total + 6 ? buf : cicd__malloc_or_set(sizeof *v + 2 * total + 6);
	if (!v)
		return CICD_ENOMEM;
	for (i = 0; i < 5; i++) {
		if (i == 1 || i == 2)
			v->text[pos++] = '.';
		else if (i == 3 && n[3])
			v->text[pos++] = '-';
		else if (i == 4 && n[4])
			v->text[pos++] = '+';
		v->off[i] = (uint32_t)pos;
		v->plen[i] = (uint32_t)n[i];
		memcpy(v->text + pos, src[i], n[i]);
		pos += n[i];
		if (i == 3)
			v->main_len = (uint32_t)pos;
	}
	v->len = (uint32_t)pos;
	v->text[pos++] = '\0';
	for (i = 0; i < 3; i++) {
		size_t k;
		v->num[i] = n[i] <= 19 ? 0 : SEMVER_BIG;
		for (k = 0; k < n[i] && v->num[i] != SEMVER_BIG; k++)
			v->num[i] = v->num[i] * 10 + (uint64_t)(src[i][k] - '0');
	}
	for (i = 0; i < 5; i++) {
		p = pos;
		memcpy(v->text + pos, src[i], n[i]);
		pos += n[i];
		v->text[pos++] = '\0';
		v->part_off[i] = (uint32_t)p;
	}
	*out = v;
	return 0;
}

int cicd__semver_parse_mode(cicd_semver **out, const char *text, size_t len, semver_mode mode, size_t max_length)
{
	return cicd__semver_parse_in(out, NULL, 0, text, len, mode, max_length);
}

int cicd__semver_parse_in(cicd_semver **out, void *buf, size_t cap, const char *text, size_t len, semver_mode mode,
                          size_t max_length)
{
	spans sp;
	size_t a[5], n[5];
	char pre[CICD_SEMVER_DEFAULT_MAX_LENGTH], *prebuf = pre;
	int i, rc;
	if (!out || (!text && len))
		return cicd__error_set(CICD_EINVALID, "cicd_semver_parse: NULL argument");
	*out = NULL;
	if ((rc = check_spans(&sp, text, len, mode, max_length)))
		return rc;
	for (i = 0; i < 5; i++) {
		a[i] = sp.a[i];
		n[i] = sp.b[i] - sp.a[i];
	}
	if (mode != SEMVER_MODE_LOOSE)
		return make_in(out, buf, cap, text + a[0], n[0], text + a[1], n[1], text + a[2], n[2], text + a[3],
		               n[3], text + a[4], n[4]);
	/* loose: numbers lose their leading zeros, in the main version and in numeric pre-release identifiers */
	for (i = 0; i < 3; i++)
		n[i] = strip_zeros(text, &a[i], sp.b[i]);
	if (n[3] > sizeof pre) {
		prebuf = cicd__malloc_or_set(n[3]);
		if (!prebuf)
			return CICD_ENOMEM;
	}
	{
		size_t p = a[3], e = a[3] + n[3], w = 0;
		while (p < e) {
			size_t st = p, q;
			while (p < e && text[p] != '.')
				p++;
			q = st;
			if (all_digits(text + st, p - st))
				strip_zeros(text, &q, p);
			memcpy(prebuf + w, text + q, p - q);
			w += p - q;
			if (p < e)
				prebuf[w++] = text[p++];
		}
		rc = make_in(out, buf, cap, text + a[0], n[0], text + a[1], n[1], text + a[2], n[2], prebuf, w,
		             text + a[4], n[4]);
	}
	if (prebuf != pre)
		cicd__free(prebuf);
	return rc;
}

int cicd_semver_parse(cicd_semver **out, const char *text, size_t len, const cicd_semver_options *opts)
{
	cicd_semver_options def = CICD_SEMVER_OPTIONS_INIT;
	if (!opts)
		opts = &def;
	return cicd__semver_parse_mode(
	    out, text, len, (opts->flags & CICD_SEMVER_LOOSE) ? SEMVER_MODE_LOOSE : SEMVER_MODE_SPEC, opts->max_length);
}

int cicd_semver_dup(cicd_semver **out, const cicd_semver *v)
{
	const char *t;
	if (!out || !v)
		return cicd__error_set(CICD_EINVALID, "cicd_semver_dup: NULL argument");
	t = v->text;
	return cicd__semver_make(out, t + v->off[0], v->plen[0], t + v->off[1], v->plen[1], t + v->off[2], v->plen[2],
	                         t + v->off[3], v->plen[3], t + v->off[4], v->plen[4]);
}

void cicd_semver_free(cicd_semver *v)
{
	cicd__free(v);
}

const char *cicd_semver_text(const cicd_semver *v)
{
	return v ? v->text : "";
}

size_t cicd_semver_text_length(const cicd_semver *v)
{
	return v ? v->main_len : 0;
}

static const char *part(const cicd_semver *v, int i)
{
	return v ? v->text + v->part_off[i] : "";
}

const char *cicd_semver_major(const cicd_semver *v)
{
	return part(v, SV_MAJOR);
}

const char *cicd_semver_minor(const cicd_semver *v)
{
	return part(v, SV_MINOR);
}

const char *cicd_semver_patch(const cicd_semver *v)
{
	return part(v, SV_PATCH);
}

const char *cicd_semver_prerelease(const cicd_semver *v)
{
	return part(v, SV_PRE);
}

const char *cicd_semver_build(const cicd_semver *v)
{
	return part(v, SV_BUILD);
}

/* Numbers are normalized (no leading zeros), so length then bytes is numeric order. */
static int cmp_norm(const char *a, size_t al, const char *b, size_t bl)
{
	int c;
	if (al != bl)
		return al < bl ? -1 : 1;
	c = memcmp(a, b, al);
	return (c > 0) - (c < 0);
}

/* Walks dot-separated identifiers of both lists; `build` selects node's compareBuild quirks. */
static int cmp_idents(const char *a, size_t al, const char *b, size_t bl)
{
	size_t i = 0, j = 0;
	for (;;) {
		size_t si = i, sj = j;
		int c;
		if (i >= al && j >= bl)
			return 0;
		if (j >= bl)
			return 1;
		if (i >= al)
			return -1;
		while (i < al && a[i] != '.')
			i++;
		while (j < bl && b[j] != '.')
			j++;
		if (i - si != j - sj || memcmp(a + si, b + sj, i - si) != 0) {
			/* node-semver returns here even when two numeric identifiers are equal by value ("01", "1") */
			c = cicd__semver_cmp_ident(a + si, i - si, b + sj, j - sj);
			return c;
		}
		i++;
		j++;
	}
}

int cicd_semver_compare(const cicd_semver *a, const cicd_semver *b)
{
	const char *ta = a->text, *tb = b->text;
	int i, c;
	for (i = 0; i < 3; i++) {
		if (a->num[i] != SEMVER_BIG && b->num[i] != SEMVER_BIG) {
			if (a->num[i] != b->num[i])
				return a->num[i] < b->num[i] ? -1 : 1;
			continue;
		}
		c = cmp_norm(ta + a->off[i], a->plen[i], tb + b->off[i], b->plen[i]);
		if (c)
			return c;
	}
	if (!a->plen[SV_PRE] || !b->plen[SV_PRE])
		return a->plen[SV_PRE] ? -1 : b->plen[SV_PRE] ? 1 : 0;
	return cmp_idents(ta + a->off[SV_PRE], a->plen[SV_PRE], tb + b->off[SV_PRE], b->plen[SV_PRE]);
}

int cicd_semver_compare_build(const cicd_semver *a, const cicd_semver *b)
{
	int c = cicd_semver_compare(a, b);
	if (c)
		return c;
	return cmp_idents(a->text + a->off[SV_BUILD], a->plen[SV_BUILD], b->text + b->off[SV_BUILD], b->plen[SV_BUILD]);
}

/* Precedence of two pre-releases given as text: numeric identifiers by value, "01" equal to "1". */
static int cmp_pre_text(const char *a, size_t al, const char *b, size_t bl)
{
	size_t i = 0, j = 0;
	if (!al || !bl)
		return al ? -1 : bl ? 1 : 0;
	for (;;) {
		size_t si = i, sj = j;
		int c;
		if (i >= al && j >= bl)
			return 0;
		if (j >= bl)
			return 1;
		if (i >= al)
			return -1;
		while (i < al && a[i] != '.')
			i++;
		while (j < bl && b[j] != '.')
			j++;
		c = cicd__semver_cmp_ident(a + si, i - si, b + sj, j - sj);
		if (c)
			return c;
		i++;
		j++;
	}
}

/* Parses both texts without allocating and compares the spans. */
int cicd_semver_compare_str(int *out, const char *a, const char *b, const cicd_semver_options *opts)
{
	cicd_semver_options def = CICD_SEMVER_OPTIONS_INIT;
	semver_mode mode;
	spans sa, sb;
	int i, c, rc;
	if (!out || !a || !b)
		return cicd__error_set(CICD_EINVALID, "cicd_semver_compare_str: NULL argument");
	if (!opts)
		opts = &def;
	mode = (opts->flags & CICD_SEMVER_LOOSE) ? SEMVER_MODE_LOOSE : SEMVER_MODE_SPEC;
	if ((rc = check_spans(&sa, a, strlen(a), mode, opts->max_length)) ||
	    (rc = check_spans(&sb, b, strlen(b), mode, opts->max_length)))
		return rc;
	for (i = 0; i < 3; i++) {
		c = cicd__semver_cmp_digits(a + sa.a[i], sa.b[i] - sa.a[i], b + sb.a[i], sb.b[i] - sb.a[i]);
		if (c) {
			*out = c;
			return 0;
		}
	}
	*out =
	    cmp_pre_text(a + sa.a[SV_PRE], sa.b[SV_PRE] - sa.a[SV_PRE], b + sb.a[SV_PRE], sb.b[SV_PRE] - sb.a[SV_PRE]);
	return 0;
}

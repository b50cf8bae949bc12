/*
 * node-semver's range desugaring, step by step: it rewrites the range text
 * with a fixed series of regular-expression replacements (hyphen ranges,
 * trimming, carets, tildes, x-ranges, stars) before it splits the result
 * into comparators. Hand-written grammars drift from that on odd input, so
 * this runs the same series with the same patterns (range_patterns.h,
 * generated from node-semver's own) on RE2, which keeps it linear-time.
 */
#include <pthread.h>
#include <stdarg.h>
#include <string.h>

#include "core/alloc.h"
#include "core/buf.h"
#include "core/error.h"
#include "core/regex.h"
#include "range_internal.h"
#include "range_patterns.h"
#include "semver_internal.h"

static const char *const PATTERNS[RX_COUNT] = {RX_SRC_HYPHENRANGE,    RX_SRC_HYPHENRANGELOOSE,
                                               RX_SRC_COMPARATORTRIM, RX_SRC_TILDETRIM,
                                               RX_SRC_CARETTRIM,      RX_SRC_TILDE,
                                               RX_SRC_TILDELOOSE,     RX_SRC_CARET,
                                               RX_SRC_CARETLOOSE,     RX_SRC_XRANGE,
                                               RX_SRC_XRANGELOOSE,    RX_SRC_STAR,
                                               RX_SRC_GTE0,           RX_SRC_GTE0PRE,
                                               RX_SRC_COMPARATOR,     RX_SRC_COMPARATORLOOSE,
                                               RX_SRC_BUILD,          RX_SRC_BUILDSTRIP};

/* Compiled once per process on first use; immutable afterwards, so threads share them. [0] fast, [1] exact. */
static cicd_regex *g_rx[2][RX_COUNT];
static int g_rx_ready[2];
static pthread_mutex_t g_rx_lock = PTHREAD_MUTEX_INITIALIZER;

/* The pattern with node-semver's run bounds ({0,256}, {1,250}, ...) made unbounded. */
static int unbound(cicd_buf *out, const char *p)
{
	static const char *const from[] = {"{0,256}", "{1,256}", "{0,250}", "{1,250}"};
	static const char *const to[] = {"*", "+", "*", "+"};
	while (*p) {
		int k, hit = 0;
		for (k = 0; k < 4 && !hit; k++)
			if (!strncmp(p, from[k], 7)) {
				if (cicd__buf_puts(out, to[k]))
					return CICD_ENOMEM;
				p += 7;
				hit = 1;
			}
		if (!hit && cicd__buf_putc(out, *p++))
			return CICD_ENOMEM;
	}
	return 0;
}

int cicd__range_patterns(cicd_regex *const **out, int exact)
{
	int i, rc = 0;
	char err[256];
	exact = exact ? 1 : 0;
	pthread_mutex_lock(&g_rx_lock);
	for (i = 0; !g_rx_ready[exact] && i < RX_COUNT; i++) {
		cicd_buf src = CICD_BUF_INIT;
		if (g_rx[exact][i])
			continue;
		rc = exact ? cicd__buf_puts(&src, PATTERNS[i]) : unbound(&src, PATTERNS[i]);
		if (!rc)
			rc = cicd__regex_compile(&g_rx[exact][i], src.ptr, src.size, 0, err, sizeof err);
		cicd_buf_dispose(&src);
		if (rc < 0) {
			rc = rc == CICD_ENOMEM ? cicd__error_oom()
			                       : cicd__error_set(rc, "compiling the range pattern %d: %s", i, err);
			break;
		}
	}
	if (!rc)
		g_rx_ready[exact] = 1;
	pthread_mutex_unlock(&g_rx_lock);
	*out = g_rx[exact];
	return rc;
}

/* The text of group i of the last match, or absent (JavaScript's undefined). */
typedef struct {
	const char *s;
	const cicd_regex_span *sp;
	int n;
} groups;

static int present(const groups *g, int i)
{
	return i < g->n && g->sp[i].start >= 0;
}

static size_t glen(const groups *g, int i)
{
	return present(g, i) ? (size_t)(g->sp[i].end - g->sp[i].start) : 0;
}

static const char *gptr(const groups *g, int i)
{
	return present(g, i) ? g->s + g->sp[i].start : "";
}

static int geq(const groups *g, int i, const char *lit)
{
	return glen(g, i) == strlen(lit) && !memcmp(gptr(g, i), lit, glen(g, i));
}

/* node-semver's isX: absent, empty, x, X or *. */
static int is_x(const groups *g, int i)
{
	return glen(g, i) == 0 || geq(g, i, "x") || geq(g, i, "X") || geq(g, i, "*");
}

static int put_g(cicd_buf *o, const groups *g, int i)
{
	return cicd__buf_put(o, gptr(g, i), glen(g, i));
}

/* Appends (+digits + 1) as JavaScript would print it, exactly for any length. */
static int put_inc(cicd_buf *o, const groups *g, int i)
{
	size_t n = glen(g, i);
	if (cicd__buf_grow(o, n + 2) < 0)
		return CICD_ENOMEM;
	o->size += cicd__semver_digits_inc(o->ptr + o->size, gptr(g, i), n);
	return 0;
}

/* Appends a sequence: "s" literal string, "g" group, "i" group + 1. */
static int emit(cicd_buf *o, const groups *g, const char *fmt, ...)
{
	va_list ap;
	int rc = 0;
	va_start(ap, fmt);
	for (; *fmt && !rc; fmt++) {
		if (*fmt == 's')
			rc = cicd__buf_puts(o, va_arg(ap, const char *));
		else if (*fmt == 'g')
			rc = put_g(o, g, va_arg(ap, int));
		else
			rc = put_inc(o, g, va_arg(ap, int));
	}
	va_end(ap);
	return rc ? CICD_ENOMEM : 0;
}

typedef int (*replace_fn)(cicd_buf *out, const groups *g, int include_pre);

/*
 * String.prototype.replace with a regex: the first match, or every match
 * when global. None of the patterns can match empty text.
 */
static int rx_replace(cicd_buf *out, const char *s, size_t n, const cicd_regex *re, int global, replace_fn fn,
                      int include_pre)
{
	cicd_regex_span sp[16];
	size_t pos = 0;
	int ng = cicd__regex_group_count(re) + 1;
	if (ng > 16)
		ng = 16;
	if (!s)
		s = "";
	cicd__buf_clear(out);
	if (cicd__buf_grow(out, n + 1) < 0)
		return CICD_ENOMEM;
	while (pos <= n) {
		groups g;
		int k;
		if (!cicd__regex_match(re, s + pos, n - pos, 0, sp, ng) || sp[0].end == sp[0].start)
			break;
		for (k = 0; k < ng; k++)
			if (sp[k].start >= 0) {
				sp[k].start += (long)pos;
				sp[k].end += (long)pos;
			}
		if (cicd__buf_put(out, s + pos, (size_t)sp[0].start - pos))
			return CICD_ENOMEM;
		g.s = s;
		g.sp = sp;
		g.n = ng;
		if (fn(out, &g, include_pre))
			return CICD_ENOMEM;
		pos = (size_t)sp[0].end;
		if (!global)
			break;
	}
	if (pos < n && cicd__buf_put(out, s + pos, n - pos))
		return CICD_ENOMEM;
	return 0;
}

static int rep_empty(cicd_buf *o, const groups *g, int ip)
{
	(void)o, (void)g, (void)ip;
	return 0;
}

static int rep_trim_comparator(cicd_buf *o, const groups *g, int ip)
{
	(void)ip;
	return emit(o, g, "ggg", 1, 2, 3);
}

static int rep_trim_tilde(cicd_buf *o, const groups *g, int ip)
{
	(void)ip;
	return emit(o, g, "gs", 1, "~");
}

static int rep_trim_caret(cicd_buf *o, const groups *g, int ip)
{
	(void)ip;
	return emit(o, g, "gs", 1, "^");
}

static int rep_hyphen(cicd_buf *o, const groups *g, int ip)
{
	const char *z = ip ? "-0" : "";
	cicd_buf t = CICD_BUF_INIT;
	size_t a = 0, b;
	int rc;
	if (is_x(g, 2))
		rc = 0;
	else if (is_x(g, 3))
		rc = emit(&t, g, "sgss", ">=", 2, ".0.0", z);
	else if (is_x(g, 4))
		rc = emit(&t, g, "sgsgss", ">=", 2, ".", 3, ".0", z);
	else if (glen(g, 5))
		rc = emit(&t, g, "sg", ">=", 1);
	else
		rc = emit(&t, g, "sgs", ">=", 1, z);
	if (!rc)
		rc = cicd__buf_putc(&t, ' ');
	if (rc)
		goto done;
	if (is_x(g, 8))
		rc = 0;
	else if (is_x(g, 9))
		rc = emit(&t, g, "sis", "<", 8, ".0.0-0");
	else if (is_x(g, 10))
		rc = emit(&t, g, "sgsis", "<", 8, ".", 9, ".0-0");
	else if (glen(g, 11))
		rc = emit(&t, g, "sgsgsgsg", "<=", 8, ".", 9, ".", 10, "-", 11);
	else if (ip)
		rc = emit(&t, g, "sgsgsis", "<", 8, ".", 9, ".", 10, "-0");
	else
		rc = emit(&t, g, "sg", "<=", 7);
	if (rc)
		goto done;
	/* `${from} ${to}`.trim() */
	b = t.size;
	while (a < b && t.ptr[a] == ' ')
		a++;
	while (b > a && t.ptr[b - 1] == ' ')
		b--;
	rc = cicd__buf_put(o, t.ptr + a, b - a);
done:
	cicd_buf_dispose(&t);
	return rc ? CICD_ENOMEM : 0;
}

static int rep_tilde(cicd_buf *o, const groups *g, int ip)
{
	const char *z = ip ? "-0" : "";
	if (is_x(g, 1))
		return 0;
	if (is_x(g, 2))
		return emit(o, g, "sgsssis", ">=", 1, ".0.0", z, " <", 1, ".0.0-0");
	if (is_x(g, 3))
		return emit(o, g, "sgsgsssgsis", ">=", 1, ".", 2, ".0", z, " <", 1, ".", 2, ".0-0");
	if (glen(g, 4))
		return emit(o, g, "sgsgsgsgsgsis", ">=", 1, ".", 2, ".", 3, "-", 4, " <", 1, ".", 2, ".0-0");
	return emit(o, g, "sgsgsgsgsis", ">=", 1, ".", 2, ".", 3, " <", 1, ".", 2, ".0-0");
}

static int rep_caret(cicd_buf *o, const groups *g, int ip)
{
	const char *z = ip ? "-0" : "";
	int m0 = geq(g, 1, "0"), n0 = geq(g, 2, "0");
	if (is_x(g, 1))
		return 0;
	if (is_x(g, 2))
		return emit(o, g, "sgsssis", ">=", 1, ".0.0", z, " <", 1, ".0.0-0");
	if (is_x(g, 3)) {
		if (m0)
			return emit(o, g, "sgsgsssgsis", ">=", 1, ".", 2, ".0", z, " <", 1, ".", 2, ".0-0");
		return emit(o, g, "sgsgsssis", ">=", 1, ".", 2, ".0", z, " <", 1, ".0.0-0");
	}
	if (emit(o, g, "sgsgsg", ">=", 1, ".", 2, ".", 3))
		return CICD_ENOMEM;
	if (glen(g, 4) && emit(o, g, "sg", "-", 4))
		return CICD_ENOMEM;
	if (m0 && n0)
		return emit(o, g, "sgsgsis", " <", 1, ".", 2, ".", 3, "-0");
	if (m0)
		return emit(o, g, "sgsis", " <", 1, ".", 2, ".0-0");
	return emit(o, g, "sis", " <", 1, ".0.0-0");
}

static int rep_xrange(cicd_buf *o, const groups *g, int ip)
{
	int xM = is_x(g, 2), xm = xM || is_x(g, 3), xp = xm || is_x(g, 4);
	const char *pr = ip ? "-0" : "";
	size_t op_len;
	if ((xM && !is_x(g, 3)) || (is_x(g, 3) && glen(g, 4) && !is_x(g, 4)))
		return emit(o, g, "g", 0); /* invalid order: left as written */
	op_len = geq(g, 1, "=") && xp ? 0 : glen(g, 1);
	if (xM) {
		int nothing = op_len == 1 && (geq(g, 1, ">") || geq(g, 1, "<"));
		return cicd__buf_puts(o, nothing ? "<0.0.0-0" : "*") ? CICD_ENOMEM : 0;
	}
	if (op_len && xp) {
		/* >1 is >=2.0.0, >1.2 is >=1.3.0; <=1 is <2.0.0-0, <=1.2 is <1.3.0-0 */
		int gt = geq(g, 1, ">"), le = geq(g, 1, "<="), lt = geq(g, 1, "<") || le;
		if (emit(o, g, "s", gt ? ">=" : le ? "<" : ""))
			return CICD_ENOMEM;
		if (!gt && !le && emit(o, g, "g", 1))
			return CICD_ENOMEM;
		if ((gt || le) && xm) {
			if (emit(o, g, "is", 2, ".0.0"))
				return CICD_ENOMEM;
		} else if (gt || le) {
			if (emit(o, g, "gsis", 2, ".", 3, ".0"))
				return CICD_ENOMEM;
		} else if (xm) {
			if (emit(o, g, "gs", 2, ".0.0"))
				return CICD_ENOMEM;
		} else if (emit(o, g, "gsgs", 2, ".", 3, ".0")) {
			return CICD_ENOMEM;
		}
		return emit(o, g, "s", lt ? "-0" : pr);
	}
	if (xm)
		return emit(o, g, "sgsssis", ">=", 2, ".0.0", pr, " <", 2, ".0.0-0");
	if (xp)
		return emit(o, g, "sgsgsssgsis", ">=", 2, ".", 3, ".0", pr, " <", 2, ".", 3, ".0-0");
	return emit(o, g, "g", 0);
}

int cicd__range_rewrite_step(cicd_buf *out, const char *s, size_t n, int step, int mode)
{
	cicd_regex *const *rx;
	int include_pre = (mode & RANGE_INCLUDE_PRE) != 0;
	int rc = cicd__range_patterns(&rx, mode & RANGE_EXACT);
	if (rc)
		return rc;
	switch (step) {
	case STEP_BUILDSTRIP:
		return rx_replace(out, s, n, rx[RX_BUILDSTRIP], 1, rep_empty, include_pre);
	case STEP_HYPHEN:
	case STEP_HYPHEN_LOOSE:
		return rx_replace(out, s, n, rx[step == STEP_HYPHEN ? RX_HYPHENRANGE : RX_HYPHENRANGELOOSE], 0,
		                  rep_hyphen, include_pre);
	case STEP_TRIM_COMPARATOR:
		return rx_replace(out, s, n, rx[RX_COMPARATORTRIM], 1, rep_trim_comparator, include_pre);
	case STEP_TRIM_TILDE:
		return rx_replace(out, s, n, rx[RX_TILDETRIM], 1, rep_trim_tilde, include_pre);
	case STEP_TRIM_CARET:
		return rx_replace(out, s, n, rx[RX_CARETTRIM], 1, rep_trim_caret, include_pre);
	case STEP_BUILD_FIRST:
		return rx_replace(out, s, n, rx[RX_BUILD], 0, rep_empty, include_pre);
	case STEP_CARET:
	case STEP_CARET_LOOSE:
		return rx_replace(out, s, n, rx[step == STEP_CARET ? RX_CARET : RX_CARETLOOSE], 0, rep_caret,
		                  include_pre);
	case STEP_TILDE:
	case STEP_TILDE_LOOSE:
		return rx_replace(out, s, n, rx[step == STEP_TILDE ? RX_TILDE : RX_TILDELOOSE], 0, rep_tilde,
		                  include_pre);
	case STEP_XRANGE:
	case STEP_XRANGE_LOOSE:
		return rx_replace(out, s, n, rx[step == STEP_XRANGE ? RX_XRANGE : RX_XRANGELOOSE], 0, rep_xrange,
		                  include_pre);
	case STEP_STAR:
		return rx_replace(out, s, n, rx[RX_STAR], 0, rep_empty, include_pre);
	case STEP_GTE0:
		return rx_replace(out, s, n, rx[include_pre ? RX_GTE0PRE : RX_GTE0], 0, rep_empty, include_pre);
	default:
		return cicd__error_set(CICD_EINVALID, "unknown range step %d", step);
	}
}

/* Ranges: node-semver's desugaring into comparator sets, and testing versions against them. */
#include <stdint.h>
#include <string.h>

#include "core/alloc.h"
#include "core/buf.h"
#include "core/error.h"
#include "core/hashmap.h"
#include "range_internal.h"

typedef enum { OP_ANY, OP_EQ, OP_LT, OP_LE, OP_GT, OP_GE } comparator_op;

typedef struct {
	comparator_op op;
	cicd_semver *v; /* NULL for OP_ANY */
	char *value;    /* node's comparator.value: operator and version without build; "" for any */
} comparator;

struct cicd_semver_range {
	unsigned int flags;
	size_t max_length; /* for versions given as text */
	size_t nsets;
	size_t *set_end; /* set i is comps[set_end[i-1] .. set_end[i]) */
	comparator *comps;
	size_t ncomps;
	char *text;
};

/* A growing list of comparators for one || alternative. */
typedef struct {
	comparator *items;
	size_t count, cap;
} comp_list;

static void comp_dispose(comparator *c)
{
	cicd_semver_free(c->v);
	cicd__free(c->value);
}

static void list_dispose(comp_list *l)
{
	size_t i;
	for (i = 0; i < l->count; i++)
		comp_dispose(&l->items[i]);
	cicd__free(l->items);
	memset(l, 0, sizeof *l);
}

static int list_push(comp_list *l, comparator *c)
{
	if (l->count == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 4;
		comparator *n = cicd__realloc(l->items, cap * sizeof *n);
		if (!n)
			return cicd__error_oom();
		l->items = n;
		l->cap = cap;
	}
	l->items[l->count++] = *c;
	return 0;
}

static int is_space(char c)
{
	return c == ' ';
}

/* Trimmed view of s (only spaces remain after the range's whitespace was normalized). */
static void trim(const char **s, size_t *n)
{
	while (*n && is_space(**s))
		(*s)++, (*n)--;
	while (*n && is_space((*s)[*n - 1]))
		(*n)--;
}

/*
 * JavaScript's s.split(runs ? /\s+/ : ' ').map(step).join(' ') into out;
 * each token is trimmed first when trim_tokens (node's replaceXRange does).
 */
static int map_tokens(cicd_buf *out, const char *s, size_t n, int runs, int step, int mode)
{
	cicd_buf tmp = CICD_BUF_INIT;
	size_t i = 0;
	int rc = 0, first = 1;
	cicd__buf_clear(out);
	for (;;) {
		size_t st = i;
		while (i < n && !is_space(s[i]))
			i++;
		if (!first && cicd__buf_putc(out, ' ')) {
			rc = CICD_ENOMEM;
			break;
		}
		first = 0;
		rc = cicd__range_rewrite_step(&tmp, s + st, i - st, step, mode);
		if (rc || cicd__buf_put(out, tmp.ptr ? tmp.ptr : "", tmp.size)) {
			rc = rc ? rc : CICD_ENOMEM;
			break;
		}
		if (i >= n)
			break;
		i++;
		if (runs)
			while (i < n && is_space(s[i]))
				i++;
	}
	cicd_buf_dispose(&tmp);
	return rc;
}

/* node-semver's parseComparator on one space-free token, appended to out. */
static int desugar_token(cicd_buf *out, const char *tok, size_t n, int loose, int ip)
{
	cicd_buf a = CICD_BUF_INIT, b = CICD_BUF_INIT;
	const char *s;
	size_t len;
	int rc = cicd__range_rewrite_step(&a, tok, n, STEP_BUILD_FIRST, ip);
	if (!rc) {
		s = a.ptr ? a.ptr : "";
		len = a.size;
		trim(&s, &len);
		rc = map_tokens(&b, s, len, 1, loose ? STEP_CARET_LOOSE : STEP_CARET, ip);
	}
	if (!rc) {
		s = b.ptr ? b.ptr : "";
		len = b.size;
		trim(&s, &len);
		rc = map_tokens(&a, s, len, 1, loose ? STEP_TILDE_LOOSE : STEP_TILDE, ip);
	}
	if (!rc) {
		/* replaceXRanges splits without trimming and trims each piece */
		const char *p = a.ptr ? a.ptr : "";
		size_t i = 0, first = 1;
		cicd__buf_clear(&b);
		for (;;) {
			size_t st = i;
			cicd_buf t = CICD_BUF_INIT;
			while (i < a.size && !is_space(p[i]))
				i++;
			if (!first)
				rc = cicd__buf_putc(&b, ' ') ? CICD_ENOMEM : 0;
			first = 0;
			if (!rc)
				rc = cicd__range_rewrite_step(&t, p + st, i - st,
				                              loose ? STEP_XRANGE_LOOSE : STEP_XRANGE, ip);
			if (!rc && cicd__buf_put(&b, t.ptr ? t.ptr : "", t.size))
				rc = CICD_ENOMEM;
			cicd_buf_dispose(&t);
			if (rc || i >= a.size)
				break;
			i++;
			while (i < a.size && is_space(p[i]))
				i++;
		}
	}
	if (!rc) {
		s = b.ptr ? b.ptr : "";
		len = b.size;
		trim(&s, &len);
		rc = cicd__range_rewrite_step(&a, s, len, STEP_STAR, ip);
	}
	if (!rc && cicd__buf_put(out, a.ptr ? a.ptr : "", a.size))
		rc = CICD_ENOMEM;
	cicd_buf_dispose(&a);
	cicd_buf_dispose(&b);
	return rc;
}

static const char *op_text(comparator_op op)
{
	switch (op) {
	case OP_LT:
		return "<";
	case OP_LE:
		return "<=";
	case OP_GT:
		return ">";
	case OP_GE:
		return ">=";
	default:
		return "";
	}
}

static int invalid_range(const char *what, const char *s, size_t n)
{
	int shown = n > 64 ? 64 : (int)n;
	return cicd__error_set(CICD_EPARSE, "invalid range: %s \"%.*s%s\"", what, shown, s, n > 64 ? "..." : "");
}

/* node-semver's Comparator constructor on one desugared token. */
static int parse_comparator(comparator *c, const char *s, size_t n, const cicd_semver_options *opts, int mode)
{
	cicd_regex *const *rx;
	cicd_regex_span sp[3];
	int loose = (opts->flags & CICD_SEMVER_LOOSE) != 0, rc;
	size_t oplen;
	memset(c, 0, sizeof *c);
	if ((rc = cicd__range_patterns(&rx, mode & RANGE_EXACT)))
		return rc;
	if (!cicd__regex_match(rx[loose ? RX_COMPARATORLOOSE : RX_COMPARATOR], s, n, 1, sp, 3))
		return invalid_range("comparator", s, n);
	oplen = sp[1].start >= 0 ? (size_t)(sp[1].end - sp[1].start) : 0;
	if (sp[2].start < 0 || sp[2].end == sp[2].start) {
		c->op = OP_ANY;
		c->value = cicd__strdup("");
		return c->value ? 0 : cicd__error_oom();
	}
	if (oplen == 0 || (oplen == 1 && s[sp[1].start] == '='))
		c->op = OP_EQ;
	else if (s[sp[1].start] == '<')
		c->op = oplen == 2 ? OP_LE : OP_LT;
	else
		c->op = oplen == 2 ? OP_GE : OP_GT;
	rc = cicd__semver_parse_mode(&c->v, s + sp[2].start, (size_t)(sp[2].end - sp[2].start),
	                             loose ? SEMVER_MODE_LOOSE : SEMVER_MODE_NODE, opts->max_length);
	if (rc) {
		if (rc == CICD_EPARSE || rc == CICD_ELIMIT)
			return invalid_range("comparator", s, n);
		return rc;
	}
	{
		const char *ot = op_text(c->op);
		size_t ol = strlen(ot), vl = c->v->main_len;
		c->value = cicd__malloc(ol + vl + 1);
		if (!c->value) {
			comp_dispose(c);
			return cicd__error_oom();
		}
		memcpy(c->value, ot, ol);
		memcpy(c->value + ol, c->v->text, vl);
		c->value[ol + vl] = '\0';
	}
	return 0;
}

static int is_null_set(const comparator *c)
{
	return !strcmp(c->value, "<0.0.0-0");
}

/* node-semver's Range.parseRange on one || alternative (already trimmed). */
static int parse_set(comp_list *out, const char *s, size_t n, const cicd_semver_options *opts, int exact)
{
	int loose = (opts->flags & CICD_SEMVER_LOOSE) != 0;
	int ip = ((opts->flags & CICD_SEMVER_INCLUDE_PRERELEASE) ? RANGE_INCLUDE_PRE : 0) | (exact ? RANGE_EXACT : 0);
	cicd_buf a = CICD_BUF_INIT, b = CICD_BUF_INIT, joined = CICD_BUF_INIT;
	cicd_hashmap seen = CICD_HASHMAP_INIT;
	comparator null_set = {OP_ANY, NULL, NULL};
	int rc;
	size_t i, st;
	memset(out, 0, sizeof *out);
	rc = cicd__range_rewrite_step(&a, s, n, STEP_BUILDSTRIP, ip);
	if (!rc)
		rc = cicd__range_rewrite_step(&b, a.ptr, a.size, loose ? STEP_HYPHEN_LOOSE : STEP_HYPHEN, ip);
	if (!rc)
		rc = cicd__range_rewrite_step(&a, b.ptr, b.size, STEP_TRIM_COMPARATOR, ip);
	if (!rc)
		rc = cicd__range_rewrite_step(&b, a.ptr, a.size, STEP_TRIM_TILDE, ip);
	if (!rc)
		rc = cicd__range_rewrite_step(&a, b.ptr, b.size, STEP_TRIM_CARET, ip);
	/* split(' ').map(parseComparator).join(' ') */
	for (i = 0, st = 0; !rc; i++) {
		const char *ap = a.ptr ? a.ptr : "";
		if (i < a.size && ap[i] != ' ')
			continue;
		if (st && cicd__buf_putc(&joined, ' '))
			rc = CICD_ENOMEM;
		if (!rc)
			rc = desugar_token(&joined, ap + st, i - st, loose, ip);
		st = i + 1;
		if (i >= a.size)
			break;
	}
	/* split(/\s+/).map(replaceGTE0), the loose filter, then comparators */
	for (i = 0, st = 0; !rc; i++) {
		comparator c;
		const char *tok;
		size_t tl;
		if (i < joined.size && joined.ptr[i] != ' ')
			continue;
		tok = joined.ptr ? joined.ptr + st : "";
		tl = i - st;
		trim(&tok, &tl);
		rc = cicd__range_rewrite_step(&b, tok, tl, STEP_GTE0, ip);
		if (rc)
			break;
		if (loose) {
			cicd_regex *const *rx;
			cicd_regex_span sp[1];
			if ((rc = cicd__range_patterns(&rx, ip & RANGE_EXACT)))
				break;
			if (!cicd__regex_match(rx[RX_COMPARATORLOOSE], b.ptr ? b.ptr : "", b.size, 1, sp, 1))
				goto next;
		}
		rc = parse_comparator(&c, b.ptr ? b.ptr : "", b.size, opts, ip);
		if (rc)
			break;
		if (is_null_set(&c) && !null_set.value) {
			/* node builds every comparator (any may be invalid) before it looks for a null set */
			null_set = c;
			goto next;
		}
		if (null_set.value) {
			comp_dispose(&c);
			goto next;
		}
		if (cicd__hashmap_get(&seen, c.value, strlen(c.value))) {
			comp_dispose(&c);
		} else if ((rc = list_push(out, &c)) < 0) {
			comp_dispose(&c);
		} else {
			const char *key = out->items[out->count - 1].value;
			if (cicd__hashmap_put(&seen, key, strlen(key), &seen, NULL) < 0)
				rc = CICD_ENOMEM;
		}
	next:
		while (i + 1 < joined.size && joined.ptr[i + 1] == ' ')
			i++;
		st = i + 1;
		if (i >= joined.size)
			break;
	}
	if (!rc && null_set.value) {
		list_dispose(out);
		rc = list_push(out, &null_set);
		if (!rc)
			null_set.value = NULL, null_set.v = NULL;
	}
	if (!rc && out->count > 1) {
		/* more than one comparator: drop the any comparator ("") */
		size_t r, w = 0;
		for (r = 0; r < out->count; r++) {
			if (out->items[r].op == OP_ANY)
				comp_dispose(&out->items[r]);
			else
				out->items[w++] = out->items[r];
		}
		out->count = w;
	}
	comp_dispose(&null_set);
	cicd__hashmap_dispose(&seen);
	cicd_buf_dispose(&a);
	cicd_buf_dispose(&b);
	cicd_buf_dispose(&joined);
	if (rc)
		list_dispose(out);
	return rc;
}

/* Collapses every run of JavaScript whitespace to one space and trims: node's first step. */
static int normalize_space(cicd_buf *out, const char *s, size_t n)
{
	size_t i = 0, k;
	int pending = 0;
	cicd__buf_clear(out);
	if (cicd__buf_grow(out, n + 1) < 0)
		return CICD_ENOMEM;
	while (i < n) {
		if ((k = cicd__js_space(s + i, n - i)) > 0) {
			pending = out->size > 0;
			i += k;
			continue;
		}
		if (pending && cicd__buf_putc(out, ' '))
			return CICD_ENOMEM;
		pending = 0;
		if (cicd__buf_putc(out, s[i++]))
			return CICD_ENOMEM;
	}
	return 0;
}

/* The longest run of [a-zA-Z0-9-]: node's patterns bound such runs at 250 (256 for digits). */
static size_t longest_run(const char *s, size_t n)
{
	size_t i, run = 0, best = 0;
	for (i = 0; i < n; i++) {
		char c = s[i];
		if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-')
			best = ++run > best ? run : best;
		else
			run = 0;
	}
	return best;
}

void cicd_semver_range_free(cicd_semver_range *r)
{
	size_t i;
	if (!r)
		return;
	for (i = 0; i < r->ncomps; i++)
		comp_dispose(&r->comps[i]);
	cicd__free(r->comps);
	cicd__free(r->set_end);
	cicd__free(r->text);
	cicd__free(r);
}

/* Moves the surviving alternatives into r and renders node's range.range text. */
static int assemble(cicd_semver_range *r, comp_list *sets, size_t nsets)
{
	cicd_buf text = CICD_BUF_INIT;
	size_t i, j, total = 0, k = 0;
	for (i = 0; i < nsets; i++)
		total += sets[i].count;
	r->comps = cicd__calloc(total ? total : 1, sizeof *r->comps);
	r->set_end = cicd__calloc(nsets ? nsets : 1, sizeof *r->set_end);
	if (!r->comps || !r->set_end)
		return cicd__error_oom();
	for (i = 0; i < nsets; i++) {
		if (i && cicd__buf_puts(&text, "||"))
			goto oom;
		for (j = 0; j < sets[i].count; j++) {
			if (j && cicd__buf_putc(&text, ' '))
				goto oom;
			if (cicd__buf_puts(&text, sets[i].items[j].value))
				goto oom;
			r->comps[k++] = sets[i].items[j];
		}
		r->set_end[i] = k;
		sets[i].count = 0;
	}
	r->ncomps = k;
	r->nsets = nsets;
	if (!text.size && cicd__buf_putc(&text, '*'))
		goto oom;
	r->text = cicd__buf_detach(&text);
	return r->text ? 0 : cicd__error_oom();
oom:
	r->ncomps = k;
	cicd_buf_dispose(&text);
	return CICD_ENOMEM;
}

int cicd_semver_range_parse(cicd_semver_range **out, const char *text, size_t len, const cicd_semver_options *opts)
{
	cicd_semver_options def = CICD_SEMVER_OPTIONS_INIT;
	cicd_buf raw = CICD_BUF_INIT;
	comp_list *sets = NULL;
	size_t nsets = 0, cap = 0, i, st, kept;
	cicd_semver_range *r = NULL;
	int rc = 0, exact;
	if (!out || (!text && len))
		return cicd__error_set(CICD_EINVALID, "cicd_semver_range_parse: NULL argument");
	*out = NULL;
	if (!opts)
		opts = &def;
	if (opts->max_range_length && len > opts->max_range_length)
		return cicd__error_set(CICD_ELIMIT, "range longer than %zu bytes", opts->max_range_length);
	if (normalize_space(&raw, text ? text : "", len))
		return CICD_ENOMEM;
	exact = longest_run(raw.ptr ? raw.ptr : "", raw.size) > 240; /* slack: rewriting appends "-0" to runs */
	/* split('||'), each alternative trimmed and parsed; empty ones (loose mode) dropped */
	for (i = 0, st = 0; !rc; i++) {
		const char *p = raw.ptr ? raw.ptr : "";
		const char *s;
		size_t n;
		comp_list l;
		if (i < raw.size && !(p[i] == '|' && i + 1 < raw.size && p[i + 1] == '|'))
			continue;
		s = p + st;
		n = i - st;
		trim(&s, &n);
		rc = parse_set(&l, s, n, opts, exact);
		if (!rc && l.count) {
			if (nsets == cap) {
				comp_list *ns = cicd__realloc(sets, (cap ? cap * 2 : 4) * sizeof *ns);
				if (!ns) {
					list_dispose(&l);
					rc = cicd__error_oom();
					break;
				}
				sets = ns;
				cap = cap ? cap * 2 : 4;
			}
			sets[nsets++] = l;
		}
		if (i >= raw.size)
			break;
		i++;
		st = i + 1;
	}
	if (!rc && !nsets)
		rc = invalid_range("no valid comparator in", raw.ptr ? raw.ptr : "", raw.size);
	if (!rc && nsets > 1) {
		/* null sets go when anything else is left; a lone any set wins */
		size_t w = 0, any = (size_t)-1;
		for (i = 0; i < nsets; i++) {
			if (is_null_set(&sets[i].items[0]) && nsets > 1)
				list_dispose(&sets[i]);
			else
				sets[w++] = sets[i];
		}
		if (w == 0) {
			w = 1; /* all were null sets: node keeps the first; any of them is the same */
			rc = parse_set(&sets[0], "<0.0.0-0", 8, opts, 0);
		}
		nsets = w;
		for (i = 0; nsets > 1 && i < nsets; i++)
			if (sets[i].count == 1 && sets[i].items[0].op == OP_ANY) {
				any = i;
				break;
			}
		if (any != (size_t)-1) {
			comp_list keep = sets[any];
			for (i = 0; i < nsets; i++)
				if (i != any)
					list_dispose(&sets[i]);
			sets[0] = keep;
			nsets = 1;
		}
	}
	if (!rc) {
		r = cicd__calloc(1, sizeof *r);
		if (!r)
			rc = cicd__error_oom();
	}
	if (!rc) {
		r->flags = opts->flags;
		r->max_length = opts->max_length;
		rc = assemble(r, sets, nsets);
	}
	kept = nsets;
	for (i = 0; i < kept; i++)
		list_dispose(&sets[i]);
	cicd__free(sets);
	cicd_buf_dispose(&raw);
	if (rc) {
		cicd_semver_range_free(r);
		return rc;
	}
	*out = r;
	return 0;
}

const char *cicd_semver_range_text(const cicd_semver_range *r)
{
	return r ? r->text : "";
}

static int comp_test(const comparator *c, const cicd_semver *v)
{
	int k;
	if (c->op == OP_ANY)
		return 1;
	k = cicd_semver_compare(v, c->v);
	switch (c->op) {
	case OP_EQ:
		return k == 0;
	case OP_LT:
		return k < 0;
	case OP_LE:
		return k <= 0;
	case OP_GT:
		return k > 0;
	default:
		return k >= 0;
	}
}

static int same_main(const cicd_semver *a, const cicd_semver *b)
{
	int i;
	for (i = 0; i < 3; i++)
		if (a->plen[i] != b->plen[i] || memcmp(a->text + a->off[i], b->text + b->off[i], a->plen[i]))
			return 0;
	return 1;
}

static int test_set(const comparator *c, size_t n, const cicd_semver *v, int include_pre)
{
	size_t i;
	for (i = 0; i < n; i++)
		if (!comp_test(&c[i], v))
			return 0;
	if (v->plen[SV_PRE] && !include_pre) {
		/* a pre-release only matches through a comparator with a pre-release on the same [major, minor, patch]
		 */
		for (i = 0; i < n; i++)
			if (c[i].v && c[i].v->plen[SV_PRE] && same_main(c[i].v, v))
				return 1;
		return 0;
	}
	return 1;
}

int cicd_semver_range_test(const cicd_semver_range *r, const cicd_semver *v)
{
	size_t i, start = 0;
	if (!r || !v)
		return 0;
	for (i = 0; i < r->nsets; i++) {
		if (test_set(r->comps + start, r->set_end[i] - start, v,
		             (r->flags & CICD_SEMVER_INCLUDE_PRERELEASE) != 0))
			return 1;
		start = r->set_end[i];
	}
	return 0;
}

int cicd_semver_range_test_str(int *out, const cicd_semver_range *r, const char *text, size_t len)
{
	uint64_t storage[64]; /* 512 bytes: room for any version of the default length limit */
	cicd_semver *v = NULL;
	int rc;
	if (!out || !r || (!text && len))
		return cicd__error_set(CICD_EINVALID, "cicd_semver_range_test_str: NULL argument");
	rc =
	    cicd__semver_parse_in(&v, storage, sizeof storage, text ? text : "", len,
	                          (r->flags & CICD_SEMVER_LOOSE) ? SEMVER_MODE_LOOSE : SEMVER_MODE_SPEC, r->max_length);
	if (rc)
		return rc;
	*out = cicd_semver_range_test(r, v);
	if ((void *)v != (void *)storage)
		cicd_semver_free(v);
	return 0;
}

static int best_satisfying(size_t *out, cicd_semver *const *items, size_t count, const cicd_semver_range *r, int want)
{
	size_t i, best = (size_t)-1;
	if (!out || (!items && count) || !r)
		return cicd__error_set(CICD_EINVALID, "max/min satisfying: NULL argument");
	for (i = 0; i < count; i++)
		if (items[i] && cicd_semver_range_test(r, items[i]) &&
		    (best == (size_t)-1 || cicd_semver_compare(items[i], items[best]) == want))
			best = i;
	if (best == (size_t)-1)
		return cicd__error_set(CICD_ENOTFOUND, "no version satisfies %s", r->text);
	*out = best;
	return 0;
}

int cicd_semver_max_satisfying(size_t *out_index, cicd_semver *const *items, size_t count, const cicd_semver_range *r)
{
	return best_satisfying(out_index, items, count, r, 1);
}

int cicd_semver_min_satisfying(size_t *out_index, cicd_semver *const *items, size_t count, const cicd_semver_range *r)
{
	return best_satisfying(out_index, items, count, r, -1);
}

int cicd_semver_satisfies(int *out, const char *range, const char *version, const cicd_semver_options *opts)
{
	cicd_semver_range *r = NULL;
	cicd_semver *v = NULL;
	int rc;
	if (!out || !range || !version)
		return cicd__error_set(CICD_EINVALID, "cicd_semver_satisfies: NULL argument");
	rc = cicd_semver_range_parse(&r, range, strlen(range), opts);
	if (!rc)
		rc = cicd_semver_parse(&v, version, strlen(version), opts);
	if (!rc)
		*out = cicd_semver_range_test(r, v);
	cicd_semver_free(v);
	cicd_semver_range_free(r);
	return rc;
}

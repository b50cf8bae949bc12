/*
 * The streaming trace masker (include/cicd/mask.h).
 *
 * Incoming bytes are appended to a pending buffer. A position is decided
 * once `window` bytes follow it (window = the longest thing that can start
 * there: a phrase, a prefix, or "?name="), so a secret split across writes
 * is seen whole. Undecided bytes stay pending; finish() decides them with
 * what there is. After a token prefix or a URL parameter name the masker
 * switches into a mode that swallows the token or value, however long,
 * across writes.
 *
 * Speed: a 65536-entry table says what can start at each pair of bytes
 * (a 256-entry one at the last byte); four positions are ruled out per
 * step, and only the rest are compared.
 */
#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cicd/mask.h"
#include "core/alloc.h"
#include "core/buf.h"
#include "core/error.h"

#define MASK_TEXT "[MASKED]"
#define MASK_LEN  8

enum { START_PHRASE = 1, START_PREFIX = 2, START_PARAM = 4 };
enum { MODE_NORMAL, MODE_TOKEN, MODE_PARAM };

typedef struct pattern {
	char *text;
	size_t len;
} pattern;

struct cicd_mask {
	pattern *phrases; /* sorted by first byte, then longest first */
	size_t phrase_count;
	size_t bucket[257]; /* phrases starting with byte b: [bucket[b], bucket[b+1]) */
	pattern *prefixes;  /* longest first */
	size_t prefix_count;
	unsigned char start[256];  /* what can start at a byte (the last byte of a buffer) */
	unsigned char pair[65536]; /* what can start at a pair of bytes: one lookup rules most positions out */
	size_t window;
	char *pend;
	size_t pend_len;
	size_t pend_cap;
	int mode;
	int token_seen;
	uint32_t crc;
	uint64_t bytes;
	unsigned int flags;
};

/* GitLab's token prefixes (docs: security/token_overview) and the legacy runner registration prefix. */
static const char *const BUILTIN_PREFIXES[] = {
    "glpat-", "gloas-",   "gldt-",   "glrt-",   "glcbt-", "glrtr-",    "glptt-",           "glft-",
    "glimt-", "glagent-", "glsoat-", "glffct-", "gltok-", "GR1348941", "_gitlab_session=",
};

/* Query parameters whose values are secrets: GitLab Runner's list plus common token names. */
static const char *const SECRET_PARAMS[] = {
    "private_token", "authenticity_token", "rss_token", "x-amz-signature", "x-amz-credential", "x-amz-security-token",
    "token",         "access_token",       "job_token",
};

static const size_t SECRET_PARAM_LENS[] = {13, 18, 9, 15, 16, 20, 5, 12, 9};
_Static_assert(sizeof SECRET_PARAM_LENS / sizeof SECRET_PARAM_LENS[0] == sizeof SECRET_PARAMS / sizeof SECRET_PARAMS[0],
               "one length per parameter name");

/* Characters of a token after its prefix (GitLab Runner's tokensanitizer alphabet). */
static int token_char(unsigned char c)
{
	return isalnum(c) || c == '-' || c == '.' || c == '_' || c == '=';
}

static int param_end(unsigned char c)
{
	return c == '?' || c == '&' || c == ' ' || c < 0x20 || c == 0x7f;
}

CICD_EXTERN(int) cicd_mask_options_init(cicd_mask_options *opts, unsigned int version)
{
	cicd_mask_options def = CICD_MASK_OPTIONS_INIT;
	if (!opts || version != CICD_MASK_OPTIONS_VERSION)
		return cicd__error_set(CICD_EINVALID, "cicd_mask_options_init: unknown options version %u", version);
	*opts = def;
	return 0;
}

static int cmp_phrase(const void *a, const void *b)
{
	const pattern *x = a, *y = b;
	unsigned char fx = (unsigned char)x->text[0], fy = (unsigned char)y->text[0];
	if (fx != fy)
		return fx < fy ? -1 : 1;
	if (x->len != y->len)
		return x->len > y->len ? -1 : 1;
	return memcmp(x->text, y->text, x->len);
}

static int cmp_longest(const void *a, const void *b)
{
	const pattern *x = a, *y = b;
	if (x->len != y->len)
		return x->len > y->len ? -1 : 1;
	return memcmp(x->text, y->text, x->len);
}

static void mark_pair(cicd_mask *m, const char *text, size_t len, unsigned char what)
{
	unsigned int a = (unsigned char)text[0], b;
	if (len == 1) {
		for (b = 0; b < 256; b++)
			m->pair[a << 8 | b] |= what;
		return;
	}
	m->pair[a << 8 | (unsigned char)text[1]] |= what;
}

static void trim(const char **s, size_t *len)
{
	while (*len && isspace((unsigned char)(*s)[0])) {
		(*s)++;
		(*len)--;
	}
	while (*len && isspace((unsigned char)(*s)[*len - 1]))
		(*len)--;
}

static int add_prefix(cicd_mask *m, const char *text, size_t len)
{
	size_t i;
	if (!len)
		return 0;
	for (i = 0; i < m->prefix_count; i++)
		if (m->prefixes[i].len == len && !memcmp(m->prefixes[i].text, text, len))
			return 0;
	if (!(m->prefixes[m->prefix_count].text = cicd__strndup(text, len)))
		return cicd__error_oom();
	m->prefixes[m->prefix_count++].len = len;
	m->start[(unsigned char)text[0]] |= START_PREFIX;
	mark_pair(m, text, len, START_PREFIX);
	if (len > m->window)
		m->window = len;
	return 0;
}

static int build_phrases(cicd_mask *m, const char *const *values, const size_t *lens, size_t count, size_t max_len)
{
	size_t i, j, n = 0;
	if (count && !(m->phrases = cicd__calloc(count, sizeof *m->phrases)))
		return cicd__error_oom();
	for (i = 0; i < count; i++) {
		const char *s = values[i];
		size_t len;
		if (!s)
			return cicd__error_set(CICD_EINVALID, "cicd_mask_new: value %zu is NULL", i);
		len = lens ? lens[i] : strlen(s);
		trim(&s, &len);
		if (!len)
			continue;
		if (len > max_len)
			return cicd__error_set(CICD_ELIMIT,
			                       "masked value %zu is %zu bytes long, more than the limit of %zu", i, len,
			                       max_len);
		if (!(m->phrases[n].text = cicd__strndup(s, len)))
			return cicd__error_oom();
		m->phrases[n++].len = len;
		m->phrase_count = n; /* so that cicd_mask_free() frees them on a later failure */
	}
	if (n > 1)
		qsort(m->phrases, n, sizeof *m->phrases, cmp_phrase);
	/* drop duplicates (adjacent after sorting) */
	for (i = 0, j = 0; i < n; i++) {
		if (j && m->phrases[j - 1].len == m->phrases[i].len &&
		    !memcmp(m->phrases[j - 1].text, m->phrases[i].text, m->phrases[i].len)) {
			cicd__free(m->phrases[i].text);
			continue;
		}
		m->phrases[j++] = m->phrases[i];
	}
	m->phrase_count = j;
	for (i = 0; i < m->phrase_count; i++) {
		unsigned char f = (unsigned char)m->phrases[i].text[0];
		m->start[f] |= START_PHRASE;
		mark_pair(m, m->phrases[i].text, m->phrases[i].len, START_PHRASE);
		if (m->phrases[i].len > m->window)
			m->window = m->phrases[i].len;
	}
	for (i = 0, j = 0; i < 257; i++) {
		while (j < m->phrase_count && (unsigned char)m->phrases[j].text[0] < i)
			j++;
		m->bucket[i] = j;
	}
	return 0;
}

CICD_EXTERN(int)
cicd_mask_new(cicd_mask **out, const char *const *values, const size_t *lens, size_t count,
              const cicd_mask_options *opts)
{
	cicd_mask_options o = CICD_MASK_OPTIONS_INIT;
	cicd_mask *m;
	size_t i, nprefix;
	int rc;
	if (!out || (count && !values))
		return cicd__error_set(CICD_EINVALID, "cicd_mask_new: out and values are required");
	*out = NULL;
	if (opts) {
		if (opts->version != CICD_MASK_OPTIONS_VERSION)
			return cicd__error_set(CICD_EINVALID, "cicd_mask_new: unknown options version %u",
			                       opts->version);
		o = *opts;
	}
	if (!o.max_phrases)
		o.max_phrases = 10000;
	if (!o.max_phrase_len)
		o.max_phrase_len = 64 * 1024;
	if (count > o.max_phrases)
		return cicd__error_set(CICD_ELIMIT, "%zu masked values, more than the limit of %zu", count,
		                       o.max_phrases);
	if (o.extra_prefix_count && !o.extra_prefixes)
		return cicd__error_set(CICD_EINVALID, "cicd_mask_new: extra_prefixes is NULL");
	if (!(m = cicd__calloc(1, sizeof *m)))
		return cicd__error_oom();
	m->flags = o.flags;
	m->window = 1;
	nprefix = o.extra_prefix_count + sizeof BUILTIN_PREFIXES / sizeof BUILTIN_PREFIXES[0];
	if (!(m->prefixes = cicd__calloc(nprefix, sizeof *m->prefixes))) {
		cicd__free(m);
		return cicd__error_oom();
	}
	rc = build_phrases(m, values, lens, count, o.max_phrase_len);
	if (!rc && !(o.flags & CICD_MASK_NO_TOKEN_PREFIXES))
		for (i = 0; !rc && i < sizeof BUILTIN_PREFIXES / sizeof BUILTIN_PREFIXES[0]; i++)
			rc = add_prefix(m, BUILTIN_PREFIXES[i], strlen(BUILTIN_PREFIXES[i]));
	for (i = 0; !rc && i < o.extra_prefix_count; i++) {
		const char *p = o.extra_prefixes[i];
		size_t len;
		if (!p) {
			rc = cicd__error_set(CICD_EINVALID, "cicd_mask_new: extra prefix %zu is NULL", i);
			break;
		}
		len = strlen(p);
		if (len > o.max_phrase_len)
			rc = cicd__error_set(CICD_ELIMIT, "token prefix %zu is longer than the limit of %zu bytes", i,
			                     o.max_phrase_len);
		else
			rc = add_prefix(m, p, len);
	}
	if (rc) {
		cicd_mask_free(m);
		return rc;
	}
	qsort(m->prefixes, m->prefix_count, sizeof *m->prefixes, cmp_longest);
	if (!(o.flags & CICD_MASK_NO_URL_PARAMS)) {
		m->start['?'] |= START_PARAM;
		m->start['&'] |= START_PARAM;
		for (i = 0; i < sizeof SECRET_PARAMS / sizeof SECRET_PARAMS[0]; i++) {
			unsigned int f = (unsigned char)SECRET_PARAMS[i][0];
			/* names compare case-insensitively */
			m->pair['?' << 8 | f] |= START_PARAM;
			m->pair['&' << 8 | f] |= START_PARAM;
			m->pair['?' << 8 | (unsigned int)toupper((int)f)] |= START_PARAM;
			m->pair['&' << 8 | (unsigned int)toupper((int)f)] |= START_PARAM;
			if (strlen(SECRET_PARAMS[i]) + 2 > m->window)
				m->window = strlen(SECRET_PARAMS[i]) + 2;
		}
	}
	*out = m;
	return 0;
}

CICD_EXTERN(void) cicd_mask_free(cicd_mask *m)
{
	size_t i;
	if (!m)
		return;
	for (i = 0; i < m->phrase_count; i++)
		cicd__free(m->phrases[i].text);
	for (i = 0; i < m->prefix_count; i++)
		cicd__free(m->prefixes[i].text);
	cicd__free(m->phrases);
	cicd__free(m->prefixes);
	cicd__free(m->pend);
	cicd__free(m);
}

static int emit(cicd_mask *m, cicd_buf *out, const char *data, size_t len)
{
	if (!len)
		return 0;
	m->crc = cicd_crc32(m->crc, data, len);
	m->bytes += len;
	return cicd__buf_put(out, data, len);
}

/* Length of the longest phrase at b[0..avail), or 0. */
static size_t match_phrase(const cicd_mask *m, const char *b, size_t avail)
{
	unsigned char f = (unsigned char)b[0];
	size_t k;
	for (k = m->bucket[f]; k < m->bucket[f + 1]; k++) {
		const pattern *p = &m->phrases[k];
		if (p->len <= avail && !memcmp(p->text, b, p->len))
			return p->len;
	}
	return 0;
}

static size_t match_prefix(const cicd_mask *m, const char *b, size_t avail)
{
	size_t k;
	for (k = 0; k < m->prefix_count; k++) {
		const pattern *p = &m->prefixes[k];
		/* the first two bytes matched the pair table; most candidates differ at the third */
		if (p->len <= avail && (p->len < 3 || p->text[2] == b[2]) && !memcmp(p->text, b, p->len))
			return p->len;
	}
	return 0;
}

/* Length of "?name=" at b, or 0. */
static size_t match_param(const char *b, size_t avail)
{
	size_t k;
	for (k = 0; k < sizeof SECRET_PARAMS / sizeof SECRET_PARAMS[0]; k++) {
		size_t len = SECRET_PARAM_LENS[k];
		if (len + 2 <= avail && b[len + 1] == '=' && tolower((unsigned char)b[2]) == SECRET_PARAMS[k][1] &&
		    !strncasecmp(b + 1, SECRET_PARAMS[k], len))
			return len + 2;
	}
	return 0;
}

/* Decides what it can of the pending bytes (all of them when `final`) and emits it. */
static int process(cicd_mask *m, cicd_buf *out, int final)
{
	const char *b = m->pend;
	size_t n = m->pend_len, i = 0, last = 0, limit;
	int rc = 0;
	for (;;) {
		if (m->mode != MODE_NORMAL) {
			int tok = m->mode == MODE_TOKEN;
			while (i < n && (tok ? token_char((unsigned char)b[i]) : !param_end((unsigned char)b[i])))
				i++;
			if (tok && i > last)
				m->token_seen = 1;
			last = i;
			if (i == n && !final)
				break;
			if (!tok || m->token_seen)
				rc = emit(m, out, MASK_TEXT, MASK_LEN);
			if (rc)
				return rc;
			m->mode = MODE_NORMAL;
			m->token_seen = 0;
		}
		limit = final ? n : (n >= m->window ? n - m->window + 1 : 0);
		{
			const unsigned char *u = (const unsigned char *)b;
			const unsigned char *pair = m->pair;
			/* four positions a step while a following byte exists for each pair */
			while (i + 4 < limit && i + 4 < n &&
			       !(pair[u[i] << 8 | u[i + 1]] | pair[u[i + 1] << 8 | u[i + 2]] |
			         pair[u[i + 2] << 8 | u[i + 3]] | pair[u[i + 3] << 8 | u[i + 4]]))
				i += 4;
			while (i < limit && !(i + 1 < n ? pair[u[i] << 8 | u[i + 1]] : m->start[u[i]]))
				i++;
		}
		if (i >= limit)
			break;
		{
			unsigned char s = i + 1 < n ? m->pair[(unsigned char)b[i] << 8 | (unsigned char)b[i + 1]]
			                            : m->start[(unsigned char)b[i]];
			size_t len;
			if ((s & START_PHRASE) && (len = match_phrase(m, b + i, n - i)) > 0) {
				if ((rc = emit(m, out, b + last, i - last)) || (rc = emit(m, out, MASK_TEXT, MASK_LEN)))
					return rc;
				i += len;
				last = i;
				continue;
			}
			if ((s & START_PREFIX) && (len = match_prefix(m, b + i, n - i)) > 0) {
				if ((rc = emit(m, out, b + last, i + len - last)))
					return rc;
				i += len;
				last = i;
				m->mode = MODE_TOKEN;
				m->token_seen = 0;
				continue;
			}
			if ((s & START_PARAM) && (len = match_param(b + i, n - i)) > 0) {
				if ((rc = emit(m, out, b + last, i + len - last)))
					return rc;
				i += len;
				last = i;
				m->mode = MODE_PARAM;
				continue;
			}
			i++;
		}
	}
	if (m->mode == MODE_NORMAL && i > last && (rc = emit(m, out, b + last, i - last)))
		return rc;
	if (m->mode == MODE_NORMAL)
		last = i;
	if (m->pend) /* NULL when nothing was ever written */
		memmove(m->pend, m->pend + last, n - last);
	m->pend_len = n - last;
	return 0;
}

CICD_EXTERN(int) cicd_mask_write(cicd_mask *m, cicd_buf *out, const char *data, size_t len)
{
	if (!m || !out || (len && !data))
		return cicd__error_set(CICD_EINVALID, "cicd_mask_write: mask, out and data are required");
	if (!len)
		return 0;
	if (m->pend_len + len > m->pend_cap) {
		size_t cap = m->pend_cap ? m->pend_cap : 4096;
		char *p;
		while (cap < m->pend_len + len)
			cap *= 2;
		if (!(p = cicd__realloc(m->pend, cap)))
			return cicd__error_oom();
		m->pend = p;
		m->pend_cap = cap;
	}
	memcpy(m->pend + m->pend_len, data, len);
	m->pend_len += len;
	return process(m, out, 0);
}

CICD_EXTERN(int) cicd_mask_finish(cicd_mask *m, cicd_buf *out)
{
	if (!m || !out)
		return cicd__error_set(CICD_EINVALID, "cicd_mask_finish: mask and out are required");
	return process(m, out, 1);
}

CICD_EXTERN(uint32_t) cicd_mask_crc32(const cicd_mask *m)
{
	return m ? m->crc : 0;
}

CICD_EXTERN(uint64_t) cicd_mask_bytes(const cicd_mask *m)
{
	return m ? m->bytes : 0;
}

/*
 * The canonical form of an object, and the content hashes over it. The
 * form is specified in docs/manifest.md ("Canonical form"); it must not
 * change, since deploy versions are addressed by these hashes.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/buf.h"
#include "core/digest.h"
#include "core/error.h"
#include "core/scalar_value.h"
#include "manifest.h"

#define SET_HASH_HEADER "cicd-manifest-set/1\n"

static int put_string(cicd_buf *out, const char *s, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	size_t i, start = 0;
	if (cicd__buf_putc(out, '"'))
		return CICD_ENOMEM;
	for (i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)s[i];
		const char *esc = NULL;
		char u[7];
		if (ch >= 0x20 && ch != '"' && ch != '\\')
			continue;
		switch (ch) {
		case '"':
			esc = "\\\"";
			break;
		case '\\':
			esc = "\\\\";
			break;
		case '\b':
			esc = "\\b";
			break;
		case '\f':
			esc = "\\f";
			break;
		case '\n':
			esc = "\\n";
			break;
		case '\r':
			esc = "\\r";
			break;
		case '\t':
			esc = "\\t";
			break;
		default:
			u[0] = '\\';
			u[1] = 'u';
			u[2] = '0';
			u[3] = '0';
			u[4] = hex[ch >> 4];
			u[5] = hex[ch & 15];
			u[6] = '\0';
			esc = u;
		}
		if (cicd__buf_put(out, s + start, i - start) || cicd__buf_puts(out, esc))
			return CICD_ENOMEM;
		start = i + 1;
	}
	if (cicd__buf_put(out, s + start, len - start) || cicd__buf_putc(out, '"'))
		return CICD_ENOMEM;
	return 0;
}

/* The shortest "%.Ng" that reads back as the same double. */
static int put_double(cicd_buf *out, double d)
{
	char text[40];
	int prec;
	if (d == floor(d) && fabs(d) < 9007199254740992.0) /* 2^53: integral values print as integers */
		return cicd__buf_printf(out, "%.0f", d == 0 ? 0.0 : d);
	for (prec = 1; prec <= 17; prec++) {
		snprintf(text, sizeof text, "%.*g", prec, d);
		if (strtod(text, NULL) == d)
			break;
	}
	return cicd__buf_puts(out, text);
}

static int put_scalar(cicd_buf *out, const cicd_node *n)
{
	long long i;
	double d;
	switch (n->value_type) {
	case CICD_VALUE_NULL:
		return cicd__buf_puts(out, "null");
	case CICD_VALUE_BOOL:
		return cicd__buf_puts(out, cicd__scalar_bool(n) == 1 ? "true" : "false");
	case CICD_VALUE_INT:
		if (cicd__scalar_int(n, &i) == 0)
			return cicd__buf_printf(out, "%lld", i);
		break; /* out of range: kept as its text */
	case CICD_VALUE_FLOAT:
		if (cicd__scalar_double(n, &d) == 0 && isfinite(d))
			return put_double(out, d);
		break; /* .inf and .nan have no JSON form */
	default:
		break;
	}
	return put_string(out, n->u.scalar.text, n->len);
}

typedef struct {
	const char *text;
	size_t len;
	const cicd_node *value;
	char *owned; /* a non-scalar key's canonical text */
} sorted_pair;

static int cmp_sorted(const void *a, const void *b)
{
	const sorted_pair *x = a, *y = b;
	size_t n = x->len < y->len ? x->len : y->len;
	int c = memcmp(x->text, y->text, n);
	return c ? c : (x->len > y->len) - (x->len < y->len);
}

static int put_node(cicd_buf *out, const cicd_node *n, unsigned int depth);

static int put_map(cicd_buf *out, const cicd_node *n, unsigned int depth)
{
	sorted_pair *pairs;
	size_t i, count = n->count;
	int rc = 0;
	if (!count)
		return cicd__buf_puts(out, "{}");
	pairs = cicd__calloc(count, sizeof *pairs);
	if (!pairs)
		return cicd__error_oom();
	for (i = 0; i < count && !rc; i++) {
		const cicd_node *k = n->u.map.pairs[i].key;
		pairs[i].value = n->u.map.pairs[i].value;
		if (k->kind == CICD_NODE_SCALAR) {
			pairs[i].text = k->u.scalar.text;
			pairs[i].len = k->len;
		} else {
			cicd_buf kb = CICD_BUF_INIT;
			rc = put_node(&kb, k, depth + 1);
			pairs[i].owned = kb.ptr;
			pairs[i].text = kb.ptr ? kb.ptr : "";
			pairs[i].len = kb.size;
		}
	}
	if (!rc)
		qsort(pairs, count, sizeof *pairs, cmp_sorted);
	if (!rc)
		rc = cicd__buf_putc(out, '{');
	for (i = 0; i < count && !rc; i++) {
		if (i)
			rc = cicd__buf_putc(out, ',');
		if (!rc)
			rc = put_string(out, pairs[i].text, pairs[i].len);
		if (!rc)
			rc = cicd__buf_putc(out, ':');
		if (!rc)
			rc = put_node(out, pairs[i].value, depth + 1);
	}
	if (!rc)
		rc = cicd__buf_putc(out, '}');
	for (i = 0; i < count; i++)
		cicd__free(pairs[i].owned);
	cicd__free(pairs);
	return rc;
}

static int put_node(cicd_buf *out, const cicd_node *n, unsigned int depth)
{
	size_t i;
	int rc = 0;
	/* Loaded trees are bounded by the loader's depth limit; this guards hand-built ones. */
	if (depth > 1024)
		return cicd__error_set(CICD_ELIMIT, "object nested more than 1024 levels deep");
	switch (n->kind) {
	case CICD_NODE_SCALAR:
		return put_scalar(out, n);
	case CICD_NODE_SEQUENCE:
		rc = cicd__buf_putc(out, '[');
		for (i = 0; i < n->count && !rc; i++) {
			if (i)
				rc = cicd__buf_putc(out, ',');
			if (!rc)
				rc = put_node(out, n->u.seq.items[i], depth + 1);
		}
		return rc ? rc : cicd__buf_putc(out, ']');
	default:
		return put_map(out, n, depth);
	}
}

int cicd__manifest_canonical_node(cicd_buf *out, const cicd_node *node)
{
	return put_node(out, node, 0);
}

int cicd_manifest_canonical(cicd_buf *out, const cicd_manifest *obj)
{
	if (!out || !obj)
		return cicd__error_set(CICD_EINVALID, "cicd_manifest_canonical: out and obj are required");
	return put_node(out, obj->root, 0);
}

int cicd_manifest_hash(char *out, size_t out_size, const cicd_manifest *obj)
{
	cicd_buf b = CICD_BUF_INIT;
	int rc;
	if (!out || !obj || out_size < CICD_MANIFEST_HASH_SIZE)
		return cicd__error_set(CICD_EINVALID, "cicd_manifest_hash: out (%d bytes) and obj are required",
		                       CICD_MANIFEST_HASH_SIZE);
	rc = put_node(&b, obj->root, 0);
	if (!rc)
		rc = cicd__sha256_hex(out, b.ptr ? b.ptr : "", b.size);
	cicd_buf_dispose(&b);
	return rc;
}

static int cmp_hash(const void *a, const void *b)
{
	return memcmp(a, b, CICD_MANIFEST_HASH_SIZE);
}

int cicd_manifest_set_hash(char *out, size_t out_size, const cicd_manifest_set *set)
{
	cicd_buf b = CICD_BUF_INIT;
	char *hashes;
	size_t i;
	int rc = 0;
	if (!out || !set || out_size < CICD_MANIFEST_HASH_SIZE)
		return cicd__error_set(CICD_EINVALID, "cicd_manifest_set_hash: out (%d bytes) and set are required",
		                       CICD_MANIFEST_HASH_SIZE);
	hashes = cicd__calloc(set->count ? set->count : 1, CICD_MANIFEST_HASH_SIZE);
	if (!hashes)
		return cicd__error_oom();
	for (i = 0; i < set->count && !rc; i++)
		rc = cicd_manifest_hash(hashes + i * CICD_MANIFEST_HASH_SIZE, CICD_MANIFEST_HASH_SIZE, set->items[i]);
	if (!rc && set->count)
		qsort(hashes, set->count, CICD_MANIFEST_HASH_SIZE, cmp_hash);
	if (!rc)
		rc = cicd__buf_puts(&b, SET_HASH_HEADER);
	for (i = 0; i < set->count && !rc; i++)
		rc = cicd__buf_printf(&b, "%s\n", hashes + i * CICD_MANIFEST_HASH_SIZE);
	if (!rc)
		rc = cicd__sha256_hex(out, b.ptr, b.size);
	cicd__free(hashes);
	cicd_buf_dispose(&b);
	return rc;
}

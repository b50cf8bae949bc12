/* Writes a node as JSON, typing scalars as YAML 1.1 resolves them. */
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "document.h"
#include "error.h"
#include "json_writer.h"
#include "node_emit.h"
#include "scalar_value.h"

/* JSON's number grammar, to pass valid numbers through untouched. */
static int is_json_number(const char *t, size_t len)
{
	size_t i = 0;
	if (i < len && t[i] == '-')
		i++;
	if (i == len)
		return 0;
	if (t[i] == '0')
		i++;
	else if (t[i] >= '1' && t[i] <= '9')
		while (i < len && t[i] >= '0' && t[i] <= '9')
			i++;
	else
		return 0;
	if (i < len && t[i] == '.') {
		size_t d = ++i;
		while (i < len && t[i] >= '0' && t[i] <= '9')
			i++;
		if (i == d)
			return 0;
	}
	if (i < len && (t[i] == 'e' || t[i] == 'E')) {
		size_t d;
		i++;
		if (i < len && (t[i] == '+' || t[i] == '-'))
			i++;
		d = i;
		while (i < len && t[i] >= '0' && t[i] <= '9')
			i++;
		if (i == d)
			return 0;
	}
	return i == len;
}

int cicd__write_scalar_json(cicd_json_writer *w, const cicd_node *n)
{
	const char *t = n->u.scalar.text;
	size_t len = n->len;
	switch (n->value_type) {
	case CICD_VALUE_NULL:
		return cicd__json_null(w);
	case CICD_VALUE_BOOL:
		return cicd__json_bool(w, cicd__scalar_bool(n) == 1);
	case CICD_VALUE_INT: {
		long long v;
		if (is_json_number(t, len))
			return cicd__json_number_text(w, t, len);
		if (cicd__scalar_int(n, &v) == 0)
			return cicd__json_int(w, v);
		return cicd__json_string_n(w, t, len);
	}
	case CICD_VALUE_FLOAT: {
		double d;
		if (is_json_number(t, len))
			return cicd__json_number_text(w, t, len);
		if (cicd__scalar_double(n, &d) == 0 && d == d && d - d == 0)
			return cicd__json_double(w, d);
		return cicd__json_string_n(w, t, len); /* .inf and .nan have no JSON form */
	}
	default:
		return cicd__json_string_n(w, t, len);
	}
}

static int cmp_pairs(const void *a, const void *b)
{
	const cicd_node_pair *x = *(const cicd_node_pair *const *)a, *y = *(const cicd_node_pair *const *)b;
	size_t lx = x->key->kind == CICD_NODE_SCALAR ? x->key->len : 0;
	size_t ly = y->key->kind == CICD_NODE_SCALAR ? y->key->len : 0;
	const char *sx = lx ? x->key->u.scalar.text : "";
	const char *sy = ly ? y->key->u.scalar.text : "";
	int c = memcmp(sx, sy, lx < ly ? lx : ly);
	return c ? c : (lx > ly) - (lx < ly);
}

/* Non-scalar keys have no JSON form; they are written as their JSON text. */
static int write_key(cicd_json_writer *w, const cicd_node *key)
{
	cicd_buf tmp = CICD_BUF_INIT;
	int rc;
	if (key->kind == CICD_NODE_SCALAR)
		return cicd__json_string_n(w, key->u.scalar.text, key->len);
	rc = cicd_node_to_json(&tmp, key, 0);
	if (!rc)
		rc = cicd__json_string_n(w, tmp.ptr, tmp.size);
	cicd_buf_dispose(&tmp);
	return rc;
}

int cicd__write_node_json(cicd_json_writer *w, const cicd_node *n, unsigned int flags)
{
	size_t i;
	int rc = 0;
	switch (n->kind) {
	case CICD_NODE_SCALAR:
		return cicd__write_scalar_json(w, n);
	case CICD_NODE_SEQUENCE:
		if ((rc = cicd__json_begin_array(w)))
			return rc;
		for (i = 0; i < n->count && !rc; i++)
			rc = cicd__write_node_json(w, n->u.seq.items[i], flags);
		return rc ? rc : cicd__json_end_array(w);
	default:
		if ((rc = cicd__json_begin_object(w)))
			return rc;
		if ((flags & CICD_FORMAT_SORT_KEYS) && n->count > 1) {
			const cicd_node_pair **sorted = cicd__malloc(n->count * sizeof *sorted);
			if (!sorted)
				return cicd__error_oom();
			for (i = 0; i < n->count; i++)
				sorted[i] = &n->u.map.pairs[i];
			qsort(sorted, n->count, sizeof *sorted, cmp_pairs);
			for (i = 0; i < n->count && !rc; i++) {
				rc = write_key(w, sorted[i]->key);
				if (!rc)
					rc = cicd__write_node_json(w, sorted[i]->value, flags);
			}
			cicd__free(sorted);
		} else {
			for (i = 0; i < n->count && !rc; i++) {
				rc = write_key(w, n->u.map.pairs[i].key);
				if (!rc)
					rc = cicd__write_node_json(w, n->u.map.pairs[i].value, flags);
			}
		}
		return rc ? rc : cicd__json_end_object(w);
	}
}

int cicd_node_to_json(cicd_buf *out, const cicd_node *node, unsigned int flags)
{
	cicd_json_writer *w;
	int rc;
	if (!out || !node)
		return cicd__error_set(CICD_EINVALID, "cicd_node_to_json: out and node are required");
	w = cicd__json_new(out, (flags & CICD_FORMAT_PRETTY) != 0);
	if (!w)
		return CICD_ENOMEM;
	rc = cicd__write_node_json(w, node, flags);
	if (rc) {
		cicd__json_abandon(w);
		return rc;
	}
	return cicd__json_finish(w);
}

/* Building and merging node trees in the pipeline's arena (copy on write). */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/buf.h"
#include "internal.h"

static cicd_node *node_new(pl_ctx *c, cicd_node_kind kind, const cicd_node *pos)
{
	cicd_node *n = cicd__arena_alloc_small(&c->p->arena, sizeof *n);
	if (!n) {
		pl_oom(c);
		return NULL;
	}
	memset(n, 0, sizeof *n);
	n->kind = (uint8_t)kind;
	if (pos) {
		n->line = pos->line;
		n->column = pos->column;
		/* pos's file without pos's tag */
		n->meta = pos->meta->tag ? cicd__node_meta_new(&c->p->arena, pos->meta->file, NULL) : pos->meta;
		if (!n->meta) {
			pl_oom(c);
			return NULL;
		}
	} else {
		n->meta = &c->p->name_meta;
	}
	return n;
}

cicd_node *pl_map_new(pl_ctx *c, size_t count, const cicd_node *pos)
{
	cicd_node *n = node_new(c, CICD_NODE_MAPPING, pos);
	if (!n)
		return NULL;
	if (count) {
		/* callers fill what they use and set count: no need to zero */
		n->u.map.pairs = count > (size_t)-1 / sizeof *n->u.map.pairs
		                     ? NULL
		                     : cicd__arena_alloc_small(&c->p->arena, count * sizeof *n->u.map.pairs);
		if (!n->u.map.pairs) {
			pl_oom(c);
			return NULL;
		}
	}
	return n;
}

cicd_node *pl_seq_new(pl_ctx *c, size_t count, const cicd_node *pos)
{
	cicd_node *n = node_new(c, CICD_NODE_SEQUENCE, pos);
	if (!n)
		return NULL;
	if (count) {
		n->u.seq.items = count > (size_t)-1 / sizeof *n->u.seq.items
		                     ? NULL
		                     : cicd__arena_alloc_small(&c->p->arena, count * sizeof *n->u.seq.items);
		if (!n->u.seq.items) {
			pl_oom(c);
			return NULL;
		}
	}
	return n;
}

cicd_node *pl_scalar_new(pl_ctx *c, const char *text, size_t len, const cicd_node *pos, cicd_value_type type)
{
	cicd_node *n = node_new(c, CICD_NODE_SCALAR, pos);
	if (!n)
		return NULL;
	n->u.scalar.text = cicd__arena_strndup(&c->p->arena, text, len);
	if (!n->u.scalar.text) {
		pl_oom(c);
		return NULL;
	}
	n->len = len;
	n->value_type = (uint8_t)type;
	n->style = type == CICD_VALUE_STRING ? CICD_SCALAR_DOUBLE_QUOTED : CICD_SCALAR_PLAIN;
	return n;
}

int pl_map_finish(pl_ctx *c, cicd_node *map)
{
	if (cicd__node_index_map(&c->p->arena, map)) {
		pl_oom(c);
		return -1;
	}
	return 0;
}

int pl_is_map(const cicd_node *n)
{
	return n && n->kind == CICD_NODE_MAPPING;
}

int pl_is_seq(const cicd_node *n)
{
	return n && n->kind == CICD_NODE_SEQUENCE;
}

int pl_is_scalar(const cicd_node *n)
{
	return n && n->kind == CICD_NODE_SCALAR;
}

int pl_is_string(const cicd_node *n)
{
	return n && n->kind == CICD_NODE_SCALAR && n->value_type == CICD_VALUE_STRING;
}

int pl_is_null(const cicd_node *n)
{
	return !n || (n->kind == CICD_NODE_SCALAR && n->value_type == CICD_VALUE_NULL);
}

const char *pl_text(const cicd_node *n)
{
	return n && n->kind == CICD_NODE_SCALAR ? n->u.scalar.text : NULL;
}

int pl_key_eq(const cicd_node *key, const char *s)
{
	return key && key->kind == CICD_NODE_SCALAR && strcmp(key->u.scalar.text, s) == 0;
}

static const cicd_node *map_lookup(const cicd_node *map, const cicd_node *key)
{
	if (key->kind != CICD_NODE_SCALAR)
		return NULL;
	return cicd__node_get(map, key->u.scalar.text, key->len);
}

const cicd_node *pl_deep_merge(pl_ctx *c, const cicd_node *base, const cicd_node *over)
{
	cicd_node *m;
	size_t i, n = 0, extra = 0;
	if (!base)
		return over;
	if (!over)
		return base;
	if (!pl_is_map(base) || !pl_is_map(over) || base->meta->tag || over->meta->tag)
		return over;
	for (i = 0; i < over->count; i++)
		if (!map_lookup(base, over->u.map.pairs[i].key))
			extra++;
	m = pl_map_new(c, base->count + extra, over);
	if (!m)
		return NULL;
	for (i = 0; i < base->count; i++) {
		const cicd_node_pair *bp = &base->u.map.pairs[i];
		const cicd_node *ov = map_lookup(over, bp->key);
		const cicd_node *v = ov ? pl_deep_merge(c, bp->value, ov) : bp->value;
		if (!v)
			return NULL;
		m->u.map.pairs[n].key = bp->key;
		m->u.map.pairs[n].value = (cicd_node *)(uintptr_t)v;
		n++;
	}
	for (i = 0; i < over->count; i++) {
		const cicd_node_pair *op = &over->u.map.pairs[i];
		if (map_lookup(base, op->key))
			continue;
		m->u.map.pairs[n++] = *op;
	}
	m->count = n;
	if (pl_map_finish(c, m))
		return NULL;
	return m;
}

const cicd_node *pl_merge_all(pl_ctx *c, const cicd_node *const *trees, size_t n)
{
	cicd_hashmap slots = CICD_HASHMAP_INIT;
	cicd_node *m;
	size_t i, j, total = 0, count = 0;
	const cicd_node *last = NULL;
	for (i = 0; i < n; i++)
		if (pl_is_map(trees[i]) && !trees[i]->meta->tag) {
			total += trees[i]->count;
			last = trees[i];
		}
	if (!last)
		return n ? trees[n - 1] : NULL;
	m = pl_map_new(c, total, last);
	if (!m)
		return NULL;
	for (i = 0; i < n; i++) {
		const cicd_node *t = trees[i];
		if (!pl_is_map(t) || t->meta->tag)
			continue;
		for (j = 0; j < t->count; j++) {
			const cicd_node_pair *p = &t->u.map.pairs[j];
			void *slot = NULL;
			if (p->key->kind != CICD_NODE_SCALAR) {
				m->u.map.pairs[count++] = *p;
				continue;
			}
			if (cicd__hashmap_find(&slots, p->key->u.scalar.text, p->key->len, &slot)) {
				cicd_node_pair *q = &m->u.map.pairs[(size_t)(uintptr_t)slot];
				const cicd_node *v = pl_deep_merge(c, q->value, p->value);
				if (!v)
					goto fail;
				q->value = (cicd_node *)(uintptr_t)v;
				continue;
			}
			if (cicd__hashmap_put(&slots, p->key->u.scalar.text, p->key->len,
			                      (void *)(uintptr_t)count, NULL)) {
				pl_oom(c);
				goto fail;
			}
			m->u.map.pairs[count++] = *p;
		}
	}
	m->count = count;
	cicd__hashmap_dispose(&slots);
	if (pl_map_finish(c, m))
		return NULL;
	return m;
fail:
	cicd__hashmap_dispose(&slots);
	return NULL;
}

const cicd_node *pl_map_without(pl_ctx *c, const cicd_node *map, const char *key)
{
	cicd_node *m;
	size_t i, n = 0;
	if (!pl_is_map(map) || !pl_get(map, key))
		return map;
	m = pl_map_new(c, map->count, map);
	if (!m)
		return NULL;
	m->meta = map->meta;
	for (i = 0; i < map->count; i++)
		if (!pl_key_eq(map->u.map.pairs[i].key, key))
			m->u.map.pairs[n++] = map->u.map.pairs[i];
	m->count = n;
	if (pl_map_finish(c, m))
		return NULL;
	return m;
}

char *pl_strdup(pl_ctx *c, const char *s)
{
	char *d = cicd__arena_strdup(&c->p->arena, s ? s : "");
	if (!d)
		pl_oom(c);
	return d;
}

char *pl_path(pl_ctx *c, const char *where, const char *leaf)
{
	size_t a, b;
	char *out;
	if (!where || !leaf)
		return pl_sprintf(c, "%s:%s", where, leaf);
	a = strlen(where);
	b = strlen(leaf);
	out = cicd__arena_alloc_small(&c->p->arena, a + 1 + b + 1);
	if (!out) {
		pl_oom(c);
		return NULL;
	}
	memcpy(out, where, a);
	out[a] = ':';
	memcpy(out + a + 1, leaf, b + 1);
	return out;
}

char *pl_sprintf(pl_ctx *c, const char *fmt, ...)
{
	char small[512];
	va_list ap;
	int n;
	char *out;
	va_start(ap, fmt);
	n = vsnprintf(small, sizeof small, fmt, ap);
	va_end(ap);
	if (n < 0)
		return pl_strdup(c, "");
	if ((size_t)n < sizeof small)
		return pl_strdup(c, small);
	out = cicd__arena_alloc(&c->p->arena, (size_t)n + 1);
	if (!out) {
		pl_oom(c);
		return NULL;
	}
	va_start(ap, fmt);
	vsnprintf(out, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return out;
}

char *pl_inspect_seq(pl_ctx *c, const cicd_node *seq)
{
	cicd_buf b = CICD_BUF_INIT;
	char *out;
	size_t i;
	if (cicd__buf_putc(&b, '['))
		goto oom;
	for (i = 0; pl_is_seq(seq) && i < seq->count; i++) {
		const char *t = pl_text(seq->u.seq.items[i]);
		if (cicd__buf_printf(&b, "%s\"%s\"", i ? ", " : "", t ? t : "?"))
			goto oom;
	}
	if (cicd__buf_putc(&b, ']'))
		goto oom;
	out = pl_strdup(c, b.ptr);
	cicd_buf_dispose(&b);
	return out;
oom:
	cicd_buf_dispose(&b);
	pl_oom(c);
	return NULL;
}

int pl_flatten(pl_ctx *c, const cicd_node *n, cicd_vec *out, int depth)
{
	size_t i;
	if (!pl_is_seq(n)) {
		if (cicd__vec_push(out, (void *)(uintptr_t)n)) {
			pl_oom(c);
			return -1;
		}
		return 0;
	}
	if (depth <= 0)
		return 0;
	for (i = 0; i < n->count; i++)
		if (pl_flatten(c, n->u.seq.items[i], out, depth - 1))
			return -1;
	return 0;
}

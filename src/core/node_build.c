/* Building and copy-on-write editing of node trees; see node_build.h. */
#include "node_build.h"

#include <stdio.h>
#include <string.h>

#include "error.h"

#define MIN_CAPACITY 4

static cicd_node *new_node(cicd_node_builder *b, cicd_node_kind kind)
{
	cicd_node *n = cicd__arena_alloc_small(b->arena, sizeof *n);
	if (!n) {
		cicd__error_oom();
		return NULL;
	}
	memset(n, 0, sizeof *n);
	n->kind = (uint8_t)kind;
	n->reserved = b->mark;
	n->meta = &cicd__node_meta_built;
	return n;
}

/*
 * Owned containers keep room for capacity_for(count) entries, so the
 * capacity needs no field of its own: it is full exactly when count is a
 * power of two of at least MIN_CAPACITY.
 */
static size_t capacity_for(size_t count)
{
	size_t cap = MIN_CAPACITY;
	while (cap < count)
		cap *= 2;
	return cap;
}

static int is_full(size_t count)
{
	return count >= MIN_CAPACITY && (count & (count - 1)) == 0;
}

cicd_node *cicd__node_new_scalar(cicd_node_builder *b, const char *text, size_t len, cicd_value_type type)
{
	cicd_node *n = new_node(b, CICD_NODE_SCALAR);
	if (!n)
		return NULL;
	n->u.scalar.text = cicd__arena_strndup(b->arena, text ? text : "", text ? len : 0);
	if (!n->u.scalar.text) {
		cicd__error_oom();
		return NULL;
	}
	n->len = text ? (uint32_t)len : 0;
	n->value_type = (uint8_t)type;
	n->style = CICD_SCALAR_PLAIN;
	if (type == CICD_VALUE_STRING && cicd__scalar_resolve(n->u.scalar.text, n->len) != CICD_VALUE_STRING)
		n->style = CICD_SCALAR_DOUBLE_QUOTED;
	return n;
}

cicd_node *cicd__node_new_string(cicd_node_builder *b, const char *s)
{
	return cicd__node_new_scalar(b, s, s ? strlen(s) : 0, CICD_VALUE_STRING);
}

cicd_node *cicd__node_new_int(cicd_node_builder *b, long long v)
{
	char text[32];
	int n = snprintf(text, sizeof text, "%lld", v);
	return cicd__node_new_scalar(b, text, (size_t)n, CICD_VALUE_INT);
}

cicd_node *cicd__node_new_bool(cicd_node_builder *b, int v)
{
	return cicd__node_new_scalar(b, v ? "true" : "false", v ? 4 : 5, CICD_VALUE_BOOL);
}

cicd_node *cicd__node_new_null(cicd_node_builder *b)
{
	return cicd__node_new_scalar(b, "null", 4, CICD_VALUE_NULL);
}

cicd_node *cicd__node_new_map(cicd_node_builder *b)
{
	cicd_node *n = new_node(b, CICD_NODE_MAPPING);
	if (!n)
		return NULL;
	n->u.map.pairs = cicd__arena_alloc_small(b->arena, MIN_CAPACITY * sizeof *n->u.map.pairs);
	if (!n->u.map.pairs) {
		cicd__error_oom();
		return NULL;
	}
	return n;
}

cicd_node *cicd__node_new_seq(cicd_node_builder *b)
{
	cicd_node *n = new_node(b, CICD_NODE_SEQUENCE);
	if (!n)
		return NULL;
	n->u.seq.items = cicd__arena_alloc_small(b->arena, MIN_CAPACITY * sizeof *n->u.seq.items);
	if (!n->u.seq.items) {
		cicd__error_oom();
		return NULL;
	}
	return n;
}

int cicd__node_is_owned(const cicd_node_builder *b, const cicd_node *n)
{
	return b->mark && n && n->reserved == b->mark;
}

cicd_node *cicd__node_own(cicd_node_builder *b, const cicd_node *src)
{
	cicd_node *n;
	union {
		const cicd_node *c;
		cicd_node *m;
	} u;
	if (cicd__node_is_owned(b, src)) {
		u.c = src;
		return u.m;
	}
	n = cicd__arena_alloc_small(b->arena, sizeof *n);
	if (!n) {
		cicd__error_oom();
		return NULL;
	}
	*n = *src;
	n->reserved = b->mark;
	if (src->kind == CICD_NODE_MAPPING) {
		size_t cap = capacity_for(src->count);
		n->u.map.pairs = cicd__arena_alloc_small(b->arena, cap * sizeof *n->u.map.pairs);
		if (!n->u.map.pairs) {
			cicd__error_oom();
			return NULL;
		}
		if (src->count)
			memcpy(n->u.map.pairs, src->u.map.pairs, src->count * sizeof *n->u.map.pairs);
		cicd__node_set_index_slots(n, 0); /* the copy is edited; lookups go linear */
	} else if (src->kind == CICD_NODE_SEQUENCE) {
		size_t cap = capacity_for(src->count);
		n->u.seq.items = cicd__arena_alloc_small(b->arena, cap * sizeof *n->u.seq.items);
		if (!n->u.seq.items) {
			cicd__error_oom();
			return NULL;
		}
		if (src->count)
			memcpy(n->u.seq.items, src->u.seq.items, src->count * sizeof *n->u.seq.items);
	}
	return n;
}

static int grow_pairs(cicd_node_builder *b, cicd_node *map)
{
	size_t count = map->count;
	cicd_node_pair *pairs;
	/* An indexed map's pairs were sized exactly (see cicd__node_index_map): they move too. */
	if (!is_full(count) && !cicd__node_index_slots(map))
		return 0;
	pairs = cicd__arena_alloc_small(b->arena, capacity_for(count + 1) * sizeof *pairs);
	if (!pairs)
		return cicd__error_oom();
	memcpy(pairs, map->u.map.pairs, count * sizeof *pairs);
	map->u.map.pairs = pairs;
	cicd__node_set_index_slots(map, 0); /* the index stayed with the old pairs */
	return 0;
}

static int find_key(const cicd_node *map, const char *key, size_t key_len)
{
	size_t i;
	for (i = 0; i < map->count; i++) {
		const cicd_node *k = map->u.map.pairs[i].key;
		if (k->kind == CICD_NODE_SCALAR && k->len == key_len &&
		    memcmp(k->u.scalar.text, key, key_len) == 0)
			return (int)i;
	}
	return -1;
}

int cicd__node_map_set(cicd_node_builder *b, cicd_node *map, const char *key, size_t key_len, cicd_node *value)
{
	int at = find_key(map, key, key_len);
	cicd_node *k;
	if (at >= 0) {
		map->u.map.pairs[at].value = value;
		return 0;
	}
	if (grow_pairs(b, map))
		return CICD_ENOMEM;
	k = cicd__node_new_scalar(b, key, key_len, CICD_VALUE_STRING);
	if (!k)
		return CICD_ENOMEM;
	map->u.map.pairs[map->count].key = k;
	map->u.map.pairs[map->count].value = value;
	map->count++;
	return 0;
}

int cicd__node_map_set_string(cicd_node_builder *b, cicd_node *map, const char *key, const char *value)
{
	cicd_node *v = cicd__node_new_string(b, value);
	if (!v)
		return CICD_ENOMEM;
	return cicd__node_map_set(b, map, key, strlen(key), v);
}

int cicd__node_map_remove(cicd_node *map, const char *key, size_t key_len)
{
	int at = find_key(map, key, key_len);
	if (at < 0)
		return 0;
	memmove(&map->u.map.pairs[at], &map->u.map.pairs[at + 1],
	        (map->count - (size_t)at - 1) * sizeof *map->u.map.pairs);
	map->count--;
	if (cicd__node_index_slots(map))
		cicd__node_index_map(NULL, map); /* in place: the pairs moved under the index */
	return 1;
}

int cicd__node_seq_push(cicd_node_builder *b, cicd_node *seq, cicd_node *item)
{
	size_t count = seq->count;
	if (is_full(count)) {
		cicd_node **items = cicd__arena_alloc_small(b->arena, capacity_for(count + 1) * sizeof *items);
		if (!items)
			return cicd__error_oom();
		memcpy(items, seq->u.seq.items, count * sizeof *items);
		seq->u.seq.items = items;
	}
	seq->u.seq.items[seq->count++] = item;
	return 0;
}

cicd_node *cicd__node_edit_child(cicd_node_builder *b, cicd_node *map, const char *key, cicd_node_kind kind)
{
	size_t len = strlen(key);
	int at = find_key(map, key, len);
	cicd_node *child;
	if (at >= 0 && map->u.map.pairs[at].value->kind == kind) {
		child = cicd__node_own(b, map->u.map.pairs[at].value);
		if (child)
			map->u.map.pairs[at].value = child;
		return child;
	}
	child = kind == CICD_NODE_MAPPING ? cicd__node_new_map(b) : cicd__node_new_seq(b);
	if (!child || cicd__node_map_set(b, map, key, len, child))
		return NULL;
	return child;
}

cicd_node *cicd__node_edit_item(cicd_node_builder *b, cicd_node *seq, size_t i)
{
	cicd_node *item;
	if (seq->kind != CICD_NODE_SEQUENCE || i >= seq->count)
		return NULL;
	item = cicd__node_own(b, seq->u.seq.items[i]);
	if (item)
		seq->u.seq.items[i] = item;
	return item;
}

#include "document_builder.h"

#include <stdio.h>
#include <string.h>

#include "alloc.h"
#include "error.h"

#define SMALL_MAP CICD__SMALL_MAP

/*
 * Mapping keys repeat (apiVersion, name, image, ...), and so do very short
 * values: those share one copy of their text per load. The table starts
 * small (most files are) and stops growing at KEY_SLOTS_MAX, so a stream of
 * distinct keys (job names) costs at most 64 KiB and then plain copies.
 */
#define KEY_TEXT_MAX 32
#define VALUE_TEXT_MAX 8 /* short values repeat too (http, TCP, v1, 80); longer ones mostly do not */
#define KEY_SLOTS_MIN 64
#define KEY_SLOTS_MAX 4096

struct cicd_builder_key {
	const char *text;
	uint32_t len;
	uint32_t hash;
};

static int oom(void)
{
	return cicd__error_oom();
}

int cicd__builder_init(cicd_doc_builder *b, cicd_document *doc, const cicd_document_options *opts, int merge_keys)
{
	memset(b, 0, sizeof *b);
	b->doc = doc;
	b->opts = *opts;
	b->merge_keys = merge_keys && !(opts->flags & CICD_DOCUMENT_NO_MERGE_KEYS);
	return 0;
}

void cicd__builder_dispose(cicd_doc_builder *b)
{
	cicd__free(b->stack);
	cicd__free(b->scratch);
	cicd__free(b->scratch_weight);
	cicd__free(b->merge_pairs);
	cicd__free(b->keys);
	cicd__hashmap_dispose(&b->anchors);
	memset(b, 0, sizeof *b);
}

static int error_at(cicd_doc_builder *b, int code, unsigned int line, unsigned int column, const char *msg)
{
	return cicd__error_set_at(code, b->doc->name, line, column, "%s", msg);
}

int cicd__builder_begin_document(cicd_doc_builder *b, unsigned int line)
{
	if (b->doc->count >= b->opts.max_documents)
		return cicd__error_set_at(CICD_ELIMIT, b->doc->name, line, 1,
					  "more than %zu documents in the stream", b->opts.max_documents);
	/* Anchors are scoped to their document. */
	cicd__hashmap_dispose(&b->anchors);
	b->root = NULL;
	b->doc_line = line;
	b->in_document = 1;
	return 0;
}

int cicd__builder_end_document(cicd_doc_builder *b)
{
	cicd_document *doc = b->doc;
	if (doc->count == b->docs_cap) {
		size_t cap = b->docs_cap ? b->docs_cap * 2 : 4;
		cicd_document_entry *docs = cicd__realloc(doc->docs, cap * sizeof *docs);
		if (!docs)
			return oom();
		doc->docs = docs;
		b->docs_cap = cap;
	}
	/* An empty document ("---" with nothing after it) reads as a bare empty scalar: record it as no root. */
	if (b->root && b->root->kind == CICD_NODE_SCALAR && b->root->len == 0 &&
	    b->root->style == CICD_SCALAR_PLAIN && !b->root->meta->tag)
		b->root = NULL;
	doc->docs[doc->count].root = b->root;
	doc->docs[doc->count].line = b->doc_line;
	doc->count++;
	b->in_document = 0;
	b->root = NULL;
	return 0;
}

static int push_scratch(cicd_doc_builder *b, cicd_node *n, uint32_t weight)
{
	if (b->scratch_count == b->scratch_cap) {
		size_t cap = b->scratch_cap ? b->scratch_cap * 2 : 256;
		cicd_node **s = cicd__realloc(b->scratch, cap * sizeof *s);
		uint32_t *w;
		if (!s)
			return oom();
		b->scratch = s;
		if (!(w = cicd__realloc(b->scratch_weight, cap * sizeof *w)))
			return oom();
		b->scratch_weight = w;
		b->scratch_cap = cap;
	}
	b->scratch_weight[b->scratch_count] = weight;
	b->scratch[b->scratch_count++] = n;
	return 0;
}

/* weight: the child's nodes counting every alias expansion, for the alias limit. */
static int add_child(cicd_doc_builder *b, cicd_node *n, uint32_t weight)
{
	if (b->depth == 0) {
		b->root = n;
		return 0;
	}
	return push_scratch(b, n, weight);
}

static size_t add_weight(size_t a, size_t b)
{
	return a > (size_t)-1 - b ? (size_t)-1 : a + b;
}

/* Weights are kept in 32 bits: the alias limit is far below that, and saturation keeps it safe. */
static uint32_t clamp_weight(size_t w)
{
	return w > UINT32_MAX ? UINT32_MAX : (uint32_t)w;
}

static cicd_node *new_node(cicd_doc_builder *b, cicd_node_kind kind, const char *tag, unsigned int line,
			   unsigned int column)
{
	cicd_node *n;
	if (b->nodes >= b->opts.max_nodes) {
		cicd__error_set_at(CICD_ELIMIT, b->doc->name, line, column, "more than %zu nodes in the input",
				   b->opts.max_nodes);
		return NULL;
	}
	n = cicd__arena_alloc_small(&b->doc->arena, sizeof *n);
	if (!n) {
		oom();
		return NULL;
	}
	memset(n, 0, sizeof *n);
	n->kind = (uint8_t)kind;
	n->line = line;
	n->column = column;
	n->meta = &b->doc->meta;
	if (tag) {
		/* Tagged nodes come in runs of the same tag (!reference): they share one meta. */
		if (!b->tag_meta || strcmp(b->tag_meta->tag, tag) != 0) {
			const char *copy = cicd__arena_strdup(&b->doc->arena, tag);
			b->tag_meta = copy ? cicd__node_meta_new(&b->doc->arena, b->doc->name, copy) : NULL;
			if (!b->tag_meta) {
				oom();
				return NULL;
			}
		}
		n->meta = b->tag_meta;
	}
	b->nodes++;
	return n;
}

/* An anchored node and its weight: nodes keep no weight, and aliases need it. */
typedef struct anchored {
	cicd_node *node;
	uint32_t weight;
} anchored;

static int register_anchor(cicd_doc_builder *b, const char *anchor, cicd_node *n, uint32_t weight)
{
	char *name;
	anchored *a;
	if (!anchor)
		return 0;
	name = cicd__arena_strdup(&b->doc->arena, anchor);
	a = cicd__arena_alloc_small(&b->doc->arena, sizeof *a);
	if (!name || !a)
		return oom();
	a->node = n;
	a->weight = weight;
	/* A redefined anchor replaces the old one for later aliases, as YAML says. */
	return cicd__hashmap_put(&b->anchors, name, strlen(name), a, NULL);
}

static cicd_value_type tagged_type(const char *tag, const char *text, size_t len, cicd_scalar_style style)
{
	static const char prefix[] = "tag:yaml.org,2002:";
	if (tag && strncmp(tag, prefix, sizeof prefix - 1) == 0) {
		const char *t = tag + sizeof prefix - 1;
		if (!strcmp(t, "str") || !strcmp(t, "binary") || !strcmp(t, "timestamp"))
			return CICD_VALUE_STRING;
		if (!strcmp(t, "null"))
			return CICD_VALUE_NULL;
		if (!strcmp(t, "bool"))
			return CICD_VALUE_BOOL;
		if (!strcmp(t, "int"))
			return CICD_VALUE_INT;
		if (!strcmp(t, "float"))
			return CICD_VALUE_FLOAT;
	}
	if (tag && strcmp(tag, "?") != 0)
		return CICD_VALUE_STRING;
	if (style != CICD_SCALAR_PLAIN)
		return CICD_VALUE_STRING;
	return cicd__scalar_resolve(text, len);
}

/* True when the next child of the open collection is a mapping key. */
static int next_is_key(const cicd_doc_builder *b)
{
	const cicd_builder_frame *f;
	if (!b->depth)
		return 0;
	f = &b->stack[b->depth - 1];
	return f->node->kind == CICD_NODE_MAPPING && (b->scratch_count - f->scratch_start) % 2 == 0;
}

static int grow_keys(cicd_doc_builder *b)
{
	size_t slots = b->key_slots ? b->key_slots * 2 : KEY_SLOTS_MIN, i, at;
	cicd_builder_key *keys = cicd__calloc(slots, sizeof *keys);
	if (!keys)
		return -1;
	for (i = 0; i < b->key_slots; i++) {
		if (!b->keys[i].text)
			continue;
		for (at = b->keys[i].hash & (slots - 1); keys[at].text; at = (at + 1) & (slots - 1))
			;
		keys[at] = b->keys[i];
	}
	cicd__free(b->keys);
	b->keys = keys;
	b->key_slots = slots;
	return 0;
}

/* Text up to max bytes: the shared copy when one is known, else a new one (remembered while the table has room). */
static const char *shared_text(cicd_doc_builder *b, const char *text, size_t len, size_t max)
{
	uint32_t hash;
	size_t slot;
	char *copy;
	if (len > max)
		return cicd__arena_strndup_packed(&b->doc->text, text, len);
	if (b->key_count >= b->key_slots / 4 * 3 && b->key_slots < KEY_SLOTS_MAX && grow_keys(b))
		return NULL;
	hash = (uint32_t)cicd__key_hash(text, len);
	/* Never fuller than 3/4, so a probe always ends at an empty slot. */
	for (slot = hash & (b->key_slots - 1); b->keys[slot].text; slot = (slot + 1) & (b->key_slots - 1))
		if (b->keys[slot].hash == hash && b->keys[slot].len == len && memcmp(b->keys[slot].text, text, len) == 0)
			return b->keys[slot].text;
	copy = cicd__arena_strndup_packed(&b->doc->text, text, len);
	if (copy && b->key_count < b->key_slots / 4 * 3) {
		b->keys[slot].text = copy;
		b->keys[slot].len = (uint32_t)len;
		b->keys[slot].hash = hash;
		b->key_count++;
	}
	return copy;
}

int cicd__builder_scalar(cicd_doc_builder *b, const char *text, size_t len, const char *tag, cicd_scalar_style style,
			 unsigned int line, unsigned int column, const char *anchor)
{
	cicd_node *n;
	if (len > CICD__NODE_MAX_COUNT)
		return cicd__error_set_at(CICD_ELIMIT, b->doc->name, line, column, "a scalar longer than %u bytes",
					  (unsigned)CICD__NODE_MAX_COUNT);
	n = new_node(b, CICD_NODE_SCALAR, tag, line, column);
	if (!n)
		return cicd_error_last()->code;
	n->style = (uint8_t)style;
	n->u.scalar.text = shared_text(b, text, len, next_is_key(b) ? KEY_TEXT_MAX : VALUE_TEXT_MAX);
	if (!n->u.scalar.text)
		return oom();
	n->len = (uint32_t)len;
	n->value_type = (uint8_t)tagged_type(tag, text, len, style);
	if (register_anchor(b, anchor, n, 1))
		return CICD_ENOMEM;
	return add_child(b, n, 1);
}

int cicd__builder_begin(cicd_doc_builder *b, cicd_node_kind kind, const char *tag, unsigned int line,
			unsigned int column, const char *anchor)
{
	cicd_node *n;
	cicd_builder_frame *f;
	if (b->depth >= b->opts.max_depth)
		return cicd__error_set_at(CICD_ELIMIT, b->doc->name, line, column,
					  "nesting deeper than %u levels", b->opts.max_depth);
	n = new_node(b, kind, tag, line, column);
	if (!n)
		return cicd_error_last()->code;
	if (b->depth == b->stack_cap) {
		size_t cap = b->stack_cap ? b->stack_cap * 2 : 32;
		cicd_builder_frame *s = cicd__realloc(b->stack, cap * sizeof *s);
		if (!s)
			return oom();
		b->stack = s;
		b->stack_cap = cap;
	}
	f = &b->stack[b->depth++];
	f->node = n;
	f->scratch_start = b->scratch_count;
	f->anchor = NULL;
	if (anchor) {
		f->anchor = cicd__arena_strdup(&b->doc->arena, anchor);
		if (!f->anchor)
			return oom();
	}
	return 0;
}

static int is_merge_key(const cicd_doc_builder *b, const cicd_node *key)
{
	if (!b->merge_keys || key->kind != CICD_NODE_SCALAR || key->style != CICD_SCALAR_PLAIN)
		return 0;
	if (key->meta->tag && strcmp(key->meta->tag, "tag:yaml.org,2002:merge") != 0)
		return 0;
	return key->len == 2 && memcmp(key->u.scalar.text, "<<", 2) == 0;
}

/* Keys compare by their text when scalars, by identity otherwise. */
static int same_key(const cicd_node *a, const cicd_node *b)
{
	if (a == b)
		return 1;
	if (a->kind != CICD_NODE_SCALAR || b->kind != CICD_NODE_SCALAR)
		return 0;
	return a->len == b->len && memcmp(a->u.scalar.text, b->u.scalar.text, a->len) == 0;
}

typedef struct {
	cicd_node_pair *pairs;
	size_t count;
	size_t cap;
	cicd_hashmap index; /* used once the map grows past SMALL_MAP */
} pair_list;

static long find_pair(pair_list *l, const cicd_node *key)
{
	size_t i;
	if (l->index.count && key->kind == CICD_NODE_SCALAR) {
		void *v;
		if (cicd__hashmap_find(&l->index, key->u.scalar.text, key->len, &v))
			return (long)(size_t)v - 1;
		return -1;
	}
	for (i = 0; i < l->count; i++)
		if (same_key(l->pairs[i].key, key))
			return (long)i;
	return -1;
}

static int append_pair(pair_list *l, cicd_node *key, cicd_node *value)
{
	size_t i;
	if (l->count == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 8;
		cicd_node_pair *p = cicd__realloc(l->pairs, cap * sizeof *p);
		if (!p)
			return oom();
		l->pairs = p;
		l->cap = cap;
	}
	l->pairs[l->count].key = key;
	l->pairs[l->count].value = value;
	l->count++;
	if (l->count == SMALL_MAP + 1) {
		for (i = 0; i < l->count; i++) {
			cicd_node *k = l->pairs[i].key;
			if (k->kind == CICD_NODE_SCALAR &&
			    cicd__hashmap_put(&l->index, k->u.scalar.text, k->len, (void *)(i + 1), NULL))
				return CICD_ENOMEM;
		}
	} else if (l->count > SMALL_MAP + 1 && key->kind == CICD_NODE_SCALAR) {
		if (cicd__hashmap_put(&l->index, key->u.scalar.text, key->len, (void *)l->count, NULL))
			return CICD_ENOMEM;
	}
	return 0;
}

static void key_label(const cicd_node *key, char *out, size_t cap)
{
	if (key->kind != CICD_NODE_SCALAR) {
		snprintf(out, cap, "%s", key->kind == CICD_NODE_MAPPING ? "<mapping>" : "<sequence>");
		return;
	}
	if (key->len + 1 > cap)
		snprintf(out, cap, "%.*s...", (int)(cap - 4), key->u.scalar.text);
	else
		snprintf(out, cap, "%s", key->u.scalar.text);
}

static int duplicate_key(cicd_doc_builder *b, const cicd_node *first, const cicd_node *again)
{
	char label[128];
	key_label(again, label, sizeof label);
	if (b->opts.flags & CICD_DOCUMENT_STRICT_KEYS)
		return cicd__error_set_at(CICD_EPARSE, b->doc->name, again->line, again->column,
					  "duplicate key '%s' (first defined at line %u column %u)", label,
					  (unsigned)first->line, (unsigned)first->column);
	return cicd__diagnostics_add(&b->doc->warnings, CICD_SEVERITY_WARNING, CICD_EPARSE, b->doc->name, again->line,
				     again->column,
				     "duplicate key '%s' (first defined at line %u column %u); the last value wins",
				     label, (unsigned)first->line, (unsigned)first->column);
}

/* Explicit keys anywhere in the mapping win over merged ones. */
static int is_explicit(cicd_node **kv, size_t pairs, const cicd_doc_builder *b, const cicd_node *key)
{
	size_t i;
	for (i = 0; i < pairs; i++)
		if (!is_merge_key(b, kv[2 * i]) && same_key(kv[2 * i], key))
			return 1;
	return 0;
}

static int merge_source(cicd_doc_builder *b, pair_list *out, cicd_hashmap *explicit_keys, cicd_node **kv,
			size_t pairs, const cicd_node *src)
{
	size_t i;
	for (i = 0; i < src->count; i++) {
		cicd_node *key = src->u.map.pairs[i].key;
		int expl;
		if (explicit_keys->count && key->kind == CICD_NODE_SCALAR)
			expl = cicd__hashmap_find(explicit_keys, key->u.scalar.text, key->len, NULL);
		else
			expl = !explicit_keys->count && is_explicit(kv, pairs, b, key);
		if (expl || find_pair(out, key) >= 0)
			continue; /* earlier sources and explicit keys win */
		if (append_pair(out, key, src->u.map.pairs[i].value))
			return CICD_ENOMEM;
	}
	return 0;
}

/*
 * The common case, a mapping without merge keys: pairs go straight into the
 * arena, and maps past SMALL_MAP get their lookup index built while the
 * duplicates are checked, with no temporary allocation.
 */
static int finish_plain_mapping(cicd_doc_builder *b, cicd_node *n, cicd_node **kv, size_t pairs)
{
	cicd_node_pair *out;
	uint32_t *index = NULL;
	size_t count = 0, cap = 0, i;
	int rc;
	if (!pairs)
		return 0;
	cap = cicd__node_index_cap(pairs);
	out = cicd__node_pairs_alloc(&b->doc->arena, pairs, (uint32_t)cap);
	if (!out)
		return oom();
	if (cap)
		index = (uint32_t *)(void *)out - cap;
	for (i = 0; i < pairs; i++) {
		cicd_node *key = kv[2 * i], *value = kv[2 * i + 1];
		long at = -1;
		if (index && key->kind == CICD_NODE_SCALAR) {
			size_t slot = (size_t)cicd__key_hash(key->u.scalar.text, key->len) & (cap - 1);
			while (index[slot]) {
				if (same_key(out[index[slot] - 1].key, key)) {
					at = (long)index[slot] - 1;
					break;
				}
				slot = (slot + 1) & (cap - 1);
			}
			if (at < 0)
				index[slot] = (uint32_t)(count + 1);
		} else if (!index) {
			size_t j;
			for (j = 0; j < count; j++)
				if (same_key(out[j].key, key)) {
					at = (long)j;
					break;
				}
		}
		if (at >= 0) {
			if ((rc = duplicate_key(b, out[at].key, key)))
				return rc;
			out[at].value = value; /* the last value wins, at the first key's place */
			continue;
		}
		out[count].key = key;
		out[count].value = value;
		count++;
	}
	n->u.map.pairs = out;
	n->count = (uint32_t)count;
	cicd__node_set_index_slots(n, (uint32_t)cap);
	return 0;
}

static int finish_mapping(cicd_doc_builder *b, cicd_node *n, cicd_node **kv, size_t count)
{
	pair_list out = {NULL, 0, 0, CICD_HASHMAP_INIT};
	cicd_hashmap explicit_keys = CICD_HASHMAP_INIT;
	size_t pairs = count / 2, i;
	int has_merge = 0, rc = 0;

	for (i = 0; i < pairs && !has_merge; i++)
		has_merge = is_merge_key(b, kv[2 * i]);
	if (!has_merge)
		return finish_plain_mapping(b, n, kv, pairs);
	/* The merged pairs are gathered in a buffer the builder keeps from one mapping to the next. */
	out.pairs = b->merge_pairs;
	out.cap = b->merge_cap;
	if (pairs > SMALL_MAP) {
		for (i = 0; i < pairs; i++) {
			cicd_node *k = kv[2 * i];
			if (!is_merge_key(b, k) && k->kind == CICD_NODE_SCALAR &&
			    (rc = cicd__hashmap_put(&explicit_keys, k->u.scalar.text, k->len, k, NULL)))
				goto done;
		}
	}
	for (i = 0; i < pairs; i++) {
		cicd_node *key = kv[2 * i], *value = kv[2 * i + 1];
		long at;
		if (has_merge && is_merge_key(b, key)) {
			size_t j;
			if (value->kind == CICD_NODE_MAPPING) {
				if ((rc = merge_source(b, &out, &explicit_keys, kv, pairs, value)))
					goto done;
			} else if (value->kind == CICD_NODE_SEQUENCE) {
				for (j = 0; j < value->count; j++)
					if (value->u.seq.items[j]->kind != CICD_NODE_MAPPING) {
						rc = error_at(b, CICD_EPARSE, value->u.seq.items[j]->line,
							      value->u.seq.items[j]->column,
							      "merge key '<<' expects a mapping or a list of mappings");
						goto done;
					}
				for (j = 0; j < value->count; j++)
					if ((rc = merge_source(b, &out, &explicit_keys, kv, pairs, value->u.seq.items[j])))
						goto done;
			} else {
				rc = error_at(b, CICD_EPARSE, value->line, value->column,
					      "merge key '<<' expects a mapping or a list of mappings");
				goto done;
			}
			continue;
		}
		at = find_pair(&out, key);
		if (at >= 0) {
			if ((rc = duplicate_key(b, out.pairs[at].key, key)))
				goto done;
			out.pairs[at].value = value; /* the last value wins, at the first key's place */
			continue;
		}
		if ((rc = append_pair(&out, key, value)))
			goto done;
	}
	n->count = (uint32_t)out.count;
	if (out.count) {
		/* With room for the index in front, so cicd__node_index_map() builds it in place. */
		uint32_t slots = cicd__node_index_cap(out.count);
		cicd__node_set_index_slots(n, slots);
		n->u.map.pairs = cicd__node_pairs_alloc(&b->doc->arena, out.count, slots);
		if (!n->u.map.pairs) {
			rc = oom();
			goto done;
		}
		memcpy(n->u.map.pairs, out.pairs, out.count * sizeof *out.pairs);
	}
	rc = cicd__node_index_map(&b->doc->arena, n);
done:
	b->merge_pairs = out.pairs;
	b->merge_cap = out.cap;
	cicd__hashmap_dispose(&out.index);
	cicd__hashmap_dispose(&explicit_keys);
	return rc;
}

int cicd__builder_end(cicd_doc_builder *b)
{
	cicd_builder_frame f;
	cicd_node *n;
	size_t count, i, weight = 1;
	int rc;
	if (b->depth == 0)
		return cicd__error_set(CICD_ERROR, "unbalanced collection end");
	f = b->stack[--b->depth];
	n = f.node;
	count = b->scratch_count - f.scratch_start;
	if (count > (n->kind == CICD_NODE_SEQUENCE ? 1 : 2) * (size_t)CICD__NODE_MAX_COUNT)
		return cicd__error_set_at(CICD_ELIMIT, b->doc->name, n->line, n->column, "a collection of more than %u entries",
					  (unsigned)CICD__NODE_MAX_COUNT);
	/* Every child counts, duplicate keys and merge keys too: it is the work the input asks for. */
	for (i = 0; i < count; i++)
		weight = add_weight(weight, b->scratch_weight[f.scratch_start + i]);
	if (n->kind == CICD_NODE_SEQUENCE) {
		n->count = (uint32_t)count;
		if (count) {
			n->u.seq.items = cicd__arena_alloc_small(&b->doc->arena, count * sizeof *n->u.seq.items);
			if (!n->u.seq.items)
				return oom();
			memcpy(n->u.seq.items, b->scratch + f.scratch_start, count * sizeof *n->u.seq.items);
		}
	} else {
		if ((rc = finish_mapping(b, n, count ? b->scratch + f.scratch_start : NULL, count)))
			return rc;
	}
	b->scratch_count = f.scratch_start;
	if (register_anchor(b, f.anchor, n, clamp_weight(weight)))
		return CICD_ENOMEM;
	return add_child(b, n, clamp_weight(weight));
}

int cicd__builder_alias(cicd_doc_builder *b, const char *anchor, unsigned int line, unsigned int column)
{
	const anchored *target = cicd__hashmap_get(&b->anchors, anchor, strlen(anchor));
	if (!target)
		return cicd__error_set_at(CICD_EPARSE, b->doc->name, line, column,
					  "alias '*%s' refers to an unknown anchor (or to the collection that contains it)",
					  anchor);
	b->alias_expansion = add_weight(b->alias_expansion, target->weight);
	if (b->alias_expansion > b->opts.max_alias_expansion)
		return cicd__error_set_at(CICD_ELIMIT, b->doc->name, line, column,
					  "aliases expand to more than %zu nodes (alias '*%s')",
					  b->opts.max_alias_expansion, anchor);
	return add_child(b, target->node, target->weight);
}

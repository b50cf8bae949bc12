/* The public accessors of the document model, options, and file loading. */
#include "document.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "alloc.h"
#include "error.h"
#include "file.h"

#define DEFAULT_MAX_BYTES ((size_t)64 * 1024 * 1024)
#define DEFAULT_MAX_DEPTH 256u
#define DEFAULT_MAX_NODES ((size_t)10 * 1000 * 1000)
#define DEFAULT_MAX_ALIAS_EXPANSION ((size_t)1000 * 1000)
#define DEFAULT_MAX_DOCUMENTS ((size_t)100 * 1000)

int cicd_document_options_init(cicd_document_options *opts, unsigned int version)
{
	cicd_document_options def = CICD_DOCUMENT_OPTIONS_INIT;
	if (!opts || version == 0 || version > CICD_DOCUMENT_OPTIONS_VERSION)
		return cicd__error_set(CICD_EINVALID, "unsupported cicd_document_options version %u", version);
	*opts = def;
	return 0;
}

int cicd__document_options_resolve(cicd_document_options *out, const cicd_document_options *in)
{
	cicd_document_options def = CICD_DOCUMENT_OPTIONS_INIT;
	if (in && (in->version == 0 || in->version > CICD_DOCUMENT_OPTIONS_VERSION))
		return cicd__error_set(CICD_EINVALID, "unsupported cicd_document_options version %u", in->version);
	*out = in ? *in : def;
	if (!out->max_bytes)
		out->max_bytes = DEFAULT_MAX_BYTES;
	if (!out->max_depth)
		out->max_depth = DEFAULT_MAX_DEPTH;
	if (!out->max_nodes)
		out->max_nodes = DEFAULT_MAX_NODES;
	if (!out->max_alias_expansion)
		out->max_alias_expansion = DEFAULT_MAX_ALIAS_EXPANSION;
	if (!out->max_documents)
		out->max_documents = DEFAULT_MAX_DOCUMENTS;
	return 0;
}

cicd_document *cicd__document_new(const char *name)
{
	cicd_document *doc = cicd__calloc(1, sizeof *doc);
	if (!doc) {
		cicd__error_oom();
		return NULL;
	}
	cicd__arena_init(&doc->arena, 64 * 1024);
	cicd__arena_init(&doc->text, 64 * 1024);
	cicd__diagnostics_init(&doc->warnings);
	doc->name = cicd__arena_strdup(&doc->arena, name ? name : "<buffer>");
	if (!doc->name) {
		cicd_document_free(doc);
		cicd__error_oom();
		return NULL;
	}
	doc->meta.file = doc->name;
	doc->meta.tag = NULL;
	return doc;
}

void cicd_document_free(cicd_document *doc)
{
	if (!doc)
		return;
	cicd__arena_release(&doc->arena);
	cicd__arena_release(&doc->text);
	cicd__diagnostics_dispose(&doc->warnings);
	cicd__free(doc->docs);
	cicd__free(doc);
}

int cicd_document_load_file(cicd_document **out, const char *path, const cicd_document_options *opts)
{
	cicd_document_options o;
	char *data = NULL;
	size_t len = 0;
	int rc;
	if (!out || !path)
		return cicd__error_set(CICD_EINVALID, "cicd_document_load_file: out and path are required");
	*out = NULL;
	if ((rc = cicd__document_options_resolve(&o, opts)))
		return rc;
	if ((rc = cicd__file_read(path, o.max_bytes, &data, &len)))
		return rc;
	rc = cicd_document_load_buffer(out, data, len, path, &o);
	cicd__free(data);
	return rc;
}

size_t cicd_document_count(const cicd_document *doc)
{
	return doc ? doc->count : 0;
}

const cicd_node *cicd_document_root(const cicd_document *doc, size_t i)
{
	return doc && i < doc->count ? doc->docs[i].root : NULL;
}

unsigned int cicd_document_line(const cicd_document *doc, size_t i)
{
	return doc && i < doc->count ? doc->docs[i].line : 0;
}

const char *cicd_document_name(const cicd_document *doc)
{
	return doc ? doc->name : "";
}

const cicd_diagnostics *cicd_document_diagnostics(const cicd_document *doc)
{
	static const cicd_diagnostics empty = {NULL, 0, 0, 0, 0};
	return doc ? &doc->warnings : &empty;
}

cicd_node_kind cicd_node_kind_of(const cicd_node *node)
{
	return node ? (cicd_node_kind)node->kind : (cicd_node_kind)0;
}

const char *cicd_node_tag(const cicd_node *node)
{
	return node && node->meta->tag ? node->meta->tag : "";
}

const char *cicd_node_file(const cicd_node *node)
{
	return node ? node->meta->file : "";
}

unsigned int cicd_node_line(const cicd_node *node)
{
	return node ? node->line : 0;
}

unsigned int cicd_node_column(const cicd_node *node)
{
	return node ? node->column : 0;
}

const char *cicd_node_scalar(const cicd_node *node, size_t *len)
{
	if (!node || node->kind != CICD_NODE_SCALAR) {
		if (len)
			*len = 0;
		return NULL;
	}
	if (len)
		*len = node->len;
	return node->u.scalar.text;
}

cicd_scalar_style cicd_node_scalar_style(const cicd_node *node)
{
	return node && node->kind == CICD_NODE_SCALAR ? (cicd_scalar_style)node->style : (cicd_scalar_style)0;
}

cicd_value_type cicd_node_value_type(const cicd_node *node)
{
	return node && node->kind == CICD_NODE_SCALAR ? (cicd_value_type)node->value_type : (cicd_value_type)0;
}

size_t cicd_node_size(const cicd_node *node)
{
	if (!node)
		return 0;
	if (node->kind == CICD_NODE_SEQUENCE)
		return node->count;
	if (node->kind == CICD_NODE_MAPPING)
		return node->count;
	return 0;
}

const cicd_node *cicd_node_item(const cicd_node *node, size_t i)
{
	if (!node || node->kind != CICD_NODE_SEQUENCE || i >= node->count)
		return NULL;
	return node->u.seq.items[i];
}

const cicd_node *cicd_node_key(const cicd_node *node, size_t i)
{
	if (!node || node->kind != CICD_NODE_MAPPING || i >= node->count)
		return NULL;
	return node->u.map.pairs[i].key;
}

const cicd_node *cicd_node_value(const cicd_node *node, size_t i)
{
	if (!node || node->kind != CICD_NODE_MAPPING || i >= node->count)
		return NULL;
	return node->u.map.pairs[i].value;
}

const cicd_node_meta cicd__node_meta_built = {"", NULL};

const cicd_node_meta *cicd__node_meta_new(cicd_arena *arena, const char *file, const char *tag)
{
	cicd_node_meta *m = cicd__arena_alloc_small(arena, sizeof *m);
	if (!m)
		return NULL;
	m->file = file;
	m->tag = tag;
	return m;
}

uint32_t cicd__node_index_cap(size_t count)
{
	size_t cap = 16;
	/* Past a billion pairs lookups go linear rather than the slots overflowing 32 bits. */
	if (count <= CICD__SMALL_MAP || count > ((size_t)1 << 30))
		return 0;
	while (cap < count * 2)
		cap *= 2;
	return (uint32_t)cap;
}

cicd_node_pair *cicd__node_pairs_alloc(cicd_arena *arena, size_t count, uint32_t index_cap)
{
	char *block;
	size_t index_bytes = (size_t)index_cap * sizeof(uint32_t), total;
	if (count > ((size_t)-1 - index_bytes) / sizeof(cicd_node_pair))
		return NULL;
	total = index_bytes + count * sizeof(cicd_node_pair);
	block = cicd__arena_alloc_small(arena, total ? total : 1);
	if (!block)
		return NULL;
	/* index_cap is a power of two of at least 16: the pairs after it stay aligned. */
	memset(block, 0, index_bytes);
	return (cicd_node_pair *)(void *)(block + index_bytes);
}

int cicd__node_index_map(cicd_arena *arena, cicd_node *map)
{
	uint32_t cap = cicd__node_index_slots(map), *index;
	cicd_node_pair *pairs = map->u.map.pairs;
	size_t i;
	if (cap) {
		/* The pairs have the room in front (made for at least this many pairs): rebuild in place. */
		memset((uint32_t *)(void *)pairs - cap, 0, cap * sizeof *index);
	} else {
		if (!(cap = cicd__node_index_cap(map->count)))
			return 0;
		pairs = cicd__node_pairs_alloc(arena, map->count, cap);
		if (!pairs)
			return cicd__error_oom();
		memcpy(pairs, map->u.map.pairs, map->count * sizeof *pairs);
		map->u.map.pairs = pairs;
		cicd__node_set_index_slots(map, cap);
	}
	index = (uint32_t *)(void *)pairs - cap;
	for (i = 0; i < map->count; i++) {
		const cicd_node *k = pairs[i].key;
		size_t slot;
		if (k->kind != CICD_NODE_SCALAR)
			continue;
		slot = (size_t)cicd__key_hash(k->u.scalar.text, k->len) & (cap - 1);
		while (index[slot])
			slot = (slot + 1) & (cap - 1);
		index[slot] = (uint32_t)(i + 1);
	}
	return 0;
}

const cicd_node *cicd__node_get(const cicd_node *map, const char *key, size_t len)
{
	size_t i;
	if (!map || map->kind != CICD_NODE_MAPPING)
		return NULL;
	if (map->style) {
		const uint32_t *index = cicd__node_map_index(map);
		size_t cap = cicd__node_index_slots(map);
		size_t slot = (size_t)cicd__key_hash(key, len) & (cap - 1);
		while (index[slot]) {
			const cicd_node_pair *p = &map->u.map.pairs[index[slot] - 1];
			if (p->key->len == len && memcmp(p->key->u.scalar.text, key, len) == 0)
				return p->value;
			slot = (slot + 1) & (cap - 1);
		}
		return NULL;
	}
	for (i = 0; i < map->count; i++) {
		const cicd_node *k = map->u.map.pairs[i].key;
		if (k->kind == CICD_NODE_SCALAR && k->len == len && memcmp(k->u.scalar.text, key, len) == 0)
			return map->u.map.pairs[i].value;
	}
	return NULL;
}

const cicd_node *cicd_node_get(const cicd_node *node, const char *key)
{
	return key ? cicd__node_get(node, key, strlen(key)) : NULL;
}

int cicd__node_is(const cicd_node *node, const char *s)
{
	size_t n = strlen(s);
	return node && node->kind == CICD_NODE_SCALAR && node->len == n && memcmp(node->u.scalar.text, s, n) == 0;
}

/* The tree's memory is mostly nodes: keep them at 32 bytes (see document.h). */
_Static_assert(sizeof(cicd_node) <= 32, "cicd_node grew past 32 bytes");

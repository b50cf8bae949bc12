/*
 * Internal: the document tree behind include/cicd/document.h. Modules in
 * src/ read nodes through these structs directly; the public accessors are
 * thin wrappers over them.
 */
#ifndef CICD_CORE_DOCUMENT_H
#define CICD_CORE_DOCUMENT_H

#include <stdint.h>

#include "arena.h"
#include "cicd/document.h"
#include "diagnostics.h"

typedef struct cicd_node_pair {
	cicd_node *key;
	cicd_node *value;
} cicd_node_pair;

/*
 * Where a node came from and its tag. Nodes point to one: every untagged
 * node of a document shares the document's, so the file costs a pointer,
 * not two, and the rare tag costs nothing on the nodes without one.
 */
typedef struct cicd_node_meta {
	const char *file; /* the document's name */
	const char *tag;  /* NULL when none */
} cicd_node_meta;

/* The meta of built nodes: file "", no tag. */
extern const cicd_node_meta cicd__node_meta_built;

/*
 * 32 bytes. Counts and lengths are 32-bit: the loader's limits keep them
 * far below that (a longer scalar or collection is refused, see
 * document_builder.c). Nodes keep no subtree size: only the loader needs
 * one (for the alias limit), and it keeps its own.
 */
struct cicd_node {
	uint8_t kind;       /* cicd_node_kind */
	uint8_t style;      /* scalars: cicd_scalar_style; mappings: log2 of the index slots, 0 for none (see below) */
	uint8_t value_type; /* cicd_value_type, scalars only */
	uint8_t reserved;
	uint32_t line;   /* 1-based */
	uint32_t column; /* 1-based */
	union {
		uint32_t len;   /* scalars: bytes of text */
		uint32_t count; /* sequences: items; mappings: pairs */
	};
	const cicd_node_meta *meta; /* never NULL */
	union {
		struct {
			const char *text; /* NUL-terminated; may be shared with other nodes */
		} scalar;
		struct {
			cicd_node **items;
		} seq;
		struct {
			/* A mapping's lookup index, when it has one, lives right before pairs in the same
			 * allocation: open-addressed slots holding pair index + 1. */
			cicd_node_pair *pairs;
		} map;
	} u;
};

static inline const char *cicd__node_file(const cicd_node *n)
{
	return n->meta->file;
}

static inline const char *cicd__node_tag(const cicd_node *n)
{
	return n->meta->tag;
}

/* A mapping key's text; "" for a key that is not a scalar (YAML allows `{}: x` and `[a]: x`). */
static inline const char *cicd__key_text(const cicd_node *key)
{
	return key->kind == CICD_NODE_SCALAR ? key->u.scalar.text : "";
}

/* Slots of a mapping's lookup index (a power of two), 0 when it has none. */
static inline uint32_t cicd__node_index_slots(const cicd_node *map)
{
	return map->style ? (uint32_t)1 << map->style : 0;
}

static inline void cicd__node_set_index_slots(cicd_node *map, uint32_t slots)
{
	uint8_t log2 = 0;
	while (slots > 1) {
		slots >>= 1;
		log2++;
	}
	map->style = log2;
}

/* The lookup index of a mapping, NULL when it has none. */
static inline const uint32_t *cicd__node_map_index(const cicd_node *map)
{
	return map->style ? (const uint32_t *)(const void *)map->u.map.pairs - cicd__node_index_slots(map) : NULL;
}

/* Largest count of a sequence or mapping and length of a scalar. */
#define CICD__NODE_MAX_COUNT UINT32_MAX

typedef struct cicd_document_entry {
	cicd_node *root; /* NULL for an empty document */
	unsigned int line;
} cicd_document_entry;

struct cicd_document {
	cicd_arena arena; /* nodes, pair and item arrays, names */
	cicd_arena text;  /* scalar text, packed: apart from the 8-byte aligned nodes, so no padding follows it */
	const char *name;
	cicd_node_meta meta; /* name and no tag: shared by the untagged nodes */
	cicd_document_entry *docs;
	size_t count;
	cicd_diagnostics warnings;
};

/* Hash of a mapping key's bytes, for the per-mapping lookup index (FNV-1a). */
static inline uint64_t cicd__key_hash(const char *key, size_t len)
{
	uint64_t h = 1469598103934665603ULL;
	size_t i;
	for (i = 0; i < len; i++) {
		h ^= (unsigned char)key[i];
		h *= 1099511628211ULL;
	}
	return h;
}

/* Resolves the YAML 1.1 type of a plain scalar's text. */
cicd_value_type cicd__scalar_resolve(const char *text, size_t len);

/* Mapping lookup by key bytes; NULL when absent or not a mapping. */
const cicd_node *cicd__node_get(const cicd_node *map, const char *key, size_t key_len);

/* True when the scalar node's text equals s. */
int cicd__node_is(const cicd_node *node, const char *s);

/* Maps with more pairs than this get a lookup index. */
#define CICD__SMALL_MAP 8

/* Index size for a mapping of count pairs (a power of two, at least twice count); 0 when it needs none. */
uint32_t cicd__node_index_cap(size_t count);

/*
 * Room for count pairs with room for index_cap index slots in front
 * (zeroed), as cicd__node_map_index() expects. NULL when out of memory (no
 * error set).
 */
cicd_node_pair *cicd__node_pairs_alloc(cicd_arena *arena, size_t count, uint32_t index_cap);

/*
 * Builds the lookup index of a mapping (for maps larger than a few keys).
 * When index_cap is set (the pairs came with room for an index made for at
 * least as many pairs) it is rebuilt in place and arena is not used; else
 * the pairs move to a new allocation with the room in front.
 */
int cicd__node_index_map(cicd_arena *arena, cicd_node *map);

/* A meta with this file and tag, in the arena; NULL when out of memory (no error set). */
const cicd_node_meta *cicd__node_meta_new(cicd_arena *arena, const char *file, const char *tag);

/* Resolved options with defaults filled in; CICD_EINVALID for a bad version. */
int cicd__document_options_resolve(cicd_document_options *out, const cicd_document_options *in);

/* An empty document for loaders to fill. */
cicd_document *cicd__document_new(const char *name);

#endif

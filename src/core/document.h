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

struct cicd_node {
	uint8_t kind;       /* cicd_node_kind */
	uint8_t style;      /* cicd_scalar_style, scalars only */
	uint8_t value_type; /* cicd_value_type, scalars only */
	uint8_t reserved;
	uint32_t weight; /* nodes in this subtree counting every alias expansion; saturates */
	uint32_t line;   /* 1-based */
	uint32_t column; /* 1-based */
	const char *tag;  /* NULL when none */
	const char *file; /* the document's name, shared */
	union {
		struct {
			const char *text;
			size_t len;
		} scalar;
		struct {
			cicd_node **items;
			size_t count;
		} seq;
		struct {
			cicd_node_pair *pairs;
			size_t count;
			uint32_t *index; /* open-addressed slots holding pair index + 1; NULL for small maps */
			uint32_t index_cap;
		} map;
	} u;
};

typedef struct cicd_document_entry {
	cicd_node *root; /* NULL for an empty document */
	unsigned int line;
} cicd_document_entry;

struct cicd_document {
	cicd_arena arena;
	const char *name;
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

/* Builds the lookup index of a mapping (for maps larger than a few keys). */
int cicd__node_index_map(cicd_arena *arena, cicd_node *map);

/* Resolved options with defaults filled in; CICD_EINVALID for a bad version. */
int cicd__document_options_resolve(cicd_document_options *out, const cicd_document_options *in);

/* An empty document for loaders to fill. */
cicd_document *cicd__document_new(const char *name);

#endif

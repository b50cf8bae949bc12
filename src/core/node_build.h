/*
 * Internal: building and editing cicd_node trees.
 *
 * Loaded documents are immutable. Modules that make objects (manifest
 * transforms, pod and deploy rendering) build new nodes in an arena with
 * these functions and render them with cicd_node_to_yaml / _json, which
 * keep insertion order and are therefore deterministic.
 *
 * Editing is copy-on-write: cicd__node_own() returns a node that may be
 * changed in place — the node itself when this builder made it, otherwise
 * a shallow copy (children stay shared with the original). Editing a field
 * deep in a loaded tree copies only the path down to it; the original is
 * never written to.
 *
 * A builder marks the nodes it makes (`reserved`; loaders leave 0). Use a
 * new mark for each edit whose result must not disturb trees made earlier:
 * then every earlier tree stays exactly as it was, and an edit that fails
 * half-way has changed nothing anyone can see. Mark 0 means "copy every
 * time": always safe, only larger. Built nodes have file "" and line 0.
 * Maps built here have no lookup index: lookups are linear, which is right
 * for the small maps objects are made of; call cicd__node_index_map() on a
 * large map once it is complete. Every function returns NULL /
 * CICD_ENOMEM with the last error set when the arena runs out of memory.
 */
#ifndef CICD_CORE_NODE_BUILD_H
#define CICD_CORE_NODE_BUILD_H

#include "document.h"

typedef struct cicd_node_builder {
	cicd_arena *arena; /* where new nodes live; borrowed */
	uint8_t mark;      /* 1..255: nodes with this mark are editable in place; 0: none are */
} cicd_node_builder;

static inline void cicd__node_builder_init(cicd_node_builder *b, cicd_arena *arena, uint8_t mark)
{
	b->arena = arena;
	b->mark = mark;
}

/* A scalar of the given type; text is copied. Strings that would read back as another type are quoted on output. */
cicd_node *cicd__node_new_scalar(cicd_node_builder *b, const char *text, size_t len, cicd_value_type type);
cicd_node *cicd__node_new_string(cicd_node_builder *b, const char *s);
cicd_node *cicd__node_new_int(cicd_node_builder *b, long long v);
cicd_node *cicd__node_new_bool(cicd_node_builder *b, int v);
cicd_node *cicd__node_new_null(cicd_node_builder *b);
/* Empty containers. */
cicd_node *cicd__node_new_map(cicd_node_builder *b);
cicd_node *cicd__node_new_seq(cicd_node_builder *b);

/* 1 when the node was made by this builder (with its mark) and may be edited in place. */
int cicd__node_is_owned(const cicd_node_builder *b, const cicd_node *n);

/* An editable version of n: n itself when owned, else a shallow copy. */
cicd_node *cicd__node_own(cicd_node_builder *b, const cicd_node *n);

/* Sets key to value in an owned map (replacing an existing scalar key, else appending). 0 or CICD_ENOMEM. */
int cicd__node_map_set(cicd_node_builder *b, cicd_node *map, const char *key, size_t key_len, cicd_node *value);
int cicd__node_map_set_string(cicd_node_builder *b, cicd_node *map, const char *key, const char *value);
/* Removes key from an owned map; 1 when it was there. */
int cicd__node_map_remove(cicd_node *map, const char *key, size_t key_len);

/* Appends to an owned sequence. 0 or CICD_ENOMEM. */
int cicd__node_seq_push(cicd_node_builder *b, cicd_node *seq, cicd_node *item);

/*
 * The value under key in an owned map, made editable and stored back.
 * When absent, or not of `kind`, a new empty container of `kind` takes its
 * place (so `labels: null` becomes an empty mapping). NULL on OOM.
 */
cicd_node *cicd__node_edit_child(cicd_node_builder *b, cicd_node *map, const char *key, cicd_node_kind kind);

/* Item i of an owned sequence, made editable and stored back; NULL when out of range or on OOM. */
cicd_node *cicd__node_edit_item(cicd_node_builder *b, cicd_node *seq, size_t i);

#endif

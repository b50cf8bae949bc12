/*
 * Internal: building and editing cicd_node trees.
 *
 * Loaded documents are immutable. Modules that make objects (manifest
 * transforms, pod and deploy rendering) build new nodes in an arena with
 * these functions and render them with cicd_node_to_yaml / _json, which
 * keep insertion order and are therefore deterministic.
 *
 * Editing is copy-on-write: cicd__node_own() returns a node that may be
 * changed in place — the node itself when it was built here, otherwise a
 * shallow copy (children stay shared with the original document). Editing a
 * field deep in a loaded tree copies only the path down to it; the original
 * document is never written to.
 *
 * Built nodes carry CICD__NODE_OWNED in `reserved` (loaders leave it 0),
 * file "" and line 0. Maps built here have no lookup index: lookups are
 * linear, which is right for the small maps objects are made of; call
 * cicd__node_index_map() on a large map once it is complete.
 * Every function returns NULL / CICD_ENOMEM with the last error set when the
 * arena runs out of memory.
 */
#ifndef CICD_CORE_NODE_BUILD_H
#define CICD_CORE_NODE_BUILD_H

#include "document.h"

#define CICD__NODE_OWNED 1

/* A scalar of the given type; text is copied. Strings that would read back as another type are quoted on output. */
cicd_node *cicd__node_new_scalar(cicd_arena *a, const char *text, size_t len, cicd_value_type type);
cicd_node *cicd__node_new_string(cicd_arena *a, const char *s);
cicd_node *cicd__node_new_int(cicd_arena *a, long long v);
cicd_node *cicd__node_new_bool(cicd_arena *a, int v);
cicd_node *cicd__node_new_null(cicd_arena *a);
/* Empty containers. */
cicd_node *cicd__node_new_map(cicd_arena *a);
cicd_node *cicd__node_new_seq(cicd_arena *a);

/* 1 when the node was built here and may be edited in place. */
int cicd__node_is_owned(const cicd_node *n);

/* An editable version of n: n itself when owned, else a shallow copy. */
cicd_node *cicd__node_own(cicd_arena *a, const cicd_node *n);

/* Sets key to value in an owned map (replacing an existing scalar key, else appending). 0 or CICD_ENOMEM. */
int cicd__node_map_set(cicd_arena *a, cicd_node *map, const char *key, size_t key_len, cicd_node *value);
int cicd__node_map_set_string(cicd_arena *a, cicd_node *map, const char *key, const char *value);
/* Removes key from an owned map; 1 when it was there. */
int cicd__node_map_remove(cicd_node *map, const char *key, size_t key_len);

/* Appends to an owned sequence. 0 or CICD_ENOMEM. */
int cicd__node_seq_push(cicd_arena *a, cicd_node *seq, cicd_node *item);

/*
 * The value under key in an owned map, made editable and stored back.
 * When absent, or not of `kind`, a new empty container of `kind` takes its
 * place (so `labels: null` becomes an empty mapping). NULL on OOM.
 */
cicd_node *cicd__node_edit_child(cicd_arena *a, cicd_node *map, const char *key, cicd_node_kind kind);

/* Item i of an owned sequence, made editable and stored back; NULL when out of range or on OOM. */
cicd_node *cicd__node_edit_item(cicd_arena *a, cicd_node *seq, size_t i);

#endif

/*
 * Internal: a hash map from byte-string keys to pointers, open addressing
 * with linear probing. Keys are borrowed: they must outlive the map.
 */
#ifndef CICD_CORE_HASHMAP_H
#define CICD_CORE_HASHMAP_H

#include <stddef.h>
#include <stdint.h>

typedef struct cicd_hashmap_entry {
	const char *key;
	size_t key_len;
	uint64_t hash;
	void *value;
} cicd_hashmap_entry;

typedef struct cicd_hashmap {
	cicd_hashmap_entry *slots; /* key NULL = empty */
	size_t capacity;           /* a power of two, or 0 */
	size_t count;
} cicd_hashmap;

#define CICD_HASHMAP_INIT {NULL, 0, 0}

uint64_t cicd__hash_bytes(const void *data, size_t len);

void cicd__hashmap_dispose(cicd_hashmap *map);
/* Inserts or replaces. If `previous` is given it gets the old value (NULL if new). 0 or CICD_ENOMEM. */
int cicd__hashmap_put(cicd_hashmap *map, const char *key, size_t key_len, void *value, void **previous);
/* The value, or NULL when absent. */
void *cicd__hashmap_get(const cicd_hashmap *map, const char *key, size_t key_len);
/* 1 when present (value in *value if given), 0 otherwise. */
int cicd__hashmap_find(const cicd_hashmap *map, const char *key, size_t key_len, void **value);
/* Removes a key; 1 if it was there. */
int cicd__hashmap_remove(cicd_hashmap *map, const char *key, size_t key_len);

/* Walks all entries in unspecified order: for (i = 0; cicd__hashmap_next(map, &i, &e);) */
int cicd__hashmap_next(const cicd_hashmap *map, size_t *iter, const cicd_hashmap_entry **entry);

#endif

#include "hashmap.h"

#include <string.h>

#include "alloc.h"
#include "error.h"

/* FNV-1a, 64-bit: simple and good enough for identifier-like keys. */
uint64_t cicd__hash_bytes(const void *data, size_t len)
{
	const unsigned char *p = data;
	uint64_t h = 1469598103934665603ULL;
	size_t i;
	for (i = 0; i < len; i++) {
		h ^= p[i];
		h *= 1099511628211ULL;
	}
	return h;
}

void cicd__hashmap_dispose(cicd_hashmap *map)
{
	cicd__free(map->slots);
	map->slots = NULL;
	map->capacity = 0;
	map->count = 0;
}

static size_t find_slot(const cicd_hashmap_entry *slots, size_t capacity, const char *key, size_t len, uint64_t hash)
{
	size_t mask = capacity - 1;
	size_t i = (size_t)hash & mask;
	for (;;) {
		const cicd_hashmap_entry *e = &slots[i];
		if (!e->key)
			return i;
		if (e->hash == hash && e->key_len == len && memcmp(e->key, key, len) == 0)
			return i;
		i = (i + 1) & mask;
	}
}

static int rehash(cicd_hashmap *map, size_t capacity)
{
	cicd_hashmap_entry *slots = cicd__calloc(capacity, sizeof *slots);
	size_t i;
	if (!slots)
		return cicd__error_oom();
	for (i = 0; i < map->capacity; i++) {
		cicd_hashmap_entry *e = &map->slots[i];
		if (e->key)
			slots[find_slot(slots, capacity, e->key, e->key_len, e->hash)] = *e;
	}
	cicd__free(map->slots);
	map->slots = slots;
	map->capacity = capacity;
	return 0;
}

int cicd__hashmap_put(cicd_hashmap *map, const char *key, size_t key_len, void *value, void **previous)
{
	uint64_t hash = cicd__hash_bytes(key, key_len);
	size_t i;
	if ((map->count + 1) * 4 > map->capacity * 3) {
		if (map->capacity > (size_t)-1 / 4 / sizeof(cicd_hashmap_entry))
			return cicd__error_oom();
		if (rehash(map, map->capacity ? map->capacity * 2 : 16))
			return CICD_ENOMEM;
	}
	i = find_slot(map->slots, map->capacity, key, key_len, hash);
	if (map->slots[i].key) {
		if (previous)
			*previous = map->slots[i].value;
		map->slots[i].value = value;
		return 0;
	}
	if (previous)
		*previous = NULL;
	map->slots[i].key = key;
	map->slots[i].key_len = key_len;
	map->slots[i].hash = hash;
	map->slots[i].value = value;
	map->count++;
	return 0;
}

int cicd__hashmap_find(const cicd_hashmap *map, const char *key, size_t key_len, void **value)
{
	size_t i;
	if (!map->capacity)
		return 0;
	i = find_slot(map->slots, map->capacity, key, key_len, cicd__hash_bytes(key, key_len));
	if (!map->slots[i].key)
		return 0;
	if (value)
		*value = map->slots[i].value;
	return 1;
}

void *cicd__hashmap_get(const cicd_hashmap *map, const char *key, size_t key_len)
{
	void *v = NULL;
	cicd__hashmap_find(map, key, key_len, &v);
	return v;
}

int cicd__hashmap_remove(cicd_hashmap *map, const char *key, size_t key_len)
{
	size_t mask, i, j;
	if (!map->capacity)
		return 0;
	mask = map->capacity - 1;
	i = find_slot(map->slots, map->capacity, key, key_len, cicd__hash_bytes(key, key_len));
	if (!map->slots[i].key)
		return 0;
	/* Backward-shift deletion keeps probe chains intact without tombstones. */
	j = i;
	for (;;) {
		size_t home;
		j = (j + 1) & mask;
		if (!map->slots[j].key)
			break;
		home = (size_t)map->slots[j].hash & mask;
		if ((j > i && (home <= i || home > j)) || (j < i && (home <= i && home > j))) {
			map->slots[i] = map->slots[j];
			i = j;
		}
	}
	map->slots[i].key = NULL;
	map->count--;
	return 1;
}

int cicd__hashmap_next(const cicd_hashmap *map, size_t *iter, const cicd_hashmap_entry **entry)
{
	while (*iter < map->capacity) {
		const cicd_hashmap_entry *e = &map->slots[(*iter)++];
		if (e->key) {
			*entry = e;
			return 1;
		}
	}
	return 0;
}

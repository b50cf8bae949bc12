/*
 * Internal: a bump allocator. Everything allocated from an arena is freed
 * at once with it; used for document trees and other build-once data.
 */
#ifndef CICD_CORE_ARENA_H
#define CICD_CORE_ARENA_H

#include <stddef.h>
#include <stdint.h>

typedef struct cicd_arena_block cicd_arena_block;

typedef struct cicd_arena {
	cicd_arena_block *head;
	char *cursor;
	char *end;
	size_t block_size; /* size of ordinary blocks; large requests get their own */
	size_t allocated;  /* total bytes of all blocks, for limits and reports */
} cicd_arena;

void cicd__arena_init(cicd_arena *arena, size_t block_size);
void cicd__arena_release(cicd_arena *arena);

/* Aligned to max_align_t; NULL when memory runs out (no error is set). */
void *cicd__arena_alloc(cicd_arena *arena, size_t size);
/*
 * Aligned to 8 bytes (pointers and 64-bit integers) only: for the many
 * small structs of a tree (nodes, pair arrays), which max_align_t padding
 * would make a fifth larger. Inline: a tree makes millions of these.
 */
void *cicd__arena_alloc_small_slow(cicd_arena *arena, size_t size);
static inline void *cicd__arena_alloc_small(cicd_arena *arena, size_t size)
{
	uintptr_t at = ((uintptr_t)arena->cursor + 7) & ~(uintptr_t)7;
	size_t rounded = (size + 7) & ~(size_t)7;
	if (arena->cursor && rounded >= size && rounded && at <= (uintptr_t)arena->end &&
	    (uintptr_t)arena->end - at >= rounded) {
		arena->cursor = (char *)at + rounded;
		return (void *)at;
	}
	return cicd__arena_alloc_small_slow(arena, size);
}
void *cicd__arena_calloc(cicd_arena *arena, size_t count, size_t size);
/* A NUL-terminated copy of len bytes. */
char *cicd__arena_strndup(cicd_arena *arena, const char *s, size_t len);
char *cicd__arena_strdup(cicd_arena *arena, const char *s);
/* The same without alignment padding: for text, which needs none. */
char *cicd__arena_strndup_packed(cicd_arena *arena, const char *s, size_t len);

#endif

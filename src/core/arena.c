#include "arena.h"

#include <stdalign.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "alloc.h"

struct cicd_arena_block {
	cicd_arena_block *next;
	size_t size;
	alignas(max_align_t) char data[];
};

#define ALIGN alignof(max_align_t)

void cicd__arena_init(cicd_arena *arena, size_t block_size)
{
	arena->head = NULL;
	arena->cursor = NULL;
	arena->end = NULL;
	arena->block_size = block_size ? block_size : 64 * 1024;
	arena->allocated = 0;
}

void cicd__arena_release(cicd_arena *arena)
{
	cicd_arena_block *b = arena->head;
	while (b) {
		cicd_arena_block *next = b->next;
		cicd__free(b);
		b = next;
	}
	cicd__arena_init(arena, arena->block_size);
}

static cicd_arena_block *new_block(cicd_arena *arena, size_t size)
{
	cicd_arena_block *b = cicd__malloc(sizeof *b + size);
	if (!b)
		return NULL;
	b->size = size;
	arena->allocated += size;
	return b;
}

/* align is a power of two no larger than ALIGN; blocks start ALIGN-aligned. */
static void *alloc_aligned(cicd_arena *arena, size_t size, size_t align)
{
	size_t rounded;
	cicd_arena_block *b;
	if (size > (size_t)-1 - ALIGN)
		return NULL;
	rounded = (size + align - 1) & ~(align - 1);
	if (rounded == 0)
		rounded = align;
	if (arena->cursor) {
		/* Packed text may have left the cursor unaligned. */
		uintptr_t at = ((uintptr_t)arena->cursor + align - 1) & ~(uintptr_t)(align - 1);
		if (at <= (uintptr_t)arena->end && (uintptr_t)arena->end - at >= rounded) {
			arena->cursor = (char *)at + rounded;
			return (void *)at;
		}
	}
	if (rounded > arena->block_size / 4) {
		/* A large request gets a block of its own behind the current one, so the current block's free space is kept. */
		b = new_block(arena, rounded);
		if (!b)
			return NULL;
		if (arena->head) {
			b->next = arena->head->next;
			arena->head->next = b;
		} else {
			b->next = NULL;
			arena->head = b;
			arena->cursor = arena->end = b->data + rounded;
		}
		return b->data;
	}
	b = new_block(arena, arena->block_size);
	if (!b)
		return NULL;
	b->next = arena->head;
	arena->head = b;
	arena->cursor = b->data + rounded;
	arena->end = b->data + arena->block_size;
	return b->data;
}

void *cicd__arena_alloc(cicd_arena *arena, size_t size)
{
	return alloc_aligned(arena, size, ALIGN);
}

_Static_assert(alignof(void *) <= 8 && alignof(uint64_t) <= 8, "cicd__arena_alloc_small aligns to 8");

void *cicd__arena_alloc_small_slow(cicd_arena *arena, size_t size)
{
	return alloc_aligned(arena, size, 8);
}

void *cicd__arena_calloc(cicd_arena *arena, size_t count, size_t size)
{
	size_t total;
	void *p;
	if (!cicd__mul_ok(count, size, &total))
		return NULL;
	p = cicd__arena_alloc(arena, total);
	if (p)
		memset(p, 0, total);
	return p;
}

char *cicd__arena_strndup(cicd_arena *arena, const char *s, size_t len)
{
	char *p;
	if (len == (size_t)-1)
		return NULL;
	p = cicd__arena_alloc(arena, len + 1);
	if (!p)
		return NULL;
	if (len)
		memcpy(p, s, len);
	p[len] = '\0';
	return p;
}

char *cicd__arena_strdup(cicd_arena *arena, const char *s)
{
	return cicd__arena_strndup(arena, s, strlen(s));
}

char *cicd__arena_strndup_packed(cicd_arena *arena, const char *s, size_t len)
{
	char *p;
	if (len >= arena->block_size / 4 || !arena->cursor || (size_t)(arena->end - arena->cursor) < len + 1)
		return cicd__arena_strndup(arena, s, len);
	p = arena->cursor;
	arena->cursor += len + 1;
	if (len)
		memcpy(p, s, len);
	p[len] = '\0';
	return p;
}

/* Internal: the library's allocator (replaceable through cicd_allocator_set). */
#ifndef CICD_CORE_ALLOC_H
#define CICD_CORE_ALLOC_H

#include <stddef.h>

void *cicd__malloc(size_t size);
void *cicd__calloc(size_t count, size_t size);
void *cicd__realloc(void *ptr, size_t size);
void cicd__free(void *ptr);
char *cicd__strdup(const char *s);
char *cicd__strndup(const char *s, size_t n);

/* Allocation that sets CICD_ENOMEM as the last error when it fails. */
void *cicd__malloc_or_set(size_t size);

/* Frees memory held through a const pointer (owned strings exposed as const char *). */
static inline void cicd__free_const(const void *ptr)
{
	union {
		const void *c;
		void *m;
	} u;
	u.c = ptr;
	cicd__free(u.m);
}

/* Checked count * size, false on overflow. */
static inline int cicd__mul_ok(size_t a, size_t b, size_t *out)
{
	if (b && a > (size_t)-1 / b)
		return 0;
	*out = a * b;
	return 1;
}

#endif

#include "alloc.h"

#include <stdlib.h>
#include <string.h>

#include "cicd/core.h"
#include "cicd/errors.h"
#include "error.h"

static cicd_malloc_fn g_malloc = malloc;
static cicd_realloc_fn g_realloc = realloc;
static cicd_free_fn g_free = free;

int cicd_allocator_set(cicd_malloc_fn malloc_fn, cicd_realloc_fn realloc_fn, cicd_free_fn free_fn)
{
	if (!malloc_fn || !realloc_fn || !free_fn)
		return cicd__error_set(CICD_EINVALID, "allocator needs malloc, realloc and free");
	g_malloc = malloc_fn;
	g_realloc = realloc_fn;
	g_free = free_fn;
	return 0;
}

void cicd_allocator_reset(void)
{
	g_malloc = malloc;
	g_realloc = realloc;
	g_free = free;
}

void *cicd__malloc(size_t size)
{
	return g_malloc(size ? size : 1);
}

void *cicd__calloc(size_t count, size_t size)
{
	size_t total;
	void *p;
	if (!cicd__mul_ok(count, size, &total))
		return NULL;
	p = cicd__malloc(total);
	if (p)
		memset(p, 0, total);
	return p;
}

void *cicd__realloc(void *ptr, size_t size)
{
	return g_realloc(ptr, size ? size : 1);
}

void cicd__free(void *ptr)
{
	if (ptr)
		g_free(ptr);
}

char *cicd__strndup(const char *s, size_t n)
{
	char *p = cicd__malloc(n + 1);
	if (!p)
		return NULL;
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *cicd__strdup(const char *s)
{
	return cicd__strndup(s, strlen(s));
}

void *cicd__malloc_or_set(size_t size)
{
	void *p = cicd__malloc(size);
	if (!p)
		cicd__error_oom();
	return p;
}

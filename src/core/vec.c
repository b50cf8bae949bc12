#include "vec.h"

#include "alloc.h"
#include "error.h"

int cicd__vec_reserve(cicd_vec *vec, size_t capacity)
{
	void **items;
	size_t bytes;
	if (capacity <= vec->capacity)
		return 0;
	if (!cicd__mul_ok(capacity, sizeof *items, &bytes))
		return cicd__error_oom();
	items = cicd__realloc(vec->items, bytes);
	if (!items)
		return cicd__error_oom();
	vec->items = items;
	vec->capacity = capacity;
	return 0;
}

int cicd__vec_push(cicd_vec *vec, void *item)
{
	if (vec->count == vec->capacity && cicd__vec_reserve(vec, vec->capacity ? vec->capacity * 2 : 8))
		return CICD_ENOMEM;
	vec->items[vec->count++] = item;
	return 0;
}

void *cicd__vec_pop(cicd_vec *vec)
{
	return vec->count ? vec->items[--vec->count] : NULL;
}

void cicd__vec_dispose(cicd_vec *vec)
{
	cicd__free(vec->items);
	vec->items = NULL;
	vec->count = 0;
	vec->capacity = 0;
}

void cicd__vec_dispose_with(cicd_vec *vec, void (*free_fn)(void *))
{
	size_t i;
	for (i = 0; i < vec->count; i++)
		free_fn(vec->items[i]);
	cicd__vec_dispose(vec);
}

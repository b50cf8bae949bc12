/* Internal: a growable array of pointers. */
#ifndef CICD_CORE_VEC_H
#define CICD_CORE_VEC_H

#include <stddef.h>

typedef struct cicd_vec {
	void **items;
	size_t count;
	size_t capacity;
} cicd_vec;

#define CICD_VEC_INIT {NULL, 0, 0}

/* 0 or CICD_ENOMEM (last error set). */
int cicd__vec_push(cicd_vec *vec, void *item);
int cicd__vec_reserve(cicd_vec *vec, size_t capacity);
void *cicd__vec_pop(cicd_vec *vec);
void cicd__vec_dispose(cicd_vec *vec);
/* Frees each item with free_fn, then the array. */
void cicd__vec_dispose_with(cicd_vec *vec, void (*free_fn)(void *));

#endif

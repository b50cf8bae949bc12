/*
 * `changes:compare_to`: the paths changed since a ref, as the trigger's
 * compare callback answers, kept for the rest of the plan (GitLab memoizes
 * them per compared commit too).
 */
#include <stdint.h>
#include <string.h>

#include "core/alloc.h"
#include "core/error.h"
#include "internal.h"

int cicd_path_list_add(cicd_path_list *list, const char *path)
{
	char *copy;
	if (!list || !path)
		return cicd__error_set(CICD_EINVALID, "cicd_path_list_add: list or path is NULL");
	if (list->count == list->cap) {
		size_t cap = list->cap ? list->cap * 2 : 16;
		char **paths = cap <= SIZE_MAX / sizeof *paths ? cicd__realloc(list->paths, cap * sizeof *paths) : NULL;
		if (!paths)
			return cicd__error_oom();
		list->paths = paths;
		list->cap = cap;
	}
	if (!(copy = cicd__strdup(path)))
		return cicd__error_oom();
	list->paths[list->count++] = copy;
	return 0;
}

void cicd__path_list_dispose(cicd_path_list *list)
{
	size_t i;
	for (i = 0; i < list->count; i++)
		cicd__free(list->paths[i]);
	cicd__free(list->paths);
	memset(list, 0, sizeof *list);
}

void cicd__compare_cache_dispose(compare_cache *cache)
{
	size_t i;
	for (i = 0; i < cache->count; i++) {
		cicd__free(cache->items[i].ref);
		cicd__path_list_dispose(&cache->items[i].changed);
	}
	cicd__free(cache->items);
	memset(cache, 0, sizeof *cache);
}

/* Keeps an answer in the cache; the list moves into it (disposed on failure). */
static int keep(compare_cache *cache, const char *ref, cicd_path_list *changed, const cicd_path_list **out)
{
	compare_answer *a;
	if (cache->count == cache->cap) {
		size_t cap = cache->cap ? cache->cap * 2 : 4;
		compare_answer *items = cicd__realloc(cache->items, cap * sizeof *items);
		if (!items) {
			cicd__path_list_dispose(changed);
			return cicd__error_oom();
		}
		cache->items = items;
		cache->cap = cap;
	}
	a = &cache->items[cache->count];
	if (!(a->ref = cicd__strdup(ref))) {
		cicd__path_list_dispose(changed);
		return cicd__error_oom();
	}
	a->changed = *changed;
	cache->count++;
	*out = &a->changed;
	return 0;
}

int cicd__changed_since(const cicd_path_list **out, cicd_path_list *scratch, const char *ref, var_view *view,
			const cicd_trigger *t)
{
	compare_cache *cache = view->compare;
	cicd_path_list got;
	size_t i;
	int rc;
	if (cache)
		for (i = 0; i < cache->count; i++)
			if (!strcmp(cache->items[i].ref, ref)) {
				*out = &cache->items[i].changed;
				return 0;
			}
	memset(&got, 0, sizeof got);
	rc = t->compare(&got, ref, t->compare_payload);
	if (rc) {
		cicd__path_list_dispose(&got);
		if (rc == CICD_ENOTFOUND)
			return CICD__BAD_COMPARE_REF;
		return rc < 0 ? rc : cicd__error_set(CICD_ERROR, "the compare callback returned %d for `%s`", rc, ref);
	}
	if (cache)
		return keep(cache, ref, &got, out);
	*scratch = got;
	*out = scratch;
	return 0;
}

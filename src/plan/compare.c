/*
 * `changes:compare_to`: the paths changed since a ref, as the trigger's
 * compare callback answers, kept for the rest of the plan (GitLab memoizes
 * them per compared commit too).
 */
#include <string.h>

#include "core/alloc.h"
#include "core/error.h"
#include "internal.h"

int cicd_path_list_add(cicd_path_list *list, const char *path)
{
	char *copy;
	if (!list || !path)
		return cicd__error_set(CICD_EINVALID, "cicd_path_list_add: list or path is NULL");
	if (!(copy = cicd__strdup(path)))
		return cicd__error_oom();
	if (cicd__vec_push(&list->paths, copy)) {
		cicd__free(copy);
		return CICD_ENOMEM;
	}
	return 0;
}

static void free_item(void *item)
{
	cicd__free(item);
}

void cicd__path_list_dispose(cicd_path_list *list)
{
	cicd__vec_dispose_with(&list->paths, free_item);
}

static void free_answer(void *item)
{
	compare_answer *a = item;
	cicd__free(a->ref);
	cicd__path_list_dispose(&a->changed);
	cicd__free(a);
}

void cicd__compare_cache_dispose(compare_cache *cache)
{
	cicd__vec_dispose_with(&cache->answers, free_answer);
}

/* Keeps an answer in the cache; the list moves into it (disposed on failure). */
static int keep(compare_cache *cache, const char *ref, cicd_path_list *changed, const cicd_path_list **out)
{
	compare_answer *a = cicd__calloc(1, sizeof *a);
	if (!a || !(a->ref = cicd__strdup(ref)) || cicd__vec_push(&cache->answers, a)) {
		if (a)
			cicd__free(a->ref);
		cicd__free(a);
		cicd__path_list_dispose(changed);
		return cicd__error_oom();
	}
	a->changed = *changed;
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
		for (i = 0; i < cache->answers.count; i++) {
			const compare_answer *a = cache->answers.items[i];
			if (!strcmp(a->ref, ref)) {
				*out = &a->changed;
				return 0;
			}
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

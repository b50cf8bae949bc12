/* Ordered variable sets and the layered, expanding lookup used by rules. */
#include <stdint.h>
#include <string.h>

#include "core/alloc.h"
#include "core/buf.h"
#include "core/error.h"
#include "internal.h"

/* GitLab stops expanding at cycles; a depth bound does the same here. */
#define MAX_EXPANSION_DEPTH 16

int cicd__vars_set(plan_vars *v, const char *name, const char *value, int raw)
{
	void *found = NULL;
	char *val = cicd__strdup(value ? value : "");
	if (!val)
		return cicd__error_oom();
	if (cicd__hashmap_find(&v->index, name, strlen(name), &found)) {
		plan_var *item = &v->items[(uintptr_t)found - 1];
		cicd__free(item->value);
		item->value = val;
		item->raw = raw;
		return 0;
	}
	if (v->count == v->cap) {
		size_t ncap = v->cap ? v->cap * 2 : 16;
		plan_var *items = cicd__realloc(v->items, ncap * sizeof *items);
		if (!items) {
			cicd__free(val);
			return cicd__error_oom();
		}
		v->items = items;
		v->cap = ncap;
	}
	v->items[v->count].name = cicd__strdup(name);
	if (!v->items[v->count].name) {
		cicd__free(val);
		return cicd__error_oom();
	}
	v->items[v->count].value = val;
	v->items[v->count].raw = raw;
	v->items[v->count].masked = 0;
	if (cicd__hashmap_put(&v->index, v->items[v->count].name, strlen(name), (void *)(uintptr_t)(v->count + 1),
			      NULL)) {
		cicd__free(v->items[v->count].name);
		cicd__free(val);
		return CICD_ENOMEM;
	}
	v->count++;
	return 0;
}

int cicd__vars_set_masked(plan_vars *v, const char *name, const char *value, int masked)
{
	void *found = NULL;
	int rc = cicd__vars_set(v, name, value, 0);
	if (!rc && cicd__hashmap_find(&v->index, name, strlen(name), &found))
		v->items[(uintptr_t)found - 1].masked = masked;
	return rc;
}

const plan_var *cicd__vars_get(const plan_vars *v, const char *name)
{
	void *found = NULL;
	if (!v->count || !cicd__hashmap_find(&v->index, name, strlen(name), &found))
		return NULL;
	return &v->items[(uintptr_t)found - 1];
}

void cicd__vars_dispose(plan_vars *v)
{
	size_t i;
	for (i = 0; i < v->count; i++) {
		cicd__free(v->items[i].name);
		cicd__free(v->items[i].value);
	}
	cicd__free(v->items);
	cicd__hashmap_dispose(&v->index);
	memset(v, 0, sizeof *v);
}

int cicd__view_lookup(const char **value, size_t *len, const char *name, void *payload)
{
	var_view *view = payload;
	const plan_var *var = NULL;
	cicd_buf out = CICD_BUF_INIT;
	size_t i;
	int rc;
	for (i = 0; i < view->count && !var; i++)
		if (view->layers[i])
			var = cicd__vars_get(view->layers[i], name);
	if (!var)
		return 0;
	*value = var->value;
	*len = strlen(var->value);
	if (var->raw || view->depth >= MAX_EXPANSION_DEPTH || !strpbrk(var->value, "$%"))
		return 1;
	view->depth++;
	rc = cicd_expand(&out, var->value, *len, 0, cicd__view_lookup, view);
	view->depth--;
	if (rc < 0) {
		cicd_buf_dispose(&out);
		return rc;
	}
	*value = cicd__arena_strndup(view->arena, out.ptr ? out.ptr : "", out.size);
	*len = out.size;
	cicd_buf_dispose(&out);
	if (!*value)
		return cicd__error_oom();
	return 1;
}

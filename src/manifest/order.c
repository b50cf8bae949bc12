/* Apply and delete order of a set (docs/manifest.md, "Order"). */
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "diff.h"

static int cmp_source(const void *a, const void *b)
{
	const cicd_manifest *x = *(const cicd_manifest *const *)a, *y = *(const cicd_manifest *const *)b;
	return (x->seq > y->seq) - (x->seq < y->seq);
}

/* By kind rank; unknown kinds last, among themselves by kind name; ties keep the order of addition. */
int cicd__manifest_cmp_apply(const void *a, const void *b)
{
	const cicd_manifest *x = *(const cicd_manifest *const *)a, *y = *(const cicd_manifest *const *)b;
	int rx = x->rank, ry = y->rank;
	if (rx != ry)
		return rx < ry ? -1 : 1;
	if (rx == CICD__RANK_UNKNOWN) {
		int c = strcmp(x->kind, y->kind);
		if (c)
			return c;
	}
	return cmp_source(a, b);
}

int cicd_manifest_set_sort(cicd_manifest_set *set, cicd_manifest_order order)
{
	size_t i;
	if (!set)
		return cicd__error_set(CICD_EINVALID, "cicd_manifest_set_sort: set is required");
	switch (order) {
	case CICD_MANIFEST_ORDER_SOURCE:
		if (set->count)
			qsort(set->items, set->count, sizeof *set->items, cmp_source);
		return 0;
	case CICD_MANIFEST_ORDER_APPLY:
	case CICD_MANIFEST_ORDER_DELETE:
		if (set->count)
			qsort(set->items, set->count, sizeof *set->items, cicd__manifest_cmp_apply);
		if (order == CICD_MANIFEST_ORDER_DELETE) {
			for (i = 0; i < set->count / 2; i++) {
				cicd_manifest *t = set->items[i];
				set->items[i] = set->items[set->count - 1 - i];
				set->items[set->count - 1 - i] = t;
			}
		}
		return 0;
	default:
		return cicd__error_set(CICD_EINVALID, "unknown manifest order %d", (int)order);
	}
}

/* Internal: the diff of two manifest sets. */
#ifndef CICD_MANIFEST_DIFF_H
#define CICD_MANIFEST_DIFF_H

#include "manifest.h"

typedef struct cicd__diff_entry {
	cicd_manifest_change change;
	const cicd_manifest *old_obj;       /* NULL when added */
	const cicd_manifest *new_obj;       /* NULL when removed */
	cicd_manifest_field_change *fields; /* owned strings */
	size_t field_count;
} cicd__diff_entry;

struct cicd_manifest_diff {
	cicd__diff_entry *entries;
	size_t count;
	size_t capacity;
};

/* Compares two objects of the same identity; appends the changed fields to e. 0 or a negative code. */
int cicd__diff_objects(cicd__diff_entry *e);

/* Apply-order comparison of two objects (order.c), for qsort over cicd_manifest pointers. */
int cicd__manifest_cmp_apply(const void *a, const void *b);

#endif

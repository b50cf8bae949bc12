/* Internal: a loaded policy. */
#ifndef CICD_POLICY_INTERNAL_H
#define CICD_POLICY_INTERNAL_H

#include <stddef.h>

#include "cicd/policy.h"
#include "core/regex.h"

typedef struct {
	char *name;
	char *pattern;     /* as written */
	char *description; /* as written, or NULL */
	cicd_regex *re;    /* full-match */
	int is_protected;
	int release;     /* release tags are made on this kind */
	size_t *targets; /* merge-request target kinds */
	size_t ntargets;
} branch_kind;

struct cicd_policy {
	branch_kind *kinds;
	size_t nkinds;
	char *tag_template;  /* "v{major}.{minor}.{patch}" */
	cicd_regex *tag_re;  /* full-match, named groups major, minor, patch[, prerelease] */
	int tags_increasing; /* each new release tag greater than every existing one */
	size_t max_name_length;
};

#endif

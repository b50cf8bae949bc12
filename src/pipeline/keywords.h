/*
 * Internal: the job keywords, and a table of one job's values by keyword
 * filled in one pass over its keys, so that validation and the model do
 * not look each keyword up in the mapping again.
 */
#ifndef CICD_PIPELINE_KEYWORDS_H
#define CICD_PIPELINE_KEYWORDS_H

#include "internal.h"

/* In strcmp order of their names. */
enum pl_keyword {
	PL_KW_AFTER_SCRIPT,
	PL_KW_ALLOW_FAILURE,
	PL_KW_ARTIFACTS,
	PL_KW_BEFORE_SCRIPT,
	PL_KW_CACHE,
	PL_KW_COVERAGE,
	PL_KW_DAST_CONFIGURATION,
	PL_KW_DEPENDENCIES,
	PL_KW_ENVIRONMENT,
	PL_KW_EXCEPT,
	PL_KW_EXTENDS,
	PL_KW_HOOKS,
	PL_KW_ID_TOKENS,
	PL_KW_IDENTITY,
	PL_KW_IMAGE,
	PL_KW_INHERIT,
	PL_KW_INPUTS,
	PL_KW_INTERRUPTIBLE,
	PL_KW_MANUAL_CONFIRMATION,
	PL_KW_NEEDS,
	PL_KW_ONLY,
	PL_KW_PAGES,
	PL_KW_PARALLEL,
	PL_KW_PUBLISH,
	PL_KW_RELEASE,
	PL_KW_RESOURCE_GROUP,
	PL_KW_RETRY,
	PL_KW_RULES,
	PL_KW_RUN,
	PL_KW_SCRIPT,
	PL_KW_SECRETS,
	PL_KW_SERVICES,
	PL_KW_STAGE,
	PL_KW_START_IN,
	PL_KW_TAGS,
	PL_KW_TIMEOUT,
	PL_KW_TRIGGER,
	PL_KW_VARIABLES,
	PL_KW_WHEN,
	PL_KW_COUNT
};

typedef struct pl_slots {
	const cicd_node *v[PL_KW_COUNT]; /* NULL when absent or null, as pl_get() */
} pl_slots;

/* Every job keyword, indexed by enum pl_keyword (so in strcmp order). */
extern const char *const pl_keyword_names[PL_KW_COUNT];

/* The keyword's index, or -1. */
int pl_keyword(const char *name);

/* Fills the table from a job's mapping. */
void pl_slots_fill(pl_slots *s, const cicd_node *job);

#endif

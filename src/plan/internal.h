/* Internal: the plan module's shared types. */
#ifndef CICD_PLAN_INTERNAL_H
#define CICD_PLAN_INTERNAL_H

#include <stddef.h>

#include "cicd/expr.h"
#include "cicd/pipeline.h"
#include "cicd/plan.h"
#include "core/arena.h"
#include "core/hashmap.h"
#include "core/vec.h"

/* ---- variables: an ordered set, later definitions replace earlier ones ---- */

typedef struct plan_var {
	char *name;
	char *value;
	int raw;    /* `expand: false`: never expanded */
	int masked; /* a secret: its value is listed for masking */
} plan_var;

typedef struct plan_vars {
	plan_var *items;
	size_t count, cap;
	cicd_hashmap index; /* name -> item index + 1 */
} plan_vars;

int cicd__vars_set(plan_vars *v, const char *name, const char *value, int raw);
/* Sets the value and whether it is a secret (cicd__vars_set leaves a replaced variable's flag as it was). */
int cicd__vars_set_masked(plan_vars *v, const char *name, const char *value, int masked);
const plan_var *cicd__vars_get(const plan_vars *v, const char *name);
void cicd__vars_dispose(plan_vars *v);

/* The paths a compare callback gives (copies). */
struct cicd_path_list {
	cicd_vec paths;
};

void cicd__path_list_dispose(cicd_path_list *list);

/* The compare callback's answers during one plan: compare_answer items (an expanded REF and its paths). */
typedef struct compare_answer {
	char *ref;
	cicd_path_list changed;
} compare_answer;

typedef struct compare_cache {
	cicd_vec answers;
} compare_cache;

void cicd__compare_cache_dispose(compare_cache *cache);

/*
 * A lookup over layers, highest precedence first. Values that refer to
 * other variables are expanded through the same layers (GitLab expands
 * every variable from the others before evaluating rules); the expanded
 * text lives in `arena`.
 */
#define VIEW_MAX_LAYERS 8
typedef struct var_view {
	const plan_vars *layers[VIEW_MAX_LAYERS];
	size_t count;
	cicd_arena *arena;
	unsigned int depth;
	compare_cache *compare; /* NULL: answers are not kept */
} var_view;

int cicd__view_lookup(const char **value, size_t *len, const char *name, void *payload);

/* ---- the trigger ---- */

struct cicd_trigger {
	cicd_trigger_kind kind;
	char *ref;
	char *source;
	char *default_branch;
	char *project;
	char *sha;
	char *mr_target;
	unsigned int mr_iid;
	char *mr_event_type;
	char *mr_labels;
	char *mr_title;
	char *open_mrs;
	plan_vars user;
	const char **masked_values; /* the masked user variables' non-empty values, rebuilt on every change */
	size_t nmasked, masked_cap; /* masked_cap >= user.count: listing never allocates */
	plan_vars predefined; /* the variables GitLab predefines for it, kept current by every setter */
	char **changed;
	size_t nchanged;
	int changes_known;
	cicd_exists_cb exists;
	void *exists_payload;
	cicd_compare_cb compare;
	void *compare_payload;
};

/* GitLab's CI_COMMIT_REF_SLUG of a ref, into buf (at least 64 bytes). */
void cicd__ref_slug(char *buf, size_t cap, const char *ref);

/* ---- the planner ---- */

typedef struct compiled_rule {
	const cicd_rule *rule;
	cicd_expr *expr; /* NULL when the rule has no `if` */
} compiled_rule;

typedef struct planner_job {
	const cicd_job *job;
	compiled_rule *rules;
	size_t nrules;
	cicd_expr **only_vars, **except_vars;
	size_t n_only, n_except;
	plan_vars vars; /* the job's `variables` */
	size_t stage_index;
} planner_job;

struct cicd_planner {
	const cicd_pipeline *pipeline;
	planner_job *jobs;
	size_t njobs;
	compiled_rule *workflow;
	size_t nworkflow;
	plan_vars global;
	size_t max_jobs;
};

/* *matched 1 when every clause of the rule holds (if, changes, exists), else 0; returns 0,
 * CICD__BAD_COMPARE_REF, or a negative code. */
int cicd__rule_matches(int *matched, const compiled_rule *r, var_view *view, const cicd_trigger *t);

/* cicd__changes_match's answer when `compare_to` names no commit (the caller reports it as GitLab does). */
#define CICD__BAD_COMPARE_REF 1

/* The paths changed since ref (expanded) from the trigger's compare callback: the plan's kept answer
 * when the view has a cache, else one held in *scratch. 0, CICD__BAD_COMPARE_REF, or a negative code. */
int cicd__changed_since(const cicd_path_list **out, cicd_path_list *scratch, const char *ref, var_view *view,
			const cicd_trigger *t);

/*
 * Whether one of n globs (get(owner, i), variables expanded) matches a changed path, or names a file
 * that exists. Changed paths are those since compare_to (when given and the trigger has a compare
 * callback), else the trigger's: true when those are unknown. False without an exists callback.
 */
int cicd__changes_match(int *matched, size_t n, const char *(*get)(const void *, size_t), const void *owner,
			const char *compare_to, var_view *view, const cicd_trigger *t);
int cicd__exists_match(int *matched, size_t n, const char *(*get)(const void *, size_t), const void *owner,
		       var_view *view, const cicd_trigger *t);

/* only/except of a job: *included 1 when the job stays. */
int cicd__policies_allow(int *included, const planner_job *pj, var_view *view, const cicd_trigger *t,
			 const char *project);

/* Ruby's File.fnmatch(pattern, path, FNM_PATHNAME | FNM_DOTMATCH | FNM_EXTGLOB). */
int cicd__plan_glob(const char *pattern, const char *path);

/* ---- the plan ---- */

struct cicd_plan_job {
	char *name;
	const char *stage;
	size_t stage_index;
	const char *when;
	int allow_failure;
	char *start_in;
	const cicd_job *source;
	size_t instance;
	const compiled_rule *rule; /* the rule that matched, or NULL */
	long nneeds; /* -1: none */
	char **needs;
	plan_vars vars;
	size_t *prereqs;
	size_t nprereqs;
};

struct cicd_plan {
	int created;
	char *reason;
	char *name;
	const char **stages;
	size_t nstages;
	cicd_plan_job *jobs;
	size_t njobs;
	plan_vars vars; /* pipeline level, flattened */
	size_t *topo;
	size_t *critical;
	size_t ncritical;
	cicd_arena arena;
};

/* Fills prerequisites, the topological order and the critical path. */
int cicd__plan_build_dag(cicd_plan *plan);

#endif

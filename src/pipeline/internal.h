/*
 * Internal: the pipeline module. Loading builds new node trees in the
 * pipeline's arena that share unchanged subtrees with the documents they
 * came from, so every value keeps the file, line and column where it was
 * written.
 */
#ifndef CICD_PIPELINE_INTERNAL_H
#define CICD_PIPELINE_INTERNAL_H

#include <stddef.h>
#include <string.h>

#include "cicd/pipeline.h"
#include "core/arena.h"
#include "core/diagnostics.h"
#include "core/document.h"
#include "core/error.h"
#include "core/hashmap.h"
#include "core/vec.h"

typedef struct pl_strs {
	const char **items;
	size_t count;
} pl_strs;

struct cicd_variable {
	const char *name;
	const char *value;
	const char *description;
	int expand;
	pl_strs options;
	const cicd_node *node;
};

typedef struct pl_vars {
	cicd_variable *items;
	size_t count;
} pl_vars;

struct cicd_need {
	const char *job;
	const char *project;
	const char *ref;
	const char *pipeline;
	int optional;
	int artifacts;
	const cicd_node *matrix;
	const cicd_node *node;
};

typedef struct pl_needs {
	cicd_need *items;
	long count; /* -1: not written */
} pl_needs;

struct cicd_rule {
	const cicd_node *node;
	const cicd_node *if_node;
	const char *if_text;
	const char *when;
	const char *start_in;
	int allow_failure;
	int has_changes;
	pl_strs changes;
	const char *compare_to;
	int has_exists;
	pl_strs exists;
	const char *exists_project;
	const char *exists_ref;
	pl_vars vars;
	pl_needs needs;
};

typedef struct pl_rules {
	cicd_rule *items;
	size_t count;
} pl_rules;

struct cicd_job_policy {
	int is_default;
	pl_strs refs;
	pl_strs vars;
	const cicd_node **var_nodes;
	int has_changes;
	pl_strs changes;
	const char *kubernetes;
};

typedef struct pl_instance {
	const char *name;
	const char **var_names;
	const char **var_values;
	size_t var_count;
} pl_instance;

struct cicd_job {
	const char *name;
	const cicd_node *key;
	const cicd_node *own;    /* after extends and !reference */
	const cicd_node *config; /* own + inherited defaults */
	const char *stage;
	const char *when;
	const char *start_in;
	int allow_failure;
	int *exit_codes;
	size_t exit_code_count;
	int trigger;
	const char *trigger_project;
	const char *trigger_branch;
	const char *trigger_strategy;
	pl_strs script, before_script, after_script;
	int has_rules;
	pl_rules rules;
	cicd_job_policy *only;
	cicd_job_policy *except;
	pl_needs needs;
	long dep_count;
	pl_strs deps;
	pl_vars vars;
	const cicd_node *inherit_default;   /* NULL: all */
	const cicd_node *inherit_variables; /* NULL: all */
	unsigned int parallel;
	const cicd_node *matrix;
	pl_instance *instances;
	size_t instance_count;
	const char *image;
	const char *resource_group;
	const char *environment;
	const char *environment_action;
	const char *timeout;
	const char *coverage;
	pl_strs tags;
	int interruptible;
	unsigned int retry_max;
	pl_strs retry_when;
	pl_strs extends;
};

struct cicd_pipeline {
	cicd_arena arena;
	cicd_vec documents; /* cicd_document *, kept alive for the nodes */
	cicd_vec files;     /* const char *, arena-owned names */
	const char *name;
	cicd_node_meta name_meta; /* name, no tag: for nodes made without a position */
	const cicd_node *root;
	const cicd_node *def;
	pl_strs stages;
	pl_vars vars;
	int has_workflow_rules;
	pl_rules workflow_rules;
	const char *workflow_name;
	const char *auto_cancel_new_commit;
	const char *auto_cancel_job_failure;
	cicd_job *jobs;
	size_t job_count;
	cicd_hashmap job_index;
};

struct cicd_include_result {
	char *data;
	size_t len;
	char *name;
	char *message;
};

/* Everything loading needs; lives for one cicd_pipeline_load_* call. */
typedef struct pl_ctx {
	cicd_pipeline *p;
	cicd_pipeline_options opts;
	cicd_diagnostics *diags;
	size_t errors;
	char *root_real;        /* realpath of the project root, or NULL */
	const char *root_shown; /* the root as the caller wrote it, for names */
	size_t includes;
	cicd_vec stack;     /* const char * names of files being included, for cycles */
	cicd_hashmap seen;  /* included file identities, to read each once */
	int fatal;          /* out of memory: stop */
	int has_references; /* some file has the text "!reference": walk the tree for tags */
} pl_ctx;

/* ---- diagnostics (pipeline.c) ---- */
void pl_error(pl_ctx *c, const cicd_node *at, const char *fmt, ...) CICD__PRINTF(3, 4);
void pl_error_code(pl_ctx *c, int code, const cicd_node *at, const char *fmt, ...) CICD__PRINTF(4, 5);
void pl_warning(pl_ctx *c, const cicd_node *at, const char *fmt, ...) CICD__PRINTF(3, 4);
void pl_oom(pl_ctx *c);

/* ---- trees (tree.c) ---- */
cicd_node *pl_map_new(pl_ctx *c, size_t count, const cicd_node *pos);
cicd_node *pl_seq_new(pl_ctx *c, size_t count, const cicd_node *pos);
cicd_node *pl_scalar_new(pl_ctx *c, const char *text, size_t len, const cicd_node *pos, cicd_value_type type);
int pl_map_finish(pl_ctx *c, cicd_node *map);
/* A mapping's value under key; a null value counts as absent, as GitLab reads it. Inline so strlen folds. */
static inline const cicd_node *pl_get(const cicd_node *map, const char *key)
{
	const cicd_node *v = cicd__node_get(map, key, strlen(key));
	if (v && v->kind == CICD_NODE_SCALAR && v->value_type == CICD_VALUE_NULL && !v->meta->tag)
		return NULL;
	return v;
}
int pl_is_map(const cicd_node *n);
int pl_is_seq(const cicd_node *n);
int pl_is_scalar(const cicd_node *n);
int pl_is_string(const cicd_node *n); /* a scalar resolving to a string */
int pl_is_null(const cicd_node *n);
const char *pl_text(const cicd_node *n); /* scalar text or NULL */
int pl_key_eq(const cicd_node *key, const char *s);
/* Hash deep merge (Ruby's deep_merge): hashes merge key by key, anything else `over` wins. */
const cicd_node *pl_deep_merge(pl_ctx *c, const cicd_node *base, const cicd_node *over);
/* Deep-merges several hashes at once, later ones winning, keys in first-seen order (linear). */
const cicd_node *pl_merge_all(pl_ctx *c, const cicd_node *const *trees, size_t n);
/* A copy of map without one key. */
const cicd_node *pl_map_without(pl_ctx *c, const cicd_node *map, const char *key);
char *pl_strdup(pl_ctx *c, const char *s);
/* where:leaf, for the paths validation messages name (as pl_sprintf("%s:%s") without the formatting). */
char *pl_path(pl_ctx *c, const char *where, const char *leaf);
char *pl_sprintf(pl_ctx *c, const char *fmt, ...) CICD__PRINTF(2, 3);
/* A scalar's text quoted for messages as GitLab's inspect would: ["a", "b"]. */
char *pl_inspect_seq(pl_ctx *c, const cicd_node *seq);

/* ---- stages of loading ---- */
/* Reads one file (main or included) with its includes merged in; NULL on errors (reported). */
const cicd_node *pl_load_file_tree(pl_ctx *c, const char *data, size_t len, const char *name, const cicd_node *inputs,
                                   const cicd_node *include_at, unsigned int depth);
/* spec:inputs of a header and interpolation of the content; content unchanged when no header. */
const cicd_node *pl_interpolate(pl_ctx *c, const cicd_node *header, const cicd_node *content, const cicd_node *inputs,
                                const cicd_node *include_at, const char *name);
const cicd_node *pl_resolve_extends(pl_ctx *c, const cicd_node *root);
const cicd_node *pl_resolve_references(pl_ctx *c, const cicd_node *root);
void pl_validate(pl_ctx *c, const cicd_node *root);
/* `.pre`, the declared stages (nested lists flattened; default build, test, deploy), `.post`. */
int pl_stage_list(pl_ctx *c, const cicd_node *root, pl_strs *out);
int pl_build_model(pl_ctx *c, const cicd_node *root);

/* ---- validation helpers (validate_common.c) ---- */
int pl_is_duration(const char *s);
int pl_is_script(const cicd_node *n, int depth); /* string or nested array of strings, depth levels */
int pl_is_array_of_strings(const cicd_node *n);
void pl_unknown_keys(pl_ctx *c, const cicd_node *map, const char *where, const char *const *allowed);
/* The same with `allowed` in strcmp order (count entries): for the long keyword lists. */
void pl_unknown_keys_sorted(pl_ctx *c, const cicd_node *map, const char *where, const char *const *allowed,
                            size_t count);
int pl_in_list(const char *s, const char *const *list);
/* The same over a list in strcmp order (binary search). */
int pl_in_sorted(const char *s, const char *const *list, size_t count);
/* Reports a `rules:if` / `only:variables` expression that does not compile (cicd_expr). */
void pl_check_expression(pl_ctx *c, const cicd_node *n, const char *where, const char *what);
char *pl_join(pl_ctx *c, const char *const *list, const char *sep);
void pl_validate_variables(pl_ctx *c, const cicd_node *vars, const char *where, int global);
void pl_validate_rules(pl_ctx *c, const cicd_node *rules, const char *where, int workflow);
void pl_validate_needs(pl_ctx *c, const cicd_node *needs, const char *where, int bridge);
void pl_validate_job(pl_ctx *c, const cicd_node *key, const cicd_node *job, const cicd_node *root);
void pl_validate_image(pl_ctx *c, const cicd_node *n, const char *where);
void pl_validate_services(pl_ctx *c, const cicd_node *n, const char *where);
void pl_validate_cache(pl_ctx *c, const cicd_node *n, const char *where);
void pl_validate_artifacts(pl_ctx *c, const cicd_node *n, const char *where);
void pl_validate_retry(pl_ctx *c, const cicd_node *n, const char *where);
void pl_validate_hooks(pl_ctx *c, const cicd_node *n, const char *where);
void pl_validate_id_tokens(pl_ctx *c, const cicd_node *n, const char *where);
void pl_validate_script_key(pl_ctx *c, const cicd_node *n, const char *where, const char *key);

/* Flattens nested sequences of scalars (scripts, rules) up to `depth` levels into items. */
int pl_flatten(pl_ctx *c, const cicd_node *n, cicd_vec *out, int depth);

/* Parallel expansion: number of instances a matrix makes (0 when invalid). */
size_t pl_matrix_size(const cicd_node *matrix);

#endif

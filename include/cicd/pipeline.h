/*
 * libcicd — pipeline: a `.gitlab-ci.yml` with everything it includes,
 * loaded into a fully resolved, validated model.
 *
 * Loading does what GitLab does before it decides which jobs run, in
 * GitLab's order:
 *
 *   1. YAML (anchors, aliases, merge keys) per file;
 *   2. `spec:inputs` header and `$[[ inputs.x ]]` interpolation per file;
 *   3. `include` (local files through the built-in reader, confined to the
 *      project root; project/remote/template/component through the
 *      caller's resolver), recursively, deep-merged: later includes win,
 *      the including file wins over everything it includes;
 *   4. `extends` (hashes merge deeply, arrays and scalars replace, several
 *      parents left to right, at most 11 levels, cycles are errors);
 *   5. `!reference [job, key, ...]` (nested, at most 10 levels);
 *   6. validation of every keyword (unknown keys, types, allowed values)
 *      and of the semantics (stages, needs, dependencies, scripts, names);
 *   7. `default` inherited into each job (respecting `inherit:default`).
 *
 * Nothing is evaluated: `rules:if`, `only:variables` and `workflow:rules`
 * expressions are kept as written with their positions, for the plan
 * module. A loaded pipeline is immutable and may be read from several
 * threads. Every pointer a getter returns is borrowed from the pipeline and
 * lives as long as it.
 */
#ifndef INCLUDE_cicd_pipeline_h__
#define INCLUDE_cicd_pipeline_h__

#include "buffer.h"
#include "common.h"
#include "diagnostics.h"
#include "document.h"
#include "expr.h"

CICD_BEGIN_DECL

typedef struct cicd_pipeline cicd_pipeline;
typedef struct cicd_job cicd_job;
typedef struct cicd_rule cicd_rule;
typedef struct cicd_need cicd_need;
typedef struct cicd_variable cicd_variable;
typedef struct cicd_job_policy cicd_job_policy;
typedef struct cicd_include_result cicd_include_result;

/* ---- includes ---------------------------------------------------------- */

typedef enum {
	CICD_INCLUDE_LOCAL = 1,    /* include:local (location: path from the project root) */
	CICD_INCLUDE_PROJECT = 2,  /* include:project + file (+ ref) */
	CICD_INCLUDE_REMOTE = 3,   /* include:remote (location: the URL) */
	CICD_INCLUDE_TEMPLATE = 4, /* include:template (location: the template name) */
	CICD_INCLUDE_COMPONENT = 5 /* include:component (location: host/path/name@version) */
} cicd_include_kind;

/* What an include asks for. Strings are borrowed for the duration of the call. */
typedef struct cicd_include_request {
	unsigned int version; /* CICD_INCLUDE_REQUEST_VERSION */
	cicd_include_kind kind;
	const char *location; /* path, URL, template or component; never NULL */
	const char *project;  /* include:project; NULL otherwise */
	const char *ref;      /* include:ref; NULL when not given */
	const char *parent;   /* name of the including file */
	unsigned int depth;   /* 1 for an include of the main file */
	/*
	 * The include's `rules` node, or NULL. The library does not evaluate
	 * expressions: give cicd_pipeline_options.include_rules to decide (for
	 * every kind of include), or let the resolver return CICD_ITEROVER to
	 * leave the file out. With neither, such includes are always read.
	 */
	const cicd_node *rules;
} cicd_include_request;

#define CICD_INCLUDE_REQUEST_VERSION 1

/*
 * Resolves one include. On success hand the file's bytes to the library
 * with cicd_include_result_set() and return 0. Return CICD_ENOTFOUND when
 * the file does not exist (the library reports it GitLab's way), or any
 * other negative code after cicd_include_result_fail() with a reason.
 */
typedef int (*cicd_include_resolver)(cicd_include_result *result, const cicd_include_request *req, void *payload);

/*
 * Gives the included file's content (copied) and a display name used in
 * positions (NULL: the location). 0, or CICD_ENOMEM.
 */
CICD_EXTERN(int) cicd_include_result_set(cicd_include_result *result, const char *data, size_t len, const char *name);

/* Records why resolving failed (copied; never put a secret in it). 0, or CICD_ENOMEM. */
CICD_EXTERN(int) cicd_include_result_fail(cicd_include_result *result, const char *message);

/*
 * Decides an include that has `rules` (GitLab evaluates them with the
 * pipeline's predefined and project variables, which only the caller
 * knows). Return 1 to read the file, 0 to leave it out, or a negative code
 * to fail the load (reported at the include).
 */
typedef int (*cicd_include_rules_cb)(const cicd_node *rules, const cicd_include_request *req, void *payload);

/* ---- loading ----------------------------------------------------------- */

/* Duplicate keys in a mapping are errors instead of warnings. */
#define CICD_PIPELINE_STRICT_KEYS (1u << 0)
/* Local includes go to the resolver too instead of the built-in reader. */
#define CICD_PIPELINE_RESOLVE_LOCAL (1u << 1)
/*
 * Compile every `rules:if` and `only/except:variables` expression with
 * cicd_expr_compile and report syntax errors (CICD_EPARSE diagnostics at
 * the offending token), as GitLab's linter does. Off by default: the plan
 * module compiles them itself when it plans.
 */
#define CICD_PIPELINE_CHECK_EXPRESSIONS (1u << 2)

typedef struct cicd_pipeline_options {
	unsigned int version;
	unsigned int flags; /* CICD_PIPELINE_* */
	/*
	 * Root for include:local. NULL: the directory of the file for
	 * cicd_pipeline_load_file(); no local includes for a buffer (unless a
	 * resolver takes them with CICD_PIPELINE_RESOLVE_LOCAL). Paths that
	 * leave the root through `..` or a symbolic link are errors.
	 */
	const char *project_root;
	cicd_include_resolver resolver; /* NULL: only local includes */
	void *resolver_payload;
	unsigned int max_includes;           /* 0: 150 files included in all (GitLab's default) */
	unsigned int max_include_depth;      /* 0: 100 levels of nested includes */
	unsigned int max_extends_depth;      /* 0: 11 levels of `extends` (a job and 10 ancestors) */
	unsigned int max_reference_depth;    /* 0: 10 levels of nested `!reference` */
	size_t max_file_bytes;               /* 0: 4 MiB per file */
	unsigned int max_yaml_depth;         /* 0: 100 levels of nesting in a file */
	size_t max_diagnostics;              /* 0: 1,000 diagnostics; further ones are counted, not kept */
	cicd_include_rules_cb include_rules; /* NULL: includes with rules are read */
	void *include_rules_payload;
	/*
	 * Version 2. Variables expanded in include locations (`local`,
	 * `remote`, `template`, `component`, `project`, `file`, `ref`): `$NAME`
	 * and `${NAME}`, undefined ones by nothing, as GitLab expands project,
	 * group, instance, predefined and pipeline variables there (not the
	 * file's `variables`). In GitLab's order: include_rules decides first
	 * (it sees the request as written), a local wildcard is matched as
	 * written, then each location (each match) is expanded; the expanded
	 * location is what the resolver gets and errors show. NULL: locations
	 * are used as written. cicd_trigger_lookup (with the trigger) gives a
	 * trigger's variables.
	 */
	cicd_expr_lookup_cb include_variables;
	void *include_variables_payload;
	/*
	 * Version 3. Secrets (the values of masked variables), shown as
	 * [MASKED] wherever an include's location, project, ref or resolver
	 * message would show them: in diagnostics and in the names of
	 * included files. Empty values are skipped; the strings are borrowed
	 * for the load. cicd_trigger_masked_values() gives a trigger's.
	 */
	const char *const *masked_values;
	size_t masked_value_count;
} cicd_pipeline_options;

#define CICD_PIPELINE_OPTIONS_VERSION 3
#define CICD_PIPELINE_OPTIONS_INIT                                                                                     \
	{                                                                                                              \
		CICD_PIPELINE_OPTIONS_VERSION, 0, NULL, NULL, NULL, 0, 0, 0, 0, 0, 0, 0, NULL, NULL, NULL, NULL, NULL, \
		    0                                                                                                  \
	}

/* Fills opts with defaults; CICD_EINVALID for an unknown version. */
CICD_EXTERN(int) cicd_pipeline_options_init(cicd_pipeline_options *opts, unsigned int version);

/*
 * Loads, resolves and validates a configuration file.
 *
 * On success returns 0 and *out is the caller's (free it with
 * cicd_pipeline_free()). When the configuration is invalid (YAML errors,
 * include failures, limits, schema or semantic errors) returns
 * CICD_EVALIDATE, *out is NULL, and cicd_error_last() describes the first
 * error. If diags is not NULL, *diags gets every error and warning, sorted
 * by file, line and column (free with cicd_diagnostics_free()); it is set
 * on success too (warnings only, possibly none). CICD_EINVALID for bad
 * arguments or options, CICD_EIO when the file cannot be read,
 * CICD_ENOMEM.
 */
CICD_EXTERN(int)
cicd_pipeline_load_file(cicd_pipeline **out, cicd_diagnostics **diags, const char *path,
                        const cicd_pipeline_options *opts);

/* The same from memory; `name` labels positions (NULL: ".gitlab-ci.yml"). */
CICD_EXTERN(int)
cicd_pipeline_load_buffer(cicd_pipeline **out, cicd_diagnostics **diags, const char *buf, size_t len, const char *name,
                          const cicd_pipeline_options *opts);

/* Frees the pipeline; NULL is fine. */
CICD_EXTERN(void) cicd_pipeline_free(cicd_pipeline *pipeline);

/* ---- the whole configuration ----------------------------------------- */

/*
 * The fully merged configuration (includes merged, `include` removed,
 * extends and !reference resolved), as GitLab's "full configuration"
 * shows it; jobs keep their own keys (no defaults filled in).
 */
CICD_EXTERN(const cicd_node *) cicd_pipeline_config(const cicd_pipeline *pipeline);

/* Writes cicd_pipeline_config() as JSON (CICD_FORMAT_* flags) to *out. */
CICD_EXTERN(int) cicd_pipeline_to_json(cicd_buf *out, const cicd_pipeline *pipeline, unsigned int flags);

/* Name of the main file. */
CICD_EXTERN(const char *) cicd_pipeline_name(const cicd_pipeline *pipeline);

/* Number of files read (the main file and every distinct include). */
CICD_EXTERN(size_t) cicd_pipeline_file_count(const cicd_pipeline *pipeline);

/* Name of file i (0 is the main file); NULL when out of range. */
CICD_EXTERN(const char *) cicd_pipeline_file(const cicd_pipeline *pipeline, size_t i);

/* Stages in order, with `.pre` first and `.post` last (as GitLab injects them). */
CICD_EXTERN(size_t) cicd_pipeline_stage_count(const cicd_pipeline *pipeline);
CICD_EXTERN(const char *) cicd_pipeline_stage(const cicd_pipeline *pipeline, size_t i);

/* Global `variables`, in file order. */
CICD_EXTERN(size_t) cicd_pipeline_variable_count(const cicd_pipeline *pipeline);
CICD_EXTERN(const cicd_variable *) cicd_pipeline_variable(const cicd_pipeline *pipeline, size_t i);

/* The `default` section (after extends/!reference), or NULL. */
CICD_EXTERN(const cicd_node *) cicd_pipeline_default(const cicd_pipeline *pipeline);

/* ---- workflow ---------------------------------------------------------- */

/* 1 when the file has `workflow:rules` (it changes the default `only`, see cicd_job_only). */
CICD_EXTERN(int) cicd_pipeline_has_workflow_rules(const cicd_pipeline *pipeline);
CICD_EXTERN(size_t) cicd_pipeline_workflow_rule_count(const cicd_pipeline *pipeline);
CICD_EXTERN(const cicd_rule *) cicd_pipeline_workflow_rule(const cicd_pipeline *pipeline, size_t i);

/* `workflow:name`, unexpanded, or NULL. */
CICD_EXTERN(const char *) cicd_pipeline_workflow_name(const cicd_pipeline *pipeline);

/* `workflow:auto_cancel:on_new_commit` / `on_job_failure`, or NULL when not set. */
CICD_EXTERN(const char *) cicd_pipeline_auto_cancel_on_new_commit(const cicd_pipeline *pipeline);
CICD_EXTERN(const char *) cicd_pipeline_auto_cancel_on_job_failure(const cicd_pipeline *pipeline);

/* ---- jobs -------------------------------------------------------------- */

/*
 * Visible jobs (hidden `.name` templates excluded), in the order of the
 * merged configuration: included files first, in include order, then
 * the including file's own jobs (a job redefined later keeps its first
 * position, as with a Ruby hash). Parallel jobs are one entry each; see
 * cicd_job_parallel().
 */
CICD_EXTERN(size_t) cicd_pipeline_job_count(const cicd_pipeline *pipeline);
CICD_EXTERN(const cicd_job *) cicd_pipeline_job(const cicd_pipeline *pipeline, size_t i);

/* Looks a job up by name; CICD_ENOTFOUND when there is none. */
CICD_EXTERN(int) cicd_pipeline_job_by_name(const cicd_job **out, const cicd_pipeline *pipeline, const char *name);

/* An iterator over the jobs: _next gives each job, then CICD_ITEROVER. */
typedef struct cicd_job_iterator cicd_job_iterator;
CICD_EXTERN(int) cicd_job_iterator_new(cicd_job_iterator **out, const cicd_pipeline *pipeline);
CICD_EXTERN(int) cicd_job_iterator_next(const cicd_job **out, cicd_job_iterator *it);
CICD_EXTERN(void) cicd_job_iterator_free(cicd_job_iterator *it);

CICD_EXTERN(const char *) cicd_job_name(const cicd_job *job);

/*
 * The job's effective configuration: its keys after extends and
 * !reference, with the inherited `default` keys filled in. Read any
 * keyword not covered by a typed accessor from here (cache, artifacts,
 * services, release, secrets, id_tokens, hooks, pages, ...).
 */
CICD_EXTERN(const cicd_node *) cicd_job_config(const cicd_job *job);

/* The node of one keyword in cicd_job_config(), or NULL when absent. */
CICD_EXTERN(const cicd_node *) cicd_job_get(const cicd_job *job, const char *key);

/* Where the job is defined (its key in the file). */
CICD_EXTERN(const char *) cicd_job_file(const cicd_job *job);
CICD_EXTERN(unsigned int) cicd_job_line(const cicd_job *job);
CICD_EXTERN(unsigned int) cicd_job_column(const cicd_job *job);

/* The stage (default "test"). */
CICD_EXTERN(const char *) cicd_job_stage(const cicd_job *job);

/* Job-level `when` (default "on_success"), and `start_in` for delayed jobs or NULL. */
CICD_EXTERN(const char *) cicd_job_when(const cicd_job *job);
CICD_EXTERN(const char *) cicd_job_start_in(const cicd_job *job);

/*
 * Job-level allow_failure: 1 or 0 as written, or -1 when not written
 * (GitLab then takes 1 for a job-level `when: manual` without rules, 0
 * otherwise; a rule's own allow_failure wins). Exit codes of
 * `allow_failure:exit_codes` (then allow_failure reads 0).
 */
CICD_EXTERN(int) cicd_job_allow_failure(const cicd_job *job);
CICD_EXTERN(size_t) cicd_job_allow_failure_exit_code_count(const cicd_job *job);
CICD_EXTERN(int) cicd_job_allow_failure_exit_code(const cicd_job *job, size_t i);

/* 1 for a trigger job (downstream pipeline), 0 otherwise. */
CICD_EXTERN(int) cicd_job_is_trigger(const cicd_job *job);

/* `trigger` parts: project (multi-project) or NULL, branch or NULL, strategy ("depend") or NULL. */
CICD_EXTERN(const char *) cicd_job_trigger_project(const cicd_job *job);
CICD_EXTERN(const char *) cicd_job_trigger_branch(const cicd_job *job);
CICD_EXTERN(const char *) cicd_job_trigger_strategy(const cicd_job *job);

/*
 * Scripts, flattened (nested arrays from anchors or !reference): number of
 * lines and line i. `which` is "script", "before_script" or "after_script"
 * (the latter two include what `default` gives).
 */
CICD_EXTERN(size_t) cicd_job_script_count(const cicd_job *job, const char *which);
CICD_EXTERN(const char *) cicd_job_script(const cicd_job *job, const char *which, size_t i);

/* `rules` in order (flattened), or none. */
CICD_EXTERN(int) cicd_job_has_rules(const cicd_job *job);
CICD_EXTERN(size_t) cicd_job_rule_count(const cicd_job *job);
CICD_EXTERN(const cicd_rule *) cicd_job_rule(const cicd_job *job, size_t i);

/*
 * `only` and `except` in their full form (`only: [main]` reads as refs:
 * [main]). cicd_job_only() is NULL when the job has `rules`, when
 * `workflow:rules` exist and the job has no `only`, and otherwise gives
 * GitLab's default `only: refs: [branches, tags]` when none is written
 * (cicd_job_policy_is_default() says so). cicd_job_except() is NULL when
 * not written.
 */
CICD_EXTERN(const cicd_job_policy *) cicd_job_only(const cicd_job *job);
CICD_EXTERN(const cicd_job_policy *) cicd_job_except(const cicd_job *job);

/* `needs`: -1 when not written (stage order), else the number of entries (0 for `needs: []`). */
CICD_EXTERN(long) cicd_job_need_count(const cicd_job *job);
CICD_EXTERN(const cicd_need *) cicd_job_need(const cicd_job *job, size_t i);

/* `dependencies`: -1 when not written, else the count; names in order. */
CICD_EXTERN(long) cicd_job_dependency_count(const cicd_job *job);
CICD_EXTERN(const char *) cicd_job_dependency(const cicd_job *job, size_t i);

/* Job `variables`, in file order. */
CICD_EXTERN(size_t) cicd_job_variable_count(const cicd_job *job);
CICD_EXTERN(const cicd_variable *) cicd_job_variable(const cicd_job *job, size_t i);

/*
 * `inherit`: whether global default key `key` (such as "image") or global
 * variable `name` reaches this job. 1 or 0.
 */
CICD_EXTERN(int) cicd_job_inherits_default(const cicd_job *job, const char *key);
CICD_EXTERN(int) cicd_job_inherits_variable(const cicd_job *job, const char *name);

/*
 * `parallel`: 0 when absent; N for `parallel: N`; for `parallel:matrix`
 * the number of jobs the matrix expands to. cicd_job_parallel_matrix()
 * is the matrix node (a sequence of mappings) or NULL.
 */
CICD_EXTERN(unsigned int) cicd_job_parallel(const cicd_job *job);
CICD_EXTERN(const cicd_node *) cicd_job_parallel_matrix(const cicd_job *job);

/*
 * The instances `parallel` makes, in GitLab's order and names:
 * "job 1/3", or "job: [amd64, linux]" for a matrix. Without `parallel`
 * there is one instance named as the job. For a matrix instance,
 * cicd_job_instance_variable_count/_variable give its variables (the
 * matrix values) in key order.
 */
CICD_EXTERN(size_t) cicd_job_instance_count(const cicd_job *job);
CICD_EXTERN(const char *) cicd_job_instance_name(const cicd_job *job, size_t i);
CICD_EXTERN(size_t) cicd_job_instance_variable_count(const cicd_job *job, size_t i);
CICD_EXTERN(int)
cicd_job_instance_variable(const char **name, const char **value, const cicd_job *job, size_t i, size_t v);

/* Plain keywords, NULL when absent: image name, resource_group, environment name and action, timeout, coverage. */
CICD_EXTERN(const char *) cicd_job_image(const cicd_job *job);
CICD_EXTERN(const char *) cicd_job_resource_group(const cicd_job *job);
CICD_EXTERN(const char *) cicd_job_environment(const cicd_job *job);
CICD_EXTERN(const char *) cicd_job_environment_action(const cicd_job *job);
CICD_EXTERN(const char *) cicd_job_timeout(const cicd_job *job);
CICD_EXTERN(const char *) cicd_job_coverage(const cicd_job *job);

/* `tags` (including default ones). */
CICD_EXTERN(size_t) cicd_job_tag_count(const cicd_job *job);
CICD_EXTERN(const char *) cicd_job_tag(const cicd_job *job, size_t i);

/* `interruptible`: 1, 0, or -1 when not set. */
CICD_EXTERN(int) cicd_job_interruptible(const cicd_job *job);

/* `retry`: max (0 when absent) and the `when` list. */
CICD_EXTERN(unsigned int) cicd_job_retry_max(const cicd_job *job);
CICD_EXTERN(size_t) cicd_job_retry_when_count(const cicd_job *job);
CICD_EXTERN(const char *) cicd_job_retry_when(const cicd_job *job, size_t i);

/* `extends` as written (parents, in order). */
CICD_EXTERN(size_t) cicd_job_extends_count(const cicd_job *job);
CICD_EXTERN(const char *) cicd_job_extends(const cicd_job *job, size_t i);

/* ---- rules (job rules and workflow rules) ------------------------------ */

/* `if` as written, or NULL; its node gives the position for expression errors. */
CICD_EXTERN(const char *) cicd_rule_if(const cicd_rule *rule);
CICD_EXTERN(const cicd_node *) cicd_rule_if_node(const cicd_rule *rule);

/* `when` of the rule, or NULL when the rule does not set it. */
CICD_EXTERN(const char *) cicd_rule_when(const cicd_rule *rule);
CICD_EXTERN(const char *) cicd_rule_start_in(const cicd_rule *rule);

/* `allow_failure`: 1, 0, or -1 when the rule does not set it. */
CICD_EXTERN(int) cicd_rule_allow_failure(const cicd_rule *rule);

/*
 * `changes` paths (`changes: [..]` or `changes: {paths: [..]}`) and
 * `changes:compare_to` (NULL when absent); cicd_rule_has_changes() tells
 * an absent clause from an empty one. Likewise `exists` (paths, and
 * `exists:project` / `exists:ref`).
 */
CICD_EXTERN(int) cicd_rule_has_changes(const cicd_rule *rule);
CICD_EXTERN(size_t) cicd_rule_changes_count(const cicd_rule *rule);
CICD_EXTERN(const char *) cicd_rule_changes(const cicd_rule *rule, size_t i);
CICD_EXTERN(const char *) cicd_rule_changes_compare_to(const cicd_rule *rule);
CICD_EXTERN(int) cicd_rule_has_exists(const cicd_rule *rule);
CICD_EXTERN(size_t) cicd_rule_exists_count(const cicd_rule *rule);
CICD_EXTERN(const char *) cicd_rule_exists(const cicd_rule *rule, size_t i);
CICD_EXTERN(const char *) cicd_rule_exists_project(const cicd_rule *rule);
CICD_EXTERN(const char *) cicd_rule_exists_ref(const cicd_rule *rule);

/* `variables` the rule sets, in order. */
CICD_EXTERN(size_t) cicd_rule_variable_count(const cicd_rule *rule);
CICD_EXTERN(const cicd_variable *) cicd_rule_variable(const cicd_rule *rule, size_t i);

/* `needs` the rule sets: -1 when it sets none, else the count. */
CICD_EXTERN(long) cicd_rule_need_count(const cicd_rule *rule);
CICD_EXTERN(const cicd_need *) cicd_rule_need(const cicd_rule *rule, size_t i);

/* Position of the rule (its mapping). */
CICD_EXTERN(const cicd_node *) cicd_rule_node(const cicd_rule *rule);

/* ---- only / except ----------------------------------------------------- */

/* 1 when this is GitLab's implicit `only: [branches, tags]`. */
CICD_EXTERN(int) cicd_job_policy_is_default(const cicd_job_policy *policy);
/* `refs` entries as written ("branches", "main", "/^release/", "main@group/project"). */
CICD_EXTERN(size_t) cicd_job_policy_ref_count(const cicd_job_policy *policy);
CICD_EXTERN(const char *) cicd_job_policy_ref(const cicd_job_policy *policy, size_t i);
/* `variables` expressions (ORed), as written, with their nodes for positions. */
CICD_EXTERN(size_t) cicd_job_policy_variable_count(const cicd_job_policy *policy);
CICD_EXTERN(const char *) cicd_job_policy_variable(const cicd_job_policy *policy, size_t i);
CICD_EXTERN(const cicd_node *) cicd_job_policy_variable_node(const cicd_job_policy *policy, size_t i);
/* `changes` paths. */
CICD_EXTERN(int) cicd_job_policy_has_changes(const cicd_job_policy *policy);
CICD_EXTERN(size_t) cicd_job_policy_changes_count(const cicd_job_policy *policy);
CICD_EXTERN(const char *) cicd_job_policy_changes(const cicd_job_policy *policy, size_t i);
/* `kubernetes` ("active") or NULL. */
CICD_EXTERN(const char *) cicd_job_policy_kubernetes(const cicd_job_policy *policy);

/* ---- needs ------------------------------------------------------------- */

/* The needed job's name (for a cross-pipeline need, the job in that pipeline). */
CICD_EXTERN(const char *) cicd_need_job(const cicd_need *need);
/* `optional` (default 0) and `artifacts` (default 1). */
CICD_EXTERN(int) cicd_need_optional(const cicd_need *need);
CICD_EXTERN(int) cicd_need_artifacts(const cicd_need *need);
/* `project` (and `ref`) for cross-project needs, `pipeline` for parent-pipeline needs; NULL otherwise. */
CICD_EXTERN(const char *) cicd_need_project(const cicd_need *need);
CICD_EXTERN(const char *) cicd_need_ref(const cicd_need *need);
CICD_EXTERN(const char *) cicd_need_pipeline(const cicd_need *need);
/* `parallel:matrix` selecting instances of the needed job, or NULL. */
CICD_EXTERN(const cicd_node *) cicd_need_matrix(const cicd_need *need);
CICD_EXTERN(const cicd_node *) cicd_need_node(const cicd_need *need);

/* ---- variables --------------------------------------------------------- */

CICD_EXTERN(const char *) cicd_variable_name(const cicd_variable *var);
/*
 * The value as text (numbers and booleans as written), "" for a variable
 * with only a description, never NULL.
 */
CICD_EXTERN(const char *) cicd_variable_value(const cicd_variable *var);
CICD_EXTERN(const char *) cicd_variable_description(const cicd_variable *var); /* NULL when none */
/* `expand` (default 1). */
CICD_EXTERN(int) cicd_variable_expand(const cicd_variable *var);
/* `options` (allowed values for a manual run). */
CICD_EXTERN(size_t) cicd_variable_option_count(const cicd_variable *var);
CICD_EXTERN(const char *) cicd_variable_option(const cicd_variable *var, size_t i);
CICD_EXTERN(const cicd_node *) cicd_variable_node(const cicd_variable *var);

CICD_END_DECL

#endif

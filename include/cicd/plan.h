/*
 * libcicd — plan: the pipeline GitLab would create for a trigger.
 *
 * Given a loaded pipeline (pipeline.h) and a trigger (branch push, tag
 * push, merge request, schedule, web, api, trigger, parent pipeline, ...),
 * a plan says whether a pipeline is created and, if so, which jobs it has,
 * in which stages, with which `when`, `allow_failure`, `start_in`, `needs`
 * and variables, and the DAG they form.
 *
 * GitLab's order is followed: predefined variables for the trigger, global
 * variables, user (pipeline) variables; `workflow:rules` (first match,
 * `when: never` or no match means no pipeline; its `variables` and
 * `workflow:name`); then per job instance (`parallel` and `parallel:matrix`
 * expanded first, matrix values visible to rules) `rules` (first match
 * wins, all clauses of a rule must hold) or `only`/`except`; then `needs`
 * resolved against the jobs that remain (a missing non-optional need is a
 * pipeline-creation error); stages without jobs are dropped.
 *
 * A planner compiles every expression of a pipeline once; plans are then
 * made from it for as many triggers as needed. The pipeline must outlive
 * the planner and its plans.
 */
#ifndef INCLUDE_cicd_plan_h__
#define INCLUDE_cicd_plan_h__

#include "common.h"
#include "buffer.h"
#include "pipeline.h"

CICD_BEGIN_DECL

/* ---- the trigger ------------------------------------------------------- */

typedef struct cicd_trigger cicd_trigger;

typedef enum {
	CICD_TRIGGER_BRANCH = 1,       /* a pipeline for a branch (push, schedule, web, api, ...) */
	CICD_TRIGGER_TAG = 2,          /* a pipeline for a tag */
	CICD_TRIGGER_MERGE_REQUEST = 3 /* a merge-request pipeline; ref is the source branch */
} cicd_trigger_kind;

/*
 * A trigger for `ref` (branch, tag, or the merge request's source branch).
 * CI_PIPELINE_SOURCE is "push" (or "merge_request_event" for a merge
 * request) until cicd_trigger_set_source() changes it; the default branch
 * is "main", the project "group/project". Free with cicd_trigger_free().
 */
CICD_EXTERN(int) cicd_trigger_new(cicd_trigger **out, cicd_trigger_kind kind, const char *ref);
CICD_EXTERN(void) cicd_trigger_free(cicd_trigger *trigger);

/* CI_PIPELINE_SOURCE: push, web, api, schedule, trigger, pipeline, parent_pipeline, chat, external, ... */
CICD_EXTERN(int) cicd_trigger_set_source(cicd_trigger *trigger, const char *source);
CICD_EXTERN(int) cicd_trigger_set_default_branch(cicd_trigger *trigger, const char *branch);
/* CI_PROJECT_PATH ("group/project"); also names the project in `only: [ref@group/project]`. */
CICD_EXTERN(int) cicd_trigger_set_project(cicd_trigger *trigger, const char *path);
/* CI_COMMIT_SHA (40 hex digits) and CI_COMMIT_SHORT_SHA (its first 8); unset until given. */
CICD_EXTERN(int) cicd_trigger_set_sha(cicd_trigger *trigger, const char *sha);

/*
 * Merge-request details (kind CICD_TRIGGER_MERGE_REQUEST only): target
 * branch, IID (> 0), event type ("detached", "merged_result",
 * "merge_train"; NULL: "detached"), labels (comma-separated; NULL: none),
 * title (NULL: none). CICD_EINVALID for another kind.
 */
CICD_EXTERN(int) cicd_trigger_set_merge_request(cicd_trigger *trigger, const char *target_branch, unsigned int iid,
						const char *event_type, const char *labels, const char *title);

/* CI_OPEN_MERGE_REQUESTS for a branch pipeline whose branch is the source of open MRs ("group/project!12"). */
CICD_EXTERN(int) cicd_trigger_set_open_merge_requests(cicd_trigger *trigger, const char *value);

/*
 * A pipeline variable (given when the pipeline is run by hand, by a
 * schedule, by the API or a trigger): these win over every variable in
 * the file. Setting a name again replaces the value.
 */
CICD_EXTERN(int) cicd_trigger_set_variable(cicd_trigger *trigger, const char *name, const char *value);

/*
 * A pipeline variable whose value is a secret (a masked CI/CD variable):
 * as cicd_trigger_set_variable, and its value is listed by
 * cicd_trigger_masked_values() so that what the library shows masks it.
 * Setting the name again with cicd_trigger_set_variable unmasks it.
 */
CICD_EXTERN(int) cicd_trigger_set_masked_variable(cicd_trigger *trigger, const char *name, const char *value);

/*
 * The non-empty values of the trigger's masked variables, *count of them,
 * for cicd_pipeline_options.masked_values: include errors then show
 * [MASKED] where a location held one. Borrowed from the trigger, valid
 * until its variables change or it is freed. NULL (and *count 0) when
 * there are none.
 */
CICD_EXTERN(const char *const *) cicd_trigger_masked_values(const cicd_trigger *trigger, size_t *count);

/*
 * Adds a changed path (relative to the project root). Once one is added
 * the changes are known and `changes` clauses compare against them;
 * without any, `changes` is always true, as GitLab does for new branches,
 * tags and pipelines without a push. cicd_trigger_set_changes_known()
 * says "known, and nothing changed".
 */
CICD_EXTERN(int) cicd_trigger_add_changed(cicd_trigger *trigger, const char *path);
CICD_EXTERN(int) cicd_trigger_set_changes_known(cicd_trigger *trigger);

/*
 * Answers `exists`: set *found to 1 when a file of the repository matches
 * `glob` (GitLab's File.fnmatch with FNM_PATHNAME | FNM_DOTMATCH |
 * FNM_EXTGLOB), else 0. Return 0, or a negative code to stop planning
 * (returned by cicd_plan_create()). Without a callback, no file exists.
 */
typedef int (*cicd_exists_cb)(int *found, const char *glob, void *payload);

/* 1 when path matches glob as GitLab matches `changes` and `exists` (see above), else 0. */
CICD_EXTERN(int) cicd_plan_glob_match(const char *glob, const char *path);
CICD_EXTERN(int) cicd_trigger_set_exists(cicd_trigger *trigger, cicd_exists_cb cb, void *payload);

/* The paths a compare callback fills. */
typedef struct cicd_path_list cicd_path_list;

/* Adds a path (copied) to the list. 0, CICD_EINVALID for NULL, or CICD_ENOMEM. */
CICD_EXTERN(int) cicd_path_list_add(cicd_path_list *list, const char *path);

/*
 * Answers `changes:compare_to: REF` (REF with its variables expanded): add
 * to `changed` every path that differs between the merge base of REF and
 * the pipeline's commit, and that commit, as GitLab does (what
 * `git diff --name-only REF...SHA` lists). Return 0; CICD_ENOTFOUND when
 * REF names no commit, which GitLab reports for a job as "Failed to parse
 * rule for JOB: rules:changes:compare_to is not a valid ref" (the plan
 * fails with CICD_EVALIDATE), for the workflow by creating no pipeline,
 * and for an include by failing the load; any other negative code stops
 * planning and is returned. Called once per REF and plan (the answer is
 * kept for the plan), from the thread that plans. Without a callback,
 * compare_to compares with the trigger's changed paths like plain
 * `changes`.
 */
typedef int (*cicd_compare_cb)(cicd_path_list *changed, const char *ref, void *payload);
CICD_EXTERN(int) cicd_trigger_set_compare(cicd_trigger *trigger, cicd_compare_cb cb, void *payload);

/* ---- includes, decided for the trigger ------------------------------------ */

/*
 * For cicd_pipeline_options.include_variables, with the trigger as payload:
 * what GitLab expands in include locations, the trigger's pipeline
 * variables over its predefined ones (CI_COMMIT_REF_NAME,
 * CI_PROJECT_PATH, ...). Values are borrowed from the trigger.
 */
CICD_EXTERN(int) cicd_trigger_lookup(const char **value, size_t *len, const char *name, void *trigger);

/*
 * For cicd_pipeline_options.include_rules, with the trigger as payload:
 * decides an include's `rules` as GitLab does while reading the
 * configuration, with the trigger's variables only (the files'
 * `variables` are not merged yet), its changed paths and its exists
 * callback. The first rule whose `if`, `changes` and `exists` all hold
 * decides and `when: never` leaves the file out; no match leaves it out.
 * Returns 1 to read the file, 0 to leave it out, or a negative code
 * (CICD_EPARSE for an `if` that does not compile).
 */
CICD_EXTERN(int) cicd_trigger_include_rules(const cicd_node *rules, const cicd_include_request *req, void *trigger);

/* ---- the planner ------------------------------------------------------- */

typedef struct cicd_planner cicd_planner;

typedef struct cicd_planner_options {
	unsigned int version;
	size_t max_jobs;          /* 0: 50,000 job instances in one plan (CICD_ELIMIT above) */
} cicd_planner_options;

#define CICD_PLANNER_OPTIONS_VERSION 1
#define CICD_PLANNER_OPTIONS_INIT {CICD_PLANNER_OPTIONS_VERSION, 0}

/* Fills opts with defaults; CICD_EINVALID for an unknown version. */
CICD_EXTERN(int) cicd_planner_options_init(cicd_planner_options *opts, unsigned int version);

/*
 * Compiles every `rules:if`, `workflow:rules:if` and `only/except:
 * variables` expression of the pipeline. CICD_EPARSE with the
 * expression's file, line and column when one is invalid. The pipeline
 * is borrowed and must outlive the planner. opts may be NULL.
 */
CICD_EXTERN(int) cicd_planner_new(cicd_planner **out, const cicd_pipeline *pipeline,
				  const cicd_planner_options *opts);
CICD_EXTERN(void) cicd_planner_free(cicd_planner *planner);

/* ---- the plan ---------------------------------------------------------- */

typedef struct cicd_plan cicd_plan;
typedef struct cicd_plan_job cicd_plan_job;

/*
 * Plans the pipeline for a trigger. Returns 0 with a plan that is either
 * created or not (cicd_plan_created() and cicd_plan_reason()). Returns
 * CICD_EVALIDATE when GitLab would fail to create the pipeline (a job
 * needs a job that is not in this pipeline, ...), with GitLab's message
 * and the position of the offending keyword in cicd_error_last();
 * CICD_ENOMEM; or the exists callback's negative code.
 */
CICD_EXTERN(int) cicd_plan_create(cicd_plan **out, const cicd_planner *planner, const cicd_trigger *trigger);
CICD_EXTERN(void) cicd_plan_free(cicd_plan *plan);

/* 1 when GitLab creates a pipeline, 0 when not. */
CICD_EXTERN(int) cicd_plan_created(const cicd_plan *plan);

/* Why no pipeline is created (GitLab's message), or NULL when it is. Borrowed. */
CICD_EXTERN(const char *) cicd_plan_reason(const cicd_plan *plan);

/* `workflow:name` with variables expanded, or NULL when none. Borrowed. */
CICD_EXTERN(const char *) cicd_plan_name(const cicd_plan *plan);

/* Stages that have jobs, in order. Borrowed. */
CICD_EXTERN(size_t) cicd_plan_stage_count(const cicd_plan *plan);
CICD_EXTERN(const char *) cicd_plan_stage(const cicd_plan *plan, size_t i);

/*
 * The value of a pipeline-level variable (predefined, global, workflow
 * rule or pipeline variable) as the plan saw it; CICD_ENOTFOUND when
 * undefined. *value is borrowed from the plan.
 */
CICD_EXTERN(int) cicd_plan_variable(const char **value, const cicd_plan *plan, const char *name);

/* Jobs in stage order, then file order. Borrowed from the plan. */
CICD_EXTERN(size_t) cicd_plan_job_count(const cicd_plan *plan);
CICD_EXTERN(const cicd_plan_job *) cicd_plan_job_at(const cicd_plan *plan, size_t i);

/* The job's name (an instance name for parallel jobs: "test 1/3", "build: [amd64]"). */
CICD_EXTERN(const char *) cicd_plan_job_name(const cicd_plan_job *job);
CICD_EXTERN(const char *) cicd_plan_job_stage(const cicd_plan_job *job);
/* on_success, on_failure, always, manual or delayed. */
CICD_EXTERN(const char *) cicd_plan_job_when(const cicd_plan_job *job);
CICD_EXTERN(int) cicd_plan_job_allow_failure(const cicd_plan_job *job);
/* `start_in` of a delayed job, or NULL. */
CICD_EXTERN(const char *) cicd_plan_job_start_in(const cicd_plan_job *job);
/* The pipeline job it comes from. */
CICD_EXTERN(const cicd_job *) cicd_plan_job_source(const cicd_plan_job *job);

/*
 * `needs` after rules and parallel expansion: -1 when the job has none
 * (it waits for the earlier stages), else the number of needed job
 * instances in this pipeline (optional needs that are absent are left out).
 */
CICD_EXTERN(long) cicd_plan_job_need_count(const cicd_plan_job *job);
CICD_EXTERN(const char *) cicd_plan_job_need(const cicd_plan_job *job, size_t i);

/*
 * The job's own variables as the plan sets them: job `variables`, then
 * matrix values, then the matching rule's `variables` (later ones win),
 * unexpanded, in first-definition order.
 */
CICD_EXTERN(size_t) cicd_plan_job_variable_count(const cicd_plan_job *job);
CICD_EXTERN(int) cicd_plan_job_variable(const char **name, const char **value, const cicd_plan_job *job, size_t i);

/* ---- the DAG ----------------------------------------------------------- */

/*
 * Prerequisites of job i: the jobs it needs, or, without `needs`, every
 * job of the earlier stages. Indices into the plan's jobs.
 */
CICD_EXTERN(size_t) cicd_plan_job_prerequisite_count(const cicd_plan *plan, size_t i);
CICD_EXTERN(size_t) cicd_plan_job_prerequisite(const cicd_plan *plan, size_t i, size_t k);

/* A topological order of the jobs (ties in plan order): the k-th job index. */
CICD_EXTERN(size_t) cicd_plan_topological(const cicd_plan *plan, size_t k);

/*
 * The critical path: the longest chain of prerequisites, counted in jobs
 * (ties go to the earliest job in plan order), from its first job to its
 * last.
 */
CICD_EXTERN(size_t) cicd_plan_critical_path_count(const cicd_plan *plan);
CICD_EXTERN(size_t) cicd_plan_critical_path(const cicd_plan *plan, size_t k);

/*
 * Writes the plan as JSON (docs/plan.md):
 * {"created", "name", "stages", "jobs": [{"name", "stage", "when",
 * "allow_failure", "needs", "start_in", "variables"}]}. flags:
 * CICD_FORMAT_PRETTY.
 */
CICD_EXTERN(int) cicd_plan_to_json(cicd_buf *out, const cicd_plan *plan, unsigned int flags);

CICD_END_DECL

#endif

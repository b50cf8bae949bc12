/* The planner: every expression of a pipeline compiled once, variables read once. */
#include <stdio.h>
#include <string.h>

#include "core/alloc.h"
#include "core/error.h"
#include "internal.h"

#define DEFAULT_MAX_JOBS 50000u

int cicd_planner_options_init(cicd_planner_options *opts, unsigned int version)
{
	static const cicd_planner_options defaults = CICD_PLANNER_OPTIONS_INIT;
	if (!opts || version != CICD_PLANNER_OPTIONS_VERSION)
		return cicd__error_set(CICD_EINVALID, "unknown cicd_planner_options version %u", version);
	*opts = defaults;
	return 0;
}

/* Compiles an expression written in a YAML scalar, with errors placed in the file. */
static int compile_at(cicd_expr **out, const char *text, const cicd_node *node, const char *where)
{
	cicd_expr_options eo = CICD_EXPR_OPTIONS_INIT;
	int rc;
	if (node) {
		cicd_scalar_style style = cicd_node_scalar_style(node);
		eo.file = cicd_node_file(node);
		eo.line = cicd_node_line(node);
		eo.column = cicd_node_column(node) +
			    (style == CICD_SCALAR_SINGLE_QUOTED || style == CICD_SCALAR_DOUBLE_QUOTED ? 1 : 0);
	}
	rc = cicd_expr_compile(out, text, strlen(text), &eo);
	if (rc == CICD_EPARSE)
		cicd__error_prefix("%s ", where);
	return rc;
}

static int compile_rules(compiled_rule **out, size_t *count, size_t n, const cicd_rule *(*get)(const void *, size_t),
			 const void *owner, const char *where)
{
	size_t i;
	int rc;
	*count = 0;
	if (!n) {
		*out = NULL;
		return 0;
	}
	if (!(*out = cicd__calloc(n, sizeof **out)))
		return cicd__error_oom();
	for (i = 0; i < n; i++) {
		const cicd_rule *rule = get(owner, i);
		const char *text = cicd_rule_if(rule);
		(*out)[i].rule = rule;
		(*count)++;
		if (text && (rc = compile_at(&(*out)[i].expr, text, cicd_rule_if_node(rule), where)) != 0)
			return rc;
	}
	return 0;
}

static const cicd_rule *job_rule(const void *owner, size_t i)
{
	return cicd_job_rule(owner, i);
}

static const cicd_rule *workflow_rule(const void *owner, size_t i)
{
	return cicd_pipeline_workflow_rule(owner, i);
}

static int compile_policy(cicd_expr ***out, size_t *count, const cicd_job_policy *p, const char *where)
{
	size_t i, n = p ? cicd_job_policy_variable_count(p) : 0;
	int rc;
	*count = 0;
	*out = NULL;
	if (!n)
		return 0;
	if (!(*out = cicd__calloc(n, sizeof **out)))
		return cicd__error_oom();
	for (i = 0; i < n; i++) {
		(*count)++;
		if ((rc = compile_at(&(*out)[i], cicd_job_policy_variable(p, i), cicd_job_policy_variable_node(p, i), where)) != 0)
			return rc;
	}
	return 0;
}

static int read_variables(plan_vars *out, size_t n, const cicd_variable *(*get)(const void *, size_t), const void *owner)
{
	size_t i;
	int rc;
	for (i = 0; i < n; i++) {
		const cicd_variable *v = get(owner, i);
		if ((rc = cicd__vars_set(out, cicd_variable_name(v), cicd_variable_value(v), !cicd_variable_expand(v))) != 0)
			return rc;
	}
	return 0;
}

static const cicd_variable *pipeline_variable(const void *owner, size_t i)
{
	return cicd_pipeline_variable(owner, i);
}

static const cicd_variable *job_variable(const void *owner, size_t i)
{
	return cicd_job_variable(owner, i);
}

static size_t stage_index(const cicd_pipeline *p, const char *stage)
{
	size_t i;
	for (i = 0; i < cicd_pipeline_stage_count(p); i++)
		if (strcmp(cicd_pipeline_stage(p, i), stage) == 0)
			return i;
	return cicd_pipeline_stage_count(p); /* the loader rejects unknown stages; sort such a job last */
}

static int prepare_job(planner_job *pj, const cicd_pipeline *p, const cicd_job *job)
{
	char where[512];
	int rc;
	pj->job = job;
	pj->stage_index = stage_index(p, cicd_job_stage(job));
	snprintf(where, sizeof where, "jobs:%s:rules:rule if", cicd_job_name(job));
	if ((rc = compile_rules(&pj->rules, &pj->nrules, cicd_job_rule_count(job), job_rule, job, where)) != 0)
		return rc;
	snprintf(where, sizeof where, "jobs:%s:only variables", cicd_job_name(job));
	if ((rc = compile_policy(&pj->only_vars, &pj->n_only, cicd_job_only(job), where)) != 0)
		return rc;
	snprintf(where, sizeof where, "jobs:%s:except variables", cicd_job_name(job));
	if ((rc = compile_policy(&pj->except_vars, &pj->n_except, cicd_job_except(job), where)) != 0)
		return rc;
	return read_variables(&pj->vars, cicd_job_variable_count(job), job_variable, job);
}

int cicd_planner_new(cicd_planner **out, const cicd_pipeline *pipeline, const cicd_planner_options *opts)
{
	cicd_planner *pl;
	size_t i;
	int rc;
	if (!out || !pipeline)
		return cicd__error_set(CICD_EINVALID, "cicd_planner_new: out or pipeline is NULL");
	*out = NULL;
	if (opts && opts->version != CICD_PLANNER_OPTIONS_VERSION)
		return cicd__error_set(CICD_EINVALID, "unknown cicd_planner_options version %u", opts->version);
	if (!(pl = cicd__calloc(1, sizeof *pl)))
		return cicd__error_oom();
	pl->pipeline = pipeline;
	pl->max_jobs = opts && opts->max_jobs ? opts->max_jobs : DEFAULT_MAX_JOBS;
	pl->njobs = cicd_pipeline_job_count(pipeline);
	if (pl->njobs && !(pl->jobs = cicd__calloc(pl->njobs, sizeof *pl->jobs))) {
		cicd__free(pl);
		return cicd__error_oom();
	}
	rc = compile_rules(&pl->workflow, &pl->nworkflow, cicd_pipeline_workflow_rule_count(pipeline), workflow_rule,
			   pipeline, "workflow:rules:rule if");
	if (!rc)
		rc = read_variables(&pl->global, cicd_pipeline_variable_count(pipeline), pipeline_variable, pipeline);
	for (i = 0; !rc && i < pl->njobs; i++)
		rc = prepare_job(&pl->jobs[i], pipeline, cicd_pipeline_job(pipeline, i));
	if (rc) {
		cicd_planner_free(pl);
		return rc;
	}
	*out = pl;
	return 0;
}

static void free_rules(compiled_rule *rules, size_t n)
{
	size_t i;
	for (i = 0; i < n; i++)
		cicd_expr_free(rules[i].expr);
	cicd__free(rules);
}

static void free_exprs(cicd_expr **e, size_t n)
{
	size_t i;
	for (i = 0; i < n; i++)
		cicd_expr_free(e[i]);
	cicd__free(e);
}

void cicd_planner_free(cicd_planner *pl)
{
	size_t i;
	if (!pl)
		return;
	for (i = 0; i < pl->njobs; i++) {
		free_rules(pl->jobs[i].rules, pl->jobs[i].nrules);
		free_exprs(pl->jobs[i].only_vars, pl->jobs[i].n_only);
		free_exprs(pl->jobs[i].except_vars, pl->jobs[i].n_except);
		cicd__vars_dispose(&pl->jobs[i].vars);
	}
	cicd__free(pl->jobs);
	free_rules(pl->workflow, pl->nworkflow);
	cicd__vars_dispose(&pl->global);
	cicd__free(pl);
}

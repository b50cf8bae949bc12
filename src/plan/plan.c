/*
 * Making a plan: GitLab's pipeline creation for one trigger. Workflow
 * rules, then every job instance (rules or only/except), then `needs`
 * against the jobs that remain, then stages.
 */
#include <stdio.h>
#include <string.h>

#include "core/alloc.h"
#include "core/buf.h"
#include "core/error.h"
#include "internal.h"

#define NO_JOBS_REASON                                                                                           \
	"Pipeline will not run for the selected trigger. The rules configuration prevented any jobs from being "   \
	"added to the pipeline."
#define WORKFLOW_REASON "Pipeline filtered out by workflow rules."

typedef struct plan_ctx {
	const cicd_planner *pl;
	const cicd_trigger *t;
	cicd_plan *plan;
	plan_vars workflow;
	compare_cache compare; /* compare_to answers, asked once per ref and plan */
	size_t cap;
} plan_ctx;

static int set_reason(cicd_plan *plan, const char *reason)
{
	plan->created = 0;
	if (!(plan->reason = cicd__strdup(reason)))
		return cicd__error_oom();
	return 0;
}

static void view_init(var_view *v, plan_ctx *c, const plan_vars *matrix, const plan_vars *job)
{
	memset(v, 0, sizeof *v);
	v->arena = &c->plan->arena;
	v->compare = &c->compare;
	/* Highest precedence first: pipeline variables, job-level ones, workflow rule ones, globals, predefined. */
	v->layers[v->count++] = &c->t->user;
	if (matrix)
		v->layers[v->count++] = matrix;
	if (job)
		v->layers[v->count++] = job;
	v->layers[v->count++] = &c->workflow;
	v->layers[v->count++] = &c->pl->global;
	v->layers[v->count++] = &c->t->predefined;
}

static int copy_rule_variables(plan_vars *out, const cicd_rule *rule)
{
	size_t i;
	int rc;
	for (i = 0; i < cicd_rule_variable_count(rule); i++) {
		const cicd_variable *v = cicd_rule_variable(rule, i);
		if ((rc = cicd__vars_set(out, cicd_variable_name(v), cicd_variable_value(v), !cicd_variable_expand(v))) != 0)
			return rc;
	}
	return 0;
}

/* workflow:rules: *run is 0 when no pipeline is created. */
static int run_workflow(int *run, plan_ctx *c)
{
	var_view view;
	size_t i;
	int rc, m;
	*run = 1;
	if (!cicd_pipeline_has_workflow_rules(c->pl->pipeline))
		return 0;
	view_init(&view, c, NULL, NULL);
	for (i = 0; i < c->pl->nworkflow; i++) {
		const compiled_rule *r = &c->pl->workflow[i];
		const char *when;
		rc = cicd__rule_matches(&m, r, &view, c->t);
		if (rc == CICD__BAD_COMPARE_REF) { /* GitLab's workflow rules then pass nothing: no pipeline */
			*run = 0;
			return 0;
		}
		if (rc)
			return rc;
		if (!m)
			continue;
		when = cicd_rule_when(r->rule);
		if (when && strcmp(when, "never") == 0) {
			*run = 0;
			return 0;
		}
		return copy_rule_variables(&c->workflow, r->rule);
	}
	*run = 0;
	return 0;
}

static int flatten_pipeline_variables(plan_ctx *c)
{
	const plan_vars *layers[4] = {&c->t->predefined, &c->pl->global, &c->workflow, &c->t->user};
	size_t i, k;
	int rc;
	for (i = 0; i < 4; i++)
		for (k = 0; k < layers[i]->count; k++)
			if ((rc = cicd__vars_set(&c->plan->vars, layers[i]->items[k].name, layers[i]->items[k].value,
						 layers[i]->items[k].raw)) != 0)
				return rc;
	return 0;
}

static int expand_name(plan_ctx *c)
{
	const char *name = cicd_pipeline_workflow_name(c->pl->pipeline);
	cicd_buf out = CICD_BUF_INIT;
	var_view view;
	int rc;
	if (!name)
		return 0;
	view_init(&view, c, NULL, NULL);
	if ((rc = cicd_expand(&out, name, strlen(name), 0, cicd__view_lookup, &view)) != 0) {
		cicd_buf_dispose(&out);
		return rc;
	}
	c->plan->name = cicd__strdup(out.ptr ? out.ptr : "");
	cicd_buf_dispose(&out);
	return c->plan->name ? 0 : cicd__error_oom();
}

static cicd_plan_job *new_job(plan_ctx *c)
{
	cicd_plan *plan = c->plan;
	if (plan->njobs == c->cap) {
		size_t ncap = c->cap ? c->cap * 2 : 32;
		cicd_plan_job *jobs = cicd__realloc(plan->jobs, ncap * sizeof *jobs);
		if (!jobs) {
			cicd__error_oom();
			return NULL;
		}
		plan->jobs = jobs;
		c->cap = ncap;
	}
	memset(&plan->jobs[plan->njobs], 0, sizeof plan->jobs[0]);
	return &plan->jobs[plan->njobs++];
}

static int is_manual(const char *when)
{
	return when && strcmp(when, "manual") == 0;
}

/* Decides one instance of a job; adds it to the plan when it runs. */
static int plan_instance(plan_ctx *c, const planner_job *pj, size_t instance)
{
	const cicd_job *job = pj->job;
	plan_vars matrix = {0};
	var_view view;
	const compiled_rule *matched = NULL;
	const char *when = cicd_job_when(job), *start_in = cicd_job_start_in(job);
	int allow_failure = cicd_job_allow_failure(job), rc = 0, m;
	size_t i, nmatrix = cicd_job_instance_variable_count(job, instance);
	cicd_plan_job *pjob;

	for (i = 0; i < nmatrix && !rc; i++) {
		const char *name, *value;
		if ((rc = cicd_job_instance_variable(&name, &value, job, instance, i)) == 0)
			rc = cicd__vars_set(&matrix, name, value, 0);
	}
	if (rc)
		goto done;
	view_init(&view, c, nmatrix ? &matrix : NULL, &pj->vars);
	if (cicd_job_has_rules(job)) {
		for (i = 0; i < pj->nrules && !matched; i++) {
			rc = cicd__rule_matches(&m, &pj->rules[i], &view, c->t);
			if (rc == CICD__BAD_COMPARE_REF) {
				/* Seed::Build: the rule's ParseError fails the pipeline, naming the job */
				const cicd_node *at = cicd_rule_node(pj->rules[i].rule);
				rc = cicd__error_set_at(CICD_EVALIDATE, at ? cicd_node_file(at) : "", at ? cicd_node_line(at) : 0,
							at ? cicd_node_column(at) : 0,
							"Failed to parse rule for %s: rules:changes:compare_to is not a valid ref",
							cicd_job_instance_name(job, instance));
			}
			if (rc)
				goto done;
			if (m)
				matched = &pj->rules[i];
		}
		if (!matched)
			goto done;
		if (cicd_rule_when(matched->rule))
			when = cicd_rule_when(matched->rule);
		if (cicd_rule_start_in(matched->rule))
			start_in = cicd_rule_start_in(matched->rule);
		if (cicd_rule_allow_failure(matched->rule) >= 0)
			allow_failure = cicd_rule_allow_failure(matched->rule);
	} else {
		if ((rc = cicd__policies_allow(&m, pj, &view, c->t, c->t->project)) != 0 || !m)
			goto done;
	}
	if (strcmp(when, "never") == 0)
		goto done;
	/* Not written: a job-level `when: manual` makes failure allowed (GitLab's Entry::Job#ignored?). */
	if (allow_failure < 0)
		allow_failure = is_manual(cicd_job_when(job));
	if (c->plan->njobs >= c->pl->max_jobs) {
		rc = cicd__error_set(CICD_ELIMIT, "more than %zu jobs in one plan", c->pl->max_jobs);
		goto done;
	}
	if (!(pjob = new_job(c))) {
		rc = CICD_ENOMEM;
		goto done;
	}
	pjob->source = job;
	pjob->instance = instance;
	pjob->stage = cicd_job_stage(job);
	pjob->stage_index = pj->stage_index;
	pjob->when = when;
	pjob->allow_failure = allow_failure != 0;
	pjob->nneeds = -1;
	/* `needs` is the matched rule's or the job's, resolved once every job is known. */
	pjob->rule = matched;
	if (!(pjob->name = cicd__strdup(cicd_job_instance_name(job, instance))) ||
	    (start_in && strcmp(when, "delayed") == 0 && !(pjob->start_in = cicd__strdup(start_in)))) {
		rc = cicd__error_oom();
		goto done;
	}
	for (i = 0; i < pj->vars.count && !rc; i++)
		rc = cicd__vars_set(&pjob->vars, pj->vars.items[i].name, pj->vars.items[i].value, pj->vars.items[i].raw);
	for (i = 0; i < matrix.count && !rc; i++)
		rc = cicd__vars_set(&pjob->vars, matrix.items[i].name, matrix.items[i].value, 0);
	if (!rc && matched)
		rc = copy_rule_variables(&pjob->vars, matched->rule);
done:
	cicd__vars_dispose(&matrix);
	return rc;
}

/* Stable order: stage, then the order jobs were planned in (file order, then instances). */
static void sort_by_stage(cicd_plan *plan)
{
	size_t i, j;
	for (i = 1; i < plan->njobs; i++) {
		cicd_plan_job tmp = plan->jobs[i];
		for (j = i; j > 0 && plan->jobs[j - 1].stage_index > tmp.stage_index; j--)
			plan->jobs[j] = plan->jobs[j - 1];
		plan->jobs[j] = tmp;
	}
}

static int collect_stages(plan_ctx *c)
{
	cicd_plan *plan = c->plan;
	size_t i, only_edges = 1;
	if (!(plan->stages = cicd__calloc(plan->njobs ? plan->njobs : 1, sizeof *plan->stages)))
		return cicd__error_oom();
	for (i = 0; i < plan->njobs; i++) {
		const char *s = plan->jobs[i].stage;
		if (strcmp(s, ".pre") != 0 && strcmp(s, ".post") != 0)
			only_edges = 0;
		if (!plan->nstages || strcmp(plan->stages[plan->nstages - 1], s) != 0)
			plan->stages[plan->nstages++] = s;
	}
	/* A pipeline of only .pre/.post jobs is not created either. */
	if (!plan->njobs || only_edges)
		return set_reason(plan, NO_JOBS_REASON);
	plan->created = 1;
	return 0;
}

/* 1 when the instance's matrix values match one entry of a `needs:parallel:matrix`. */
static int matrix_selects(const cicd_node *matrix, const cicd_plan_job *cand)
{
	size_t e, k, v, nv = cicd_job_instance_variable_count(cand->source, cand->instance);
	for (e = 0; e < cicd_node_size(matrix); e++) {
		const cicd_node *entry = cicd_node_item(matrix, e);
		int all = 1;
		for (k = 0; all && k < cicd_node_size(entry); k++) {
			const char *key = cicd_node_scalar(cicd_node_key(entry, k), NULL);
			const cicd_node *want = cicd_node_value(entry, k);
			int found = 0;
			for (v = 0; v < nv && !found; v++) {
				const char *name, *value;
				size_t w;
				if (cicd_job_instance_variable(&name, &value, cand->source, cand->instance, v) != 0 ||
				    !key || strcmp(name, key) != 0)
					continue;
				if (cicd_node_kind_of(want) == CICD_NODE_SCALAR)
					found = strcmp(cicd_node_scalar(want, NULL), value) == 0;
				for (w = 0; cicd_node_kind_of(want) == CICD_NODE_SEQUENCE && w < cicd_node_size(want); w++) {
					const char *s = cicd_node_scalar(cicd_node_item(want, w), NULL);
					found |= s && strcmp(s, value) == 0;
				}
			}
			all = found;
		}
		if (all)
			return 1;
	}
	return 0;
}

static int add_need(cicd_plan_job *job, const char *name, size_t index)
{
	char **names = cicd__realloc(job->needs, (size_t)(job->nneeds + 1) * sizeof *names);
	size_t *idx;
	if (!names)
		return cicd__error_oom();
	job->needs = names;
	idx = cicd__realloc(job->prereqs, (size_t)(job->nneeds + 1) * sizeof *idx);
	if (!idx)
		return cicd__error_oom();
	job->prereqs = idx;
	if (!(names[job->nneeds] = cicd__strdup(name)))
		return cicd__error_oom();
	idx[job->nneeds] = index;
	job->nneeds++;
	job->nprereqs = (size_t)job->nneeds;
	return 0;
}

static int resolve_job_needs(cicd_plan *plan, cicd_plan_job *job, const compiled_rule *matched)
{
	long n = matched && cicd_rule_need_count(matched->rule) >= 0 ? cicd_rule_need_count(matched->rule)
								       : cicd_job_need_count(job->source);
	long i;
	size_t k;
	int rc;
	if (n < 0)
		return 0;
	job->nneeds = 0;
	for (i = 0; i < n; i++) {
		const cicd_need *need = matched && cicd_rule_need_count(matched->rule) >= 0
						? cicd_rule_need(matched->rule, (size_t)i)
						: cicd_job_need(job->source, (size_t)i);
		const char *target = cicd_need_job(need);
		const cicd_node *matrix = cicd_need_matrix(need);
		int found = 0;
		if (cicd_need_project(need) || cicd_need_pipeline(need))
			continue; /* another project's or pipeline's job: not part of this DAG */
		for (k = 0; k < plan->njobs; k++) {
			const cicd_plan_job *cand = &plan->jobs[k];
			if (strcmp(cicd_job_name(cand->source), target) != 0 || (matrix && !matrix_selects(matrix, cand)))
				continue;
			found = 1;
			if ((rc = add_need(job, cand->name, k)) != 0)
				return rc;
		}
		if (!found && !cicd_need_optional(need)) {
			const cicd_node *node = cicd_need_node(need);
			return cicd__error_set_at(
				CICD_EVALIDATE, node ? cicd_node_file(node) : "", node ? cicd_node_line(node) : 0,
				node ? cicd_node_column(node) : 0,
				"'%s' job needs '%s' job, but '%s' does not exist in the pipeline. This might be because of "
				"the only, except, or rules keywords. To need a job that sometimes does not exist in the "
				"pipeline, use needs:optional.",
				job->name, target, target);
		}
	}
	return 0;
}

static int resolve_needs(cicd_plan *plan)
{
	size_t i;
	int rc;
	for (i = 0; i < plan->njobs; i++)
		if ((rc = resolve_job_needs(plan, &plan->jobs[i], plan->jobs[i].rule)) != 0)
			return rc;
	return 0;
}

int cicd_plan_create(cicd_plan **out, const cicd_planner *pl, const cicd_trigger *t)
{
	plan_ctx c;
	size_t i, k;
	int rc, run;
	if (!out || !pl || !t)
		return cicd__error_set(CICD_EINVALID, "cicd_plan_create: out, planner or trigger is NULL");
	*out = NULL;
	memset(&c, 0, sizeof c);
	c.pl = pl;
	c.t = t;
	if (!(c.plan = cicd__calloc(1, sizeof *c.plan)))
		return cicd__error_oom();
	cicd__arena_init(&c.plan->arena, 4096);
	rc = run_workflow(&run, &c);
	if (!rc)
		rc = flatten_pipeline_variables(&c);
	if (!rc && !run)
		rc = set_reason(c.plan, WORKFLOW_REASON);
	if (!rc && run)
		rc = expand_name(&c);
	for (i = 0; !rc && run && i < pl->njobs; i++)
		for (k = 0; !rc && k < cicd_job_instance_count(pl->jobs[i].job); k++)
			rc = plan_instance(&c, &pl->jobs[i], k);
	if (!rc && run) {
		sort_by_stage(c.plan);
		rc = collect_stages(&c);
	}
	if (!rc && run)
		rc = resolve_needs(c.plan);
	if (!rc && c.plan->created)
		rc = cicd__plan_build_dag(c.plan);
	cicd__vars_dispose(&c.workflow);
	cicd__compare_cache_dispose(&c.compare);
	if (rc) {
		cicd_plan_free(c.plan);
		return rc;
	}
	*out = c.plan;
	return 0;
}

void cicd_plan_free(cicd_plan *plan)
{
	size_t i;
	long k;
	if (!plan)
		return;
	for (i = 0; i < plan->njobs; i++) {
		cicd_plan_job *j = &plan->jobs[i];
		cicd__free(j->name);
		cicd__free(j->start_in);
		for (k = 0; k < j->nneeds; k++)
			cicd__free(j->needs[k]);
		cicd__free(j->needs);
		cicd__free(j->prereqs);
		cicd__vars_dispose(&j->vars);
	}
	cicd__free(plan->jobs);
	cicd__free(plan->stages);
	cicd__free(plan->reason);
	cicd__free(plan->name);
	cicd__free(plan->topo);
	cicd__free(plan->critical);
	cicd__vars_dispose(&plan->vars);
	cicd__arena_release(&plan->arena);
	cicd__free(plan);
}

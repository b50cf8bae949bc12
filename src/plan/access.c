/* Reading a plan: accessors and the JSON form (docs/plan.md). */
#include <string.h>

#include "core/error.h"
#include "core/json_writer.h"
#include "internal.h"

int cicd_plan_created(const cicd_plan *plan)
{
	return plan && plan->created;
}

const char *cicd_plan_reason(const cicd_plan *plan)
{
	return plan && !plan->created ? plan->reason : NULL;
}

const char *cicd_plan_name(const cicd_plan *plan)
{
	return plan && plan->created ? plan->name : NULL;
}

size_t cicd_plan_stage_count(const cicd_plan *plan)
{
	return plan && plan->created ? plan->nstages : 0;
}

const char *cicd_plan_stage(const cicd_plan *plan, size_t i)
{
	return i < cicd_plan_stage_count(plan) ? plan->stages[i] : NULL;
}

int cicd_plan_variable(const char **value, const cicd_plan *plan, const char *name)
{
	const plan_var *v;
	if (!value || !plan || !name)
		return cicd__error_set(CICD_EINVALID, "cicd_plan_variable: value, plan or name is NULL");
	if (!(v = cicd__vars_get(&plan->vars, name)))
		return cicd__error_set(CICD_ENOTFOUND, "variable '%s' is not defined in this pipeline", name);
	*value = v->value;
	return 0;
}

size_t cicd_plan_job_count(const cicd_plan *plan)
{
	return plan && plan->created ? plan->njobs : 0;
}

const cicd_plan_job *cicd_plan_job_at(const cicd_plan *plan, size_t i)
{
	return i < cicd_plan_job_count(plan) ? &plan->jobs[i] : NULL;
}

const char *cicd_plan_job_name(const cicd_plan_job *job)
{
	return job ? job->name : NULL;
}

const char *cicd_plan_job_stage(const cicd_plan_job *job)
{
	return job ? job->stage : NULL;
}

const char *cicd_plan_job_when(const cicd_plan_job *job)
{
	return job ? job->when : NULL;
}

int cicd_plan_job_allow_failure(const cicd_plan_job *job)
{
	return job ? job->allow_failure : 0;
}

const char *cicd_plan_job_start_in(const cicd_plan_job *job)
{
	return job ? job->start_in : NULL;
}

const cicd_job *cicd_plan_job_source(const cicd_plan_job *job)
{
	return job ? job->source : NULL;
}

long cicd_plan_job_need_count(const cicd_plan_job *job)
{
	return job ? job->nneeds : -1;
}

const char *cicd_plan_job_need(const cicd_plan_job *job, size_t i)
{
	return job && job->nneeds >= 0 && i < (size_t)job->nneeds ? job->needs[i] : NULL;
}

size_t cicd_plan_job_variable_count(const cicd_plan_job *job)
{
	return job ? job->vars.count : 0;
}

int cicd_plan_job_variable(const char **name, const char **value, const cicd_plan_job *job, size_t i)
{
	if (!name || !value || !job)
		return cicd__error_set(CICD_EINVALID, "cicd_plan_job_variable: name, value or job is NULL");
	if (i >= job->vars.count)
		return cicd__error_set(CICD_ENOTFOUND, "job '%s' has no variable %zu", job->name, i);
	*name = job->vars.items[i].name;
	*value = job->vars.items[i].value;
	return 0;
}

size_t cicd_plan_job_prerequisite_count(const cicd_plan *plan, size_t i)
{
	return i < cicd_plan_job_count(plan) ? plan->jobs[i].nprereqs : 0;
}

size_t cicd_plan_job_prerequisite(const cicd_plan *plan, size_t i, size_t k)
{
	const cicd_plan_job *j;
	if (i >= cicd_plan_job_count(plan) || k >= plan->jobs[i].nprereqs)
		return (size_t)-1;
	j = &plan->jobs[i];
	return j->nneeds >= 0 ? j->prereqs[k] : k; /* without needs: every job of the earlier stages */
}

size_t cicd_plan_topological(const cicd_plan *plan, size_t k)
{
	return k < cicd_plan_job_count(plan) ? plan->topo[k] : (size_t)-1;
}

size_t cicd_plan_critical_path_count(const cicd_plan *plan)
{
	return plan && plan->created ? plan->ncritical : 0;
}

size_t cicd_plan_critical_path(const cicd_plan *plan, size_t k)
{
	return k < cicd_plan_critical_path_count(plan) ? plan->critical[k] : (size_t)-1;
}

static int write_job(cicd_json_writer *w, const cicd_plan_job *j)
{
	long k;
	size_t v;
	int rc = cicd__json_begin_object(w);
	rc = rc ? rc : cicd__json_kv_string(w, "name", j->name);
	rc = rc ? rc : cicd__json_kv_string(w, "stage", j->stage);
	rc = rc ? rc : cicd__json_kv_string(w, "when", j->when);
	rc = rc ? rc : cicd__json_kv_bool(w, "allow_failure", j->allow_failure);
	rc = rc ? rc : cicd__json_key(w, "needs");
	if (!rc && j->nneeds < 0) {
		rc = cicd__json_null(w);
	} else if (!rc) {
		rc = cicd__json_begin_array(w);
		for (k = 0; !rc && k < j->nneeds; k++)
			rc = cicd__json_string(w, j->needs[k]);
		rc = rc ? rc : cicd__json_end_array(w);
	}
	rc = rc ? rc : cicd__json_key(w, "start_in");
	rc = rc ? rc : cicd__json_string_or_null(w, j->start_in);
	rc = rc ? rc : cicd__json_key(w, "variables");
	rc = rc ? rc : cicd__json_begin_object(w);
	for (v = 0; !rc && v < j->vars.count; v++)
		rc = cicd__json_kv_string(w, j->vars.items[v].name, j->vars.items[v].value);
	rc = rc ? rc : cicd__json_end_object(w);
	return rc ? rc : cicd__json_end_object(w);
}

int cicd_plan_to_json(cicd_buf *out, const cicd_plan *plan, unsigned int flags)
{
	cicd_json_writer *w;
	size_t i;
	int rc;
	if (!out || !plan)
		return cicd__error_set(CICD_EINVALID, "cicd_plan_to_json: out or plan is NULL");
	if (!(w = cicd__json_new(out, (flags & CICD_FORMAT_PRETTY) != 0)))
		return CICD_ENOMEM;
	rc = cicd__json_begin_object(w);
	rc = rc ? rc : cicd__json_kv_bool(w, "created", plan->created);
	rc = rc ? rc : cicd__json_key(w, "name");
	rc = rc ? rc : cicd__json_string_or_null(w, cicd_plan_name(plan));
	rc = rc ? rc : cicd__json_key(w, "stages");
	rc = rc ? rc : cicd__json_begin_array(w);
	for (i = 0; !rc && i < cicd_plan_stage_count(plan); i++)
		rc = cicd__json_string(w, plan->stages[i]);
	rc = rc ? rc : cicd__json_end_array(w);
	rc = rc ? rc : cicd__json_key(w, "jobs");
	rc = rc ? rc : cicd__json_begin_array(w);
	for (i = 0; !rc && i < cicd_plan_job_count(plan); i++)
		rc = write_job(w, &plan->jobs[i]);
	rc = rc ? rc : cicd__json_end_array(w);
	rc = rc ? rc : cicd__json_end_object(w);
	if (rc) {
		cicd__json_abandon(w);
		return rc;
	}
	return cicd__json_finish(w);
}

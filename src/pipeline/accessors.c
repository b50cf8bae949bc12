/* The public getters of the pipeline model; each is a NULL-safe read of a built field. */
#include <string.h>

#include "core/alloc.h"
#include "internal.h"

#define STR_AT(list, i) ((i) < (list).count ? (list).items[i] : NULL)

size_t cicd_pipeline_stage_count(const cicd_pipeline *p)
{
	return p ? p->stages.count : 0;
}

const char *cicd_pipeline_stage(const cicd_pipeline *p, size_t i)
{
	return p ? STR_AT(p->stages, i) : NULL;
}

size_t cicd_pipeline_variable_count(const cicd_pipeline *p)
{
	return p ? p->vars.count : 0;
}

const cicd_variable *cicd_pipeline_variable(const cicd_pipeline *p, size_t i)
{
	return p && i < p->vars.count ? &p->vars.items[i] : NULL;
}

const cicd_node *cicd_pipeline_default(const cicd_pipeline *p)
{
	return p ? p->def : NULL;
}

int cicd_pipeline_has_workflow_rules(const cicd_pipeline *p)
{
	return p ? p->has_workflow_rules : 0;
}

size_t cicd_pipeline_workflow_rule_count(const cicd_pipeline *p)
{
	return p ? p->workflow_rules.count : 0;
}

const cicd_rule *cicd_pipeline_workflow_rule(const cicd_pipeline *p, size_t i)
{
	return p && i < p->workflow_rules.count ? &p->workflow_rules.items[i] : NULL;
}

const char *cicd_pipeline_workflow_name(const cicd_pipeline *p)
{
	return p ? p->workflow_name : NULL;
}

const char *cicd_pipeline_auto_cancel_on_new_commit(const cicd_pipeline *p)
{
	return p ? p->auto_cancel_new_commit : NULL;
}

const char *cicd_pipeline_auto_cancel_on_job_failure(const cicd_pipeline *p)
{
	return p ? p->auto_cancel_job_failure : NULL;
}

size_t cicd_pipeline_job_count(const cicd_pipeline *p)
{
	return p ? p->job_count : 0;
}

const cicd_job *cicd_pipeline_job(const cicd_pipeline *p, size_t i)
{
	return p && i < p->job_count ? &p->jobs[i] : NULL;
}

int cicd_pipeline_job_by_name(const cicd_job **out, const cicd_pipeline *p, const char *name)
{
	const cicd_job *j;
	if (!out || !p || !name)
		return cicd__error_set(CICD_EINVALID, "cicd_pipeline_job_by_name: out, pipeline and name are required");
	*out = NULL;
	j = cicd__hashmap_get(&p->job_index, name, strlen(name));
	if (!j)
		return cicd__error_set(CICD_ENOTFOUND, "no job named %s", name);
	*out = j;
	return 0;
}

struct cicd_job_iterator {
	const cicd_pipeline *p;
	size_t next;
};

int cicd_job_iterator_new(cicd_job_iterator **out, const cicd_pipeline *p)
{
	cicd_job_iterator *it;
	if (!out || !p)
		return cicd__error_set(CICD_EINVALID, "cicd_job_iterator_new: out and pipeline are required");
	it = cicd__calloc(1, sizeof *it);
	if (!it)
		return cicd__error_oom();
	it->p = p;
	*out = it;
	return 0;
}

int cicd_job_iterator_next(const cicd_job **out, cicd_job_iterator *it)
{
	if (!out || !it)
		return cicd__error_set(CICD_EINVALID, "cicd_job_iterator_next: out and iterator are required");
	if (it->next >= it->p->job_count) {
		*out = NULL;
		return CICD_ITEROVER;
	}
	*out = &it->p->jobs[it->next++];
	return 0;
}

void cicd_job_iterator_free(cicd_job_iterator *it)
{
	cicd__free(it);
}

const char *cicd_job_name(const cicd_job *j)
{
	return j ? j->name : NULL;
}

const cicd_node *cicd_job_config(const cicd_job *j)
{
	return j ? j->config : NULL;
}

const cicd_node *cicd_job_get(const cicd_job *j, const char *key)
{
	return j && key ? pl_get(j->config, key) : NULL;
}

const char *cicd_job_file(const cicd_job *j)
{
	return j ? j->key->meta->file : "";
}

unsigned int cicd_job_line(const cicd_job *j)
{
	return j ? j->key->line : 0;
}

unsigned int cicd_job_column(const cicd_job *j)
{
	return j ? j->key->column : 0;
}

const char *cicd_job_stage(const cicd_job *j)
{
	return j ? j->stage : NULL;
}

const char *cicd_job_when(const cicd_job *j)
{
	return j ? j->when : NULL;
}

const char *cicd_job_start_in(const cicd_job *j)
{
	return j ? j->start_in : NULL;
}

int cicd_job_allow_failure(const cicd_job *j)
{
	return j ? j->allow_failure : -1;
}

size_t cicd_job_allow_failure_exit_code_count(const cicd_job *j)
{
	return j ? j->exit_code_count : 0;
}

int cicd_job_allow_failure_exit_code(const cicd_job *j, size_t i)
{
	return j && i < j->exit_code_count ? j->exit_codes[i] : 0;
}

int cicd_job_is_trigger(const cicd_job *j)
{
	return j ? j->trigger : 0;
}

const char *cicd_job_trigger_project(const cicd_job *j)
{
	return j ? j->trigger_project : NULL;
}

const char *cicd_job_trigger_branch(const cicd_job *j)
{
	return j ? j->trigger_branch : NULL;
}

const char *cicd_job_trigger_strategy(const cicd_job *j)
{
	return j ? j->trigger_strategy : NULL;
}

static const pl_strs *script_of(const cicd_job *j, const char *which)
{
	if (!j || !which)
		return NULL;
	if (!strcmp(which, "script"))
		return &j->script;
	if (!strcmp(which, "before_script"))
		return &j->before_script;
	if (!strcmp(which, "after_script"))
		return &j->after_script;
	return NULL;
}

size_t cicd_job_script_count(const cicd_job *j, const char *which)
{
	const pl_strs *s = script_of(j, which);
	return s ? s->count : 0;
}

const char *cicd_job_script(const cicd_job *j, const char *which, size_t i)
{
	const pl_strs *s = script_of(j, which);
	return s ? STR_AT(*s, i) : NULL;
}

int cicd_job_has_rules(const cicd_job *j)
{
	return j ? j->has_rules : 0;
}

size_t cicd_job_rule_count(const cicd_job *j)
{
	return j ? j->rules.count : 0;
}

const cicd_rule *cicd_job_rule(const cicd_job *j, size_t i)
{
	return j && i < j->rules.count ? &j->rules.items[i] : NULL;
}

const cicd_job_policy *cicd_job_only(const cicd_job *j)
{
	return j ? j->only : NULL;
}

const cicd_job_policy *cicd_job_except(const cicd_job *j)
{
	return j ? j->except : NULL;
}

long cicd_job_need_count(const cicd_job *j)
{
	return j ? j->needs.count : -1;
}

const cicd_need *cicd_job_need(const cicd_job *j, size_t i)
{
	return j && j->needs.count > 0 && i < (size_t)j->needs.count ? &j->needs.items[i] : NULL;
}

long cicd_job_dependency_count(const cicd_job *j)
{
	return j ? j->dep_count : -1;
}

const char *cicd_job_dependency(const cicd_job *j, size_t i)
{
	return j ? STR_AT(j->deps, i) : NULL;
}

size_t cicd_job_variable_count(const cicd_job *j)
{
	return j ? j->vars.count : 0;
}

const cicd_variable *cicd_job_variable(const cicd_job *j, size_t i)
{
	return j && i < j->vars.count ? &j->vars.items[i] : NULL;
}

static int inherits(const cicd_node *setting, const char *name)
{
	size_t i;
	if (!setting)
		return 1;
	if (pl_is_scalar(setting))
		return !(setting->value_type == CICD_VALUE_BOOL &&
		         (setting->u.scalar.text[0] == 'f' || setting->u.scalar.text[0] == 'F' ||
		          setting->u.scalar.text[0] == 'n' || setting->u.scalar.text[0] == 'N' ||
		          !strcmp(setting->u.scalar.text, "off") || !strcmp(setting->u.scalar.text, "Off") ||
		          !strcmp(setting->u.scalar.text, "OFF")));
	for (i = 0; pl_is_seq(setting) && i < setting->count; i++)
		if (pl_text(setting->u.seq.items[i]) && !strcmp(pl_text(setting->u.seq.items[i]), name))
			return 1;
	return 0;
}

int cicd_job_inherits_default(const cicd_job *j, const char *key)
{
	return j && key ? inherits(j->inherit_default, key) : 0;
}

int cicd_job_inherits_variable(const cicd_job *j, const char *name)
{
	return j && name ? inherits(j->inherit_variables, name) : 0;
}

unsigned int cicd_job_parallel(const cicd_job *j)
{
	return j ? j->parallel : 0;
}

const cicd_node *cicd_job_parallel_matrix(const cicd_job *j)
{
	return j ? j->matrix : NULL;
}

size_t cicd_job_instance_count(const cicd_job *j)
{
	return j ? j->instance_count : 0;
}

const char *cicd_job_instance_name(const cicd_job *j, size_t i)
{
	return j && i < j->instance_count ? j->instances[i].name : NULL;
}

size_t cicd_job_instance_variable_count(const cicd_job *j, size_t i)
{
	return j && i < j->instance_count ? j->instances[i].var_count : 0;
}

int cicd_job_instance_variable(const char **name, const char **value, const cicd_job *j, size_t i, size_t v)
{
	if (!name || !value || !j)
		return cicd__error_set(CICD_EINVALID, "cicd_job_instance_variable: name, value and job are required");
	if (i >= j->instance_count || v >= j->instances[i].var_count)
		return cicd__error_set(CICD_ENOTFOUND, "no instance variable %zu of instance %zu", v, i);
	*name = j->instances[i].var_names[v];
	*value = j->instances[i].var_values[v];
	return 0;
}

const char *cicd_job_image(const cicd_job *j)
{
	return j ? j->image : NULL;
}

const char *cicd_job_resource_group(const cicd_job *j)
{
	return j ? j->resource_group : NULL;
}

const char *cicd_job_environment(const cicd_job *j)
{
	return j ? j->environment : NULL;
}

const char *cicd_job_environment_action(const cicd_job *j)
{
	return j ? j->environment_action : NULL;
}

const char *cicd_job_timeout(const cicd_job *j)
{
	return j ? j->timeout : NULL;
}

const char *cicd_job_coverage(const cicd_job *j)
{
	return j ? j->coverage : NULL;
}

size_t cicd_job_tag_count(const cicd_job *j)
{
	return j ? j->tags.count : 0;
}

const char *cicd_job_tag(const cicd_job *j, size_t i)
{
	return j ? STR_AT(j->tags, i) : NULL;
}

int cicd_job_interruptible(const cicd_job *j)
{
	return j ? j->interruptible : -1;
}

unsigned int cicd_job_retry_max(const cicd_job *j)
{
	return j ? j->retry_max : 0;
}

size_t cicd_job_retry_when_count(const cicd_job *j)
{
	return j ? j->retry_when.count : 0;
}

const char *cicd_job_retry_when(const cicd_job *j, size_t i)
{
	return j ? STR_AT(j->retry_when, i) : NULL;
}

size_t cicd_job_extends_count(const cicd_job *j)
{
	return j ? j->extends.count : 0;
}

const char *cicd_job_extends(const cicd_job *j, size_t i)
{
	return j ? STR_AT(j->extends, i) : NULL;
}

/* ---- rules ---- */

const char *cicd_rule_if(const cicd_rule *r)
{
	return r ? r->if_text : NULL;
}

const cicd_node *cicd_rule_if_node(const cicd_rule *r)
{
	return r ? r->if_node : NULL;
}

const char *cicd_rule_when(const cicd_rule *r)
{
	return r ? r->when : NULL;
}

const char *cicd_rule_start_in(const cicd_rule *r)
{
	return r ? r->start_in : NULL;
}

int cicd_rule_allow_failure(const cicd_rule *r)
{
	return r ? r->allow_failure : -1;
}

int cicd_rule_has_changes(const cicd_rule *r)
{
	return r ? r->has_changes : 0;
}

size_t cicd_rule_changes_count(const cicd_rule *r)
{
	return r ? r->changes.count : 0;
}

const char *cicd_rule_changes(const cicd_rule *r, size_t i)
{
	return r ? STR_AT(r->changes, i) : NULL;
}

const char *cicd_rule_changes_compare_to(const cicd_rule *r)
{
	return r ? r->compare_to : NULL;
}

int cicd_rule_has_exists(const cicd_rule *r)
{
	return r ? r->has_exists : 0;
}

size_t cicd_rule_exists_count(const cicd_rule *r)
{
	return r ? r->exists.count : 0;
}

const char *cicd_rule_exists(const cicd_rule *r, size_t i)
{
	return r ? STR_AT(r->exists, i) : NULL;
}

const char *cicd_rule_exists_project(const cicd_rule *r)
{
	return r ? r->exists_project : NULL;
}

const char *cicd_rule_exists_ref(const cicd_rule *r)
{
	return r ? r->exists_ref : NULL;
}

size_t cicd_rule_variable_count(const cicd_rule *r)
{
	return r ? r->vars.count : 0;
}

const cicd_variable *cicd_rule_variable(const cicd_rule *r, size_t i)
{
	return r && i < r->vars.count ? &r->vars.items[i] : NULL;
}

long cicd_rule_need_count(const cicd_rule *r)
{
	return r ? r->needs.count : -1;
}

const cicd_need *cicd_rule_need(const cicd_rule *r, size_t i)
{
	return r && r->needs.count > 0 && i < (size_t)r->needs.count ? &r->needs.items[i] : NULL;
}

const cicd_node *cicd_rule_node(const cicd_rule *r)
{
	return r ? r->node : NULL;
}

/* ---- policies ---- */

int cicd_job_policy_is_default(const cicd_job_policy *p)
{
	return p ? p->is_default : 0;
}

size_t cicd_job_policy_ref_count(const cicd_job_policy *p)
{
	return p ? p->refs.count : 0;
}

const char *cicd_job_policy_ref(const cicd_job_policy *p, size_t i)
{
	return p ? STR_AT(p->refs, i) : NULL;
}

size_t cicd_job_policy_variable_count(const cicd_job_policy *p)
{
	return p ? p->vars.count : 0;
}

const char *cicd_job_policy_variable(const cicd_job_policy *p, size_t i)
{
	return p ? STR_AT(p->vars, i) : NULL;
}

const cicd_node *cicd_job_policy_variable_node(const cicd_job_policy *p, size_t i)
{
	return p && p->var_nodes && i < p->vars.count ? p->var_nodes[i] : NULL;
}

int cicd_job_policy_has_changes(const cicd_job_policy *p)
{
	return p ? p->has_changes : 0;
}

size_t cicd_job_policy_changes_count(const cicd_job_policy *p)
{
	return p ? p->changes.count : 0;
}

const char *cicd_job_policy_changes(const cicd_job_policy *p, size_t i)
{
	return p ? STR_AT(p->changes, i) : NULL;
}

const char *cicd_job_policy_kubernetes(const cicd_job_policy *p)
{
	return p ? p->kubernetes : NULL;
}

/* ---- needs ---- */

const char *cicd_need_job(const cicd_need *n)
{
	return n ? n->job : NULL;
}

int cicd_need_optional(const cicd_need *n)
{
	return n ? n->optional : 0;
}

int cicd_need_artifacts(const cicd_need *n)
{
	return n ? n->artifacts : 0;
}

const char *cicd_need_project(const cicd_need *n)
{
	return n ? n->project : NULL;
}

const char *cicd_need_ref(const cicd_need *n)
{
	return n ? n->ref : NULL;
}

const char *cicd_need_pipeline(const cicd_need *n)
{
	return n ? n->pipeline : NULL;
}

const cicd_node *cicd_need_matrix(const cicd_need *n)
{
	return n ? n->matrix : NULL;
}

const cicd_node *cicd_need_node(const cicd_need *n)
{
	return n ? n->node : NULL;
}

/* ---- variables ---- */

const char *cicd_variable_name(const cicd_variable *v)
{
	return v ? v->name : NULL;
}

const char *cicd_variable_value(const cicd_variable *v)
{
	return v ? v->value : "";
}

const char *cicd_variable_description(const cicd_variable *v)
{
	return v ? v->description : NULL;
}

int cicd_variable_expand(const cicd_variable *v)
{
	return v ? v->expand : 1;
}

size_t cicd_variable_option_count(const cicd_variable *v)
{
	return v ? v->options.count : 0;
}

const char *cicd_variable_option(const cicd_variable *v, size_t i)
{
	return v ? STR_AT(v->options, i) : NULL;
}

const cicd_node *cicd_variable_node(const cicd_variable *v)
{
	return v ? v->node : NULL;
}

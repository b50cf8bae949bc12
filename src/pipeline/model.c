/*
 * The typed model, built from a validated configuration: stages, global
 * variables, workflow, and each visible job with `default` inherited.
 * Validation has run, so types are known to be right here.
 */
#include <string.h>

#include "core/scalar_value.h"
#include "internal.h"
#include "keywords.h"

/* A keyword of the job being built, from its table. */
#define J(kw) (sl.v[PL_KW_##kw])

int pl_instances(pl_ctx *c, const char *name, const cicd_node *parallel, pl_instance **out, size_t *count);
int pl_is_global_key(const char *key);
extern const char *const PL_DEFAULT_KEYS[];

static int strs_from(pl_ctx *c, pl_strs *out, const cicd_node *n, int depth)
{
	cicd_vec v = CICD_VEC_INIT;
	size_t i, k = 0;
	out->items = NULL;
	out->count = 0;
	if (!n || pl_is_null(n))
		return 0;
	if (pl_flatten(c, n, &v, depth))
		return -1;
	out->items = cicd__arena_calloc(&c->p->arena, v.count + 1, sizeof *out->items);
	if (!out->items) {
		cicd__vec_dispose(&v);
		pl_oom(c);
		return -1;
	}
	for (i = 0; i < v.count; i++) {
		const char *t = pl_text(v.items[i]);
		if (t)
			out->items[k++] = t;
	}
	out->count = k;
	cicd__vec_dispose(&v);
	return 0;
}

static int vars_from(pl_ctx *c, pl_vars *out, const cicd_node *map)
{
	size_t i;
	out->items = NULL;
	out->count = 0;
	if (!pl_is_map(map))
		return 0;
	out->items = cicd__arena_calloc(&c->p->arena, map->count + 1, sizeof *out->items);
	if (!out->items) {
		pl_oom(c);
		return -1;
	}
	for (i = 0; i < map->count; i++) {
		cicd_variable *var = &out->items[i];
		const cicd_node *v = map->u.map.pairs[i].value;
		var->name = pl_text(map->u.map.pairs[i].key);
		var->node = v;
		var->expand = 1;
		if (pl_is_map(v)) {
			const cicd_node *x;
			var->value = pl_text(pl_get(v, "value"));
			var->description = pl_text(pl_get(v, "description"));
			if ((x = pl_get(v, "expand")) && cicd__scalar_bool(x) == 0)
				var->expand = 0;
			if (strs_from(c, &var->options, pl_get(v, "options"), 1))
				return -1;
		} else {
			var->value = pl_text(v);
		}
		if (!var->value)
			var->value = "";
	}
	out->count = map->count;
	return 0;
}

static int needs_from(pl_ctx *c, pl_needs *out, const cicd_node *n)
{
	size_t i, count;
	out->items = NULL;
	out->count = -1;
	if (!n)
		return 0;
	count = pl_is_seq(n) ? n->count : 1;
	out->items = cicd__arena_calloc(&c->p->arena, count + 1, sizeof *out->items);
	if (!out->items) {
		pl_oom(c);
		return -1;
	}
	for (i = 0; i < count; i++) {
		const cicd_node *e = pl_is_seq(n) ? n->u.seq.items[i] : n, *x;
		cicd_need *nd = &out->items[i];
		nd->node = e;
		nd->artifacts = 1;
		if (pl_is_map(e)) {
			nd->job = pl_text(pl_get(e, "job"));
			nd->project = pl_text(pl_get(e, "project"));
			nd->ref = pl_text(pl_get(e, "ref"));
			nd->pipeline = pl_text(pl_get(e, "pipeline"));
			if ((x = pl_get(e, "optional")))
				nd->optional = cicd__scalar_bool(x) == 1;
			if ((x = pl_get(e, "artifacts")))
				nd->artifacts = cicd__scalar_bool(x) != 0;
			if ((x = pl_get(e, "parallel")))
				nd->matrix = pl_get(x, "matrix");
		} else {
			nd->job = pl_text(e);
		}
		if (!nd->job)
			nd->job = "";
	}
	out->count = (long)count;
	return 0;
}

static int rule_from(pl_ctx *c, cicd_rule *r, const cicd_node *n)
{
	const cicd_node *x;
	r->node = n;
	r->allow_failure = -1;
	r->if_node = pl_get(n, "if");
	r->if_text = pl_text(r->if_node);
	r->when = pl_text(pl_get(n, "when"));
	r->start_in = pl_text(pl_get(n, "start_in"));
	if ((x = pl_get(n, "allow_failure")))
		r->allow_failure = cicd__scalar_bool(x) == 1;
	if ((x = pl_get(n, "changes"))) {
		r->has_changes = 1;
		if (pl_is_map(x)) {
			r->compare_to = pl_text(pl_get(x, "compare_to"));
			x = pl_get(x, "paths");
		}
		if (strs_from(c, &r->changes, x, 1))
			return -1;
	}
	if ((x = pl_get(n, "exists"))) {
		r->has_exists = 1;
		if (pl_is_map(x)) {
			r->exists_project = pl_text(pl_get(x, "project"));
			r->exists_ref = pl_text(pl_get(x, "ref"));
			x = pl_get(x, "paths");
		}
		if (strs_from(c, &r->exists, x, 1))
			return -1;
	}
	if (vars_from(c, &r->vars, pl_get(n, "variables")))
		return -1;
	return needs_from(c, &r->needs, pl_get(n, "needs"));
}

static int rules_from(pl_ctx *c, pl_rules *out, const cicd_node *n)
{
	cicd_vec v = CICD_VEC_INIT;
	size_t i;
	out->items = NULL;
	out->count = 0;
	if (!n)
		return 0;
	if (pl_flatten(c, n, &v, 11))
		return -1;
	out->items = cicd__arena_calloc(&c->p->arena, v.count + 1, sizeof *out->items);
	if (!out->items) {
		cicd__vec_dispose(&v);
		pl_oom(c);
		return -1;
	}
	for (i = 0; i < v.count; i++)
		if (rule_from(c, &out->items[i], v.items[i])) {
			cicd__vec_dispose(&v);
			return -1;
		}
	out->count = v.count;
	cicd__vec_dispose(&v);
	return 0;
}

static cicd_job_policy *policy_from(pl_ctx *c, const cicd_node *n)
{
	cicd_job_policy *p = cicd__arena_calloc(&c->p->arena, 1, sizeof *p);
	const cicd_node *x;
	size_t i;
	if (!p) {
		pl_oom(c);
		return NULL;
	}
	if (!pl_is_map(n)) {
		if (strs_from(c, &p->refs, n, 1))
			return NULL;
		return p;
	}
	if (strs_from(c, &p->refs, pl_get(n, "refs"), 1) || strs_from(c, &p->vars, pl_get(n, "variables"), 1))
		return NULL;
	if ((x = pl_get(n, "variables")) && pl_is_seq(x)) {
		p->var_nodes = cicd__arena_calloc(&c->p->arena, x->count + 1, sizeof *p->var_nodes);
		if (!p->var_nodes) {
			pl_oom(c);
			return NULL;
		}
		for (i = 0; i < x->count; i++)
			p->var_nodes[i] = x->u.seq.items[i];
	}
	if ((x = pl_get(n, "changes"))) {
		p->has_changes = 1;
		if (pl_is_map(x))
			x = pl_get(x, "paths");
		if (strs_from(c, &p->changes, x, 1))
			return NULL;
	}
	p->kubernetes = pl_text(pl_get(n, "kubernetes"));
	return p;
}

static const char *DEFAULT_ONLY_REFS[] = {"branches", "tags"};
static cicd_job_policy DEFAULT_ONLY_POLICY = {1, {DEFAULT_ONLY_REFS, 2}, {NULL, 0}, NULL, 0, {NULL, 0}, NULL};

/* Whether `inherit:<what>` lets `name` through. */
static int inherits(const cicd_node *setting, const char *name)
{
	size_t i;
	if (!setting)
		return 1;
	if (pl_is_scalar(setting))
		return cicd__scalar_bool(setting) != 0;
	for (i = 0; pl_is_seq(setting) && i < setting->count; i++)
		if (pl_text(setting->u.seq.items[i]) && !strcmp(pl_text(setting->u.seq.items[i]), name))
			return 1;
	return 0;
}

#define DEFAULT_KEYS_MAX 16

/* The value each of PL_DEFAULT_KEYS has in `default` (or at the top level): the same for every job, so found once. */
typedef struct defaults {
	const cicd_node *v[DEFAULT_KEYS_MAX];
} defaults;

static void defaults_of(const cicd_node *root, defaults *d)
{
	const cicd_node *def = pl_get(root, "default");
	size_t i;
	memset(d, 0, sizeof *d);
	for (i = 0; PL_DEFAULT_KEYS[i] && i < DEFAULT_KEYS_MAX; i++) {
		const char *k = PL_DEFAULT_KEYS[i];
		const cicd_node *v = pl_get(def, k);
		if (!v && (!strcmp(k, "image") || !strcmp(k, "services") || !strcmp(k, "cache") ||
		           !strcmp(k, "before_script") || !strcmp(k, "after_script")))
			v = pl_get(root, k); /* deprecated global keywords act as defaults */
		d->v[i] = v;
	}
}

/* The job's own keys plus the `default` keys it inherits and lacks. */
static const cicd_node *effective(pl_ctx *c, const cicd_node *job, const defaults *d, const cicd_node *inh)
{
	cicd_node *m;
	size_t i, extra = 0, n;
	const cicd_node *add[DEFAULT_KEYS_MAX];
	const char *names[DEFAULT_KEYS_MAX];
	if (pl_get(job, "trigger"))
		return job; /* trigger jobs take no defaults */
	for (i = 0; PL_DEFAULT_KEYS[i] && i < DEFAULT_KEYS_MAX; i++) {
		const char *k = PL_DEFAULT_KEYS[i];
		const cicd_node *v = d->v[i];
		if (!v || pl_get(job, k) || !inherits(inh, k))
			continue;
		add[extra] = v;
		names[extra] = k;
		extra++;
	}
	if (!extra)
		return job;
	n = job->count;
	m = pl_map_new(c, n + extra, job);
	if (!m)
		return NULL;
	memcpy(m->u.map.pairs, job->u.map.pairs, n * sizeof *m->u.map.pairs);
	for (i = 0; i < extra; i++) {
		cicd_node *key = pl_scalar_new(c, names[i], strlen(names[i]), add[i], CICD_VALUE_STRING);
		if (!key)
			return NULL;
		key->style = CICD_SCALAR_PLAIN;
		m->u.map.pairs[n + i].key = key;
		m->u.map.pairs[n + i].value = (cicd_node *)(uintptr_t)add[i];
	}
	m->count = n + extra;
	if (pl_map_finish(c, m))
		return NULL;
	return m;
}

static int build_job(pl_ctx *c, cicd_job *j, const cicd_node *key, const cicd_node *own, const defaults *d)
{
	const cicd_node *cfg, *x, *inh = pl_get(own, "inherit");
	long long iv;
	pl_slots sl;
	j->name = pl_text(key);
	j->key = key;
	j->own = own;
	j->inherit_default = inh ? pl_get(inh, "default") : NULL;
	j->inherit_variables = inh ? pl_get(inh, "variables") : NULL;
	cfg = effective(c, own, d, j->inherit_default);
	if (!cfg)
		return -1;
	j->config = cfg;
	pl_slots_fill(&sl, cfg);
	j->stage = pl_text(J(STAGE));
	if (!j->stage)
		j->stage = "test";
	j->when = pl_text(J(WHEN));
	if (!j->when)
		j->when = "on_success";
	j->start_in = pl_text(J(START_IN));
	j->allow_failure = -1;
	if ((x = J(ALLOW_FAILURE))) {
		if (pl_is_map(x)) {
			const cicd_node *ec = pl_get(x, "exit_codes");
			size_t i, n = pl_is_seq(ec) ? ec->count : 1;
			j->allow_failure = 0;
			j->exit_codes = cicd__arena_calloc(&c->p->arena, n + 1, sizeof *j->exit_codes);
			if (!j->exit_codes) {
				pl_oom(c);
				return -1;
			}
			for (i = 0; i < n; i++) {
				iv = 0;
				cicd__scalar_int(pl_is_seq(ec) ? ec->u.seq.items[i] : ec, &iv);
				j->exit_codes[i] = (int)iv;
			}
			j->exit_code_count = n;
		} else {
			j->allow_failure = cicd__scalar_bool(x) == 1;
		}
	}
	if ((x = J(TRIGGER))) {
		j->trigger = 1;
		if (pl_is_string(x)) {
			j->trigger_project = pl_text(x);
		} else {
			j->trigger_project = pl_text(pl_get(x, "project"));
			j->trigger_branch = pl_text(pl_get(x, "branch"));
			j->trigger_strategy = pl_text(pl_get(x, "strategy"));
		}
	}
	if (strs_from(c, &j->script, J(SCRIPT), 11) || strs_from(c, &j->before_script, J(BEFORE_SCRIPT), 11) ||
	    strs_from(c, &j->after_script, J(AFTER_SCRIPT), 11))
		return -1;
	if ((x = J(RULES))) {
		j->has_rules = 1;
		if (rules_from(c, &j->rules, x))
			return -1;
	}
	if ((x = J(ONLY))) {
		if (!(j->only = policy_from(c, x)))
			return -1;
	} else if (!j->has_rules && !c->p->has_workflow_rules) {
		j->only = &DEFAULT_ONLY_POLICY;
	}
	if ((x = J(EXCEPT)) && !(j->except = policy_from(c, x)))
		return -1;
	if (needs_from(c, &j->needs, J(NEEDS)))
		return -1;
	j->dep_count = -1;
	if ((x = J(DEPENDENCIES))) {
		if (strs_from(c, &j->deps, x, 1))
			return -1;
		j->dep_count = (long)j->deps.count;
	}
	if (vars_from(c, &j->vars, J(VARIABLES)))
		return -1;
	if ((x = J(PARALLEL))) {
		j->matrix = pl_get(x, "matrix");
		if (j->matrix) {
			j->parallel = (unsigned int)pl_matrix_size(j->matrix);
		} else if (!cicd__scalar_int(x, &iv)) {
			j->parallel = (unsigned int)iv;
		}
	}
	if (pl_instances(c, j->name, x, &j->instances, &j->instance_count))
		return -1;
	x = J(IMAGE);
	j->image = pl_is_map(x) ? pl_text(pl_get(x, "name")) : pl_text(x);
	j->resource_group = pl_text(J(RESOURCE_GROUP));
	x = J(ENVIRONMENT);
	j->environment = pl_is_map(x) ? pl_text(pl_get(x, "name")) : pl_text(x);
	j->environment_action = pl_is_map(x) ? pl_text(pl_get(x, "action")) : NULL;
	j->timeout = pl_text(J(TIMEOUT));
	j->coverage = pl_text(J(COVERAGE));
	if (strs_from(c, &j->tags, J(TAGS), 1))
		return -1;
	j->interruptible = -1;
	if ((x = J(INTERRUPTIBLE)))
		j->interruptible = cicd__scalar_bool(x) == 1;
	if ((x = J(RETRY))) {
		const cicd_node *mx = pl_is_map(x) ? pl_get(x, "max") : x;
		iv = 0;
		if (mx && !cicd__scalar_int(mx, &iv))
			j->retry_max = (unsigned int)iv;
		if (pl_is_map(x) && strs_from(c, &j->retry_when, pl_get(x, "when"), 1))
			return -1;
	}
	return strs_from(c, &j->extends, J(EXTENDS), 1);
}

int pl_build_model(pl_ctx *c, const cicd_node *root)
{
	cicd_pipeline *p = c->p;
	const cicd_node *wf = pl_get(root, "workflow"), *x;
	size_t i, n = 0;
	defaults d;
	p->def = pl_get(root, "default");
	defaults_of(root, &d);
	if (pl_stage_list(c, root, &p->stages))
		return -1;
	if (vars_from(c, &p->vars, pl_get(root, "variables")))
		return -1;
	if (wf) {
		if ((x = pl_get(wf, "rules"))) {
			p->has_workflow_rules = 1;
			if (rules_from(c, &p->workflow_rules, x))
				return -1;
		}
		p->workflow_name = pl_text(pl_get(wf, "name"));
		if ((x = pl_get(wf, "auto_cancel"))) {
			p->auto_cancel_new_commit = pl_text(pl_get(x, "on_new_commit"));
			p->auto_cancel_job_failure = pl_text(pl_get(x, "on_job_failure"));
		}
	}
	p->jobs = cicd__arena_calloc(&p->arena, root->count + 1, sizeof *p->jobs);
	if (!p->jobs) {
		pl_oom(c);
		return -1;
	}
	for (i = 0; i < root->count; i++) {
		const cicd_node *k = root->u.map.pairs[i].key;
		const char *name = pl_text(k);
		if (!name || name[0] == '.' || pl_is_global_key(name))
			continue;
		if (build_job(c, &p->jobs[n], k, root->u.map.pairs[i].value, &d))
			return -1;
		if (cicd__hashmap_put(&p->job_index, name, strlen(name), &p->jobs[n], NULL)) {
			pl_oom(c);
			return -1;
		}
		n++;
	}
	p->job_count = n;
	return 0;
}

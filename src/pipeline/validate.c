/*
 * Validation of the whole configuration (GitLab's Entry::Root, Entry::Jobs
 * and the checks of YamlProcessor): global keywords, every visible job,
 * then what needs all jobs at once: stages, needs, dependencies, and job
 * names after `parallel` expansion.
 */
#include <string.h>

#include "core/buf.h"
#include "internal.h"

void pl_validate_parallel(pl_ctx *c, const cicd_node *n, const char *where);
int pl_instances(pl_ctx *c, const char *name, const cicd_node *parallel, pl_instance **out, size_t *count);
extern const char *const PL_DEFAULT_KEYS[];

static const char *const ROOT_KEYS[] = {"default",   "include", "before_script", "image",    "services", "after_script",
                                        "variables", "stages",  "cache",         "workflow", NULL};

int pl_is_global_key(const char *key);
int pl_is_global_key(const char *key)
{
	return pl_in_list(key, ROOT_KEYS);
}

static void validate_default(pl_ctx *c, const cicd_node *d)
{
	const cicd_node *v;
	if (!pl_is_map(d)) {
		pl_error(c, d, "default config should be a hash");
		return;
	}
	pl_unknown_keys(c, d, "default", PL_DEFAULT_KEYS);
	if ((v = pl_get(d, "before_script")))
		pl_validate_script_key(c, v, "default", "before_script");
	if ((v = pl_get(d, "after_script")))
		pl_validate_script_key(c, v, "default", "after_script");
	if ((v = pl_get(d, "image")))
		pl_validate_image(c, v, "default:image");
	if ((v = pl_get(d, "services")))
		pl_validate_services(c, v, "default:services");
	if ((v = pl_get(d, "cache")))
		pl_validate_cache(c, v, "default:cache");
	if ((v = pl_get(d, "artifacts")))
		pl_validate_artifacts(c, v, "default:artifacts");
	if ((v = pl_get(d, "retry")))
		pl_validate_retry(c, v, "default:retry");
	if ((v = pl_get(d, "hooks")))
		pl_validate_hooks(c, v, "default:hooks");
	if ((v = pl_get(d, "id_tokens")))
		pl_validate_id_tokens(c, v, "default:id_tokens");
	if ((v = pl_get(d, "tags")) && !pl_is_array_of_strings(v))
		pl_error(c, v, "default:tags config should be an array of strings");
	if ((v = pl_get(d, "interruptible")) && !(pl_is_scalar(v) && v->value_type == CICD_VALUE_BOOL))
		pl_error(c, v, "default:interruptible config should be a boolean value");
	if ((v = pl_get(d, "timeout")) && !(pl_is_scalar(v) && pl_is_duration(pl_text(v))))
		pl_error(c, v, "default timeout should be a duration");
	if ((v = pl_get(d, "identity")) && !pl_is_string(v))
		pl_error(c, v, "default identity should be a string");
}

static void validate_auto_cancel(pl_ctx *c, const cicd_node *n, const char *where)
{
	static const char *const keys[] = {"on_new_commit", "on_job_failure", NULL};
	static const char *const new_commit[] = {"conservative", "interruptible", "none", NULL};
	static const char *const job_failure[] = {"none", "all", NULL};
	const cicd_node *v;
	if (!pl_is_map(n)) {
		pl_error(c, n, "%s config should be a hash", where);
		return;
	}
	pl_unknown_keys(c, n, where, keys);
	if ((v = pl_get(n, "on_new_commit")) && !pl_in_list(pl_text(v), new_commit))
		pl_error(c, v, "%s on new commit must be one of: conservative, interruptible, none", where);
	if ((v = pl_get(n, "on_job_failure")) && !pl_in_list(pl_text(v), job_failure))
		pl_error(c, v, "%s on job failure must be one of: none, all", where);
}

static void validate_workflow(pl_ctx *c, const cicd_node *w)
{
	static const char *const keys[] = {"rules", "name", "auto_cancel", NULL};
	const cicd_node *v;
	if (!pl_is_map(w)) {
		pl_error(c, w, "workflow config should be a hash");
		return;
	}
	pl_unknown_keys(c, w, "workflow", keys);
	if ((v = pl_get(w, "rules")))
		pl_validate_rules(c, v, "workflow:rules", 1);
	if ((v = pl_get(w, "name"))) {
		if (!pl_is_string(v))
			pl_error(c, v, "workflow name should be a string");
		else if (strlen(pl_text(v)) > 255)
			pl_error(c, v, "workflow name is too long (maximum is 255 characters)");
	}
	if ((v = pl_get(w, "auto_cancel")))
		validate_auto_cancel(c, v, "workflow:auto_cancel");
}

/* Stages in order: `.pre`, the declared ones (nested lists flattened), `.post`. */
int pl_stage_list(pl_ctx *c, const cicd_node *root, pl_strs *out)
{
	static const char *const defaults[] = {"build", "test", "deploy", NULL};
	const cicd_node *st = pl_get(root, "stages");
	cicd_vec flat = CICD_VEC_INIT;
	size_t i, k = 0, n;
	if (pl_is_seq(st) && pl_is_script(st, 10) && pl_flatten(c, st, &flat, 11))
		return -1;
	n = pl_is_seq(st) && pl_is_script(st, 10) ? flat.count : 3;
	out->items = cicd__arena_calloc(&c->p->arena, n + 2, sizeof *out->items);
	if (!out->items) {
		cicd__vec_dispose(&flat);
		pl_oom(c);
		return -1;
	}
	out->items[k++] = ".pre";
	for (i = 0; i < n; i++) {
		const char *s = flat.count ? pl_text(flat.items[i]) : defaults[i];
		if (!strcmp(s, ".pre") || !strcmp(s, ".post"))
			continue;
		out->items[k++] = s;
	}
	out->items[k++] = ".post";
	out->count = k;
	cicd__vec_dispose(&flat);
	return 0;
}

static long stage_index(const pl_strs *stages, const char *s)
{
	size_t i;
	for (i = 0; s && i < stages->count; i++)
		if (!strcmp(stages->items[i], s))
			return (long)i;
	return -1;
}

typedef struct jobref {
	const cicd_node *key;
	const cicd_node *value;
	long stage;
} jobref;

static jobref *find_job(jobref *jobs, size_t n, cicd_hashmap *index, const char *name)
{
	void *v = cicd__hashmap_get(index, name, strlen(name));
	(void)jobs;
	(void)n;
	return v;
}

/* `needs:parallel:matrix` must select instances the needed job's own matrix makes. */
static void check_matrix_need(pl_ctx *c, const char *name, const jobref *target, const cicd_node *parallel)
{
	pl_instance *want = NULL, *have = NULL;
	size_t nwant = 0, nhave = 0, i, j;
	const char *tname = pl_text(target->key);
	const cicd_node *own = pl_get(target->value, "parallel");
	if (!pl_is_map(parallel) || !pl_matrix_size(pl_get(parallel, "matrix")))
		return; /* malformed: reported by the needs validation */
	if (pl_instances(c, tname, parallel, &want, &nwant))
		return;
	for (i = 0; i < nwant; i++)
		if (strstr(want[i].name, "$[["))
			return; /* matrix expressions name instances only when planning */
	if (own && pl_is_map(own) && pl_instances(c, tname, own, &have, &nhave))
		return;
	for (i = 0; i < nwant; i++) {
		int found = 0;
		for (j = 0; j < nhave && !found; j++)
			found = !strcmp(want[i].name, have[j].name);
		if (!found) {
			pl_error(c, parallel, "%s job: undefined need: %s", name, want[i].name);
			return;
		}
	}
}

static const char *environment_name(const cicd_node *env)
{
	return pl_is_map(env) ? pl_text(pl_get(env, "name")) : pl_text(env);
}

/* `environment:on_stop` names a job that stops the same environment (YamlProcessor#validate_job_environment!). */
static void check_on_stop(pl_ctx *c, const char *name, const cicd_node *job, jobref *jobs, size_t n,
                          cicd_hashmap *index)
{
	const cicd_node *env = pl_get(job, "environment"), *on_stop, *stop_env;
	const jobref *stop;
	const char *action;
	if (!pl_is_map(env) || !pl_is_string(on_stop = pl_get(env, "on_stop")))
		return;
	stop = find_job(jobs, n, index, pl_text(on_stop));
	if (!stop) {
		pl_error(c, on_stop, "%s job: on_stop job %s is not defined", name, pl_text(on_stop));
		return;
	}
	stop_env = pl_get(stop->value, "environment");
	if (!stop_env) {
		pl_error(c, on_stop, "%s job: on_stop job %s does not have environment defined", name,
		         pl_text(on_stop));
		return;
	}
	if (!environment_name(stop_env) || !environment_name(env) ||
	    strcmp(environment_name(stop_env), environment_name(env))) {
		pl_error(c, on_stop, "%s job: on_stop job %s does not have matching environment name", name,
		         pl_text(on_stop));
		return;
	}
	action = pl_is_map(stop_env) ? pl_text(pl_get(stop_env, "action")) : NULL;
	if (!action || strcmp(action, "stop"))
		pl_error(c, on_stop, "%s job: on_stop job %s needs to have action stop defined", name,
		         pl_text(on_stop));
}

static void check_semantics(pl_ctx *c, const cicd_node *root, jobref *jobs, size_t n)
{
	pl_strs stages;
	cicd_hashmap index = CICD_HASHMAP_INIT, names = CICD_HASHMAP_INIT;
	cicd_buf avail = CICD_BUF_INIT;
	size_t i, j;
	if (pl_stage_list(c, root, &stages))
		return;
	for (i = 0; i < stages.count; i++)
		if (cicd__buf_printf(&avail, "%s%s", i ? ", " : "", stages.items[i]))
			pl_oom(c);
	for (i = 0; i < n; i++) {
		const char *name = pl_text(jobs[i].key);
		const cicd_node *st = pl_get(jobs[i].value, "stage");
		const char *s = st ? pl_text(st) : "test";
		jobs[i].stage = stage_index(&stages, s);
		if (jobs[i].stage < 0 && (!st || pl_is_string(st)))
			pl_error(c, st ? st : jobs[i].key,
			         "%s job: chosen stage %s does not exist; available stages are %s", name, s,
			         avail.ptr ? avail.ptr : "");
		if (cicd__hashmap_put(&index, name, strlen(name), &jobs[i], NULL))
			pl_oom(c);
	}
	/* job names after parallel expansion must be unique */
	for (i = 0; i < n && !c->fatal; i++) {
		pl_instance *inst = NULL;
		size_t count = 0;
		const cicd_node *par = pl_get(jobs[i].value, "parallel");
		if (!par)
			continue;
		if (pl_instances(c, pl_text(jobs[i].key), par, &inst, &count))
			break;
		for (j = 0; j < count; j++) {
			const char *nm = inst[j].name;
			void *prev = NULL;
			if (cicd__hashmap_get(&index, nm, strlen(nm)) ||
			    cicd__hashmap_find(&names, nm, strlen(nm), &prev)) {
				pl_error(c, par,
				         "jobs:%s:parallel config generates job name `%s`, which is already used",
				         pl_text(jobs[i].key), nm);
				break;
			}
			if (cicd__hashmap_put(&names, nm, strlen(nm), (void *)(uintptr_t)nm, NULL))
				pl_oom(c);
		}
	}
	for (i = 0; i < n && !c->fatal; i++) {
		const char *name = pl_text(jobs[i].key);
		const cicd_node *needs = pl_get(jobs[i].value, "needs"), *deps = pl_get(jobs[i].value, "dependencies");
		size_t count = pl_is_seq(needs) ? needs->count : (needs && !pl_is_seq(needs) ? 1 : 0);
		for (j = 0; j < count; j++) {
			const cicd_node *nd = pl_is_seq(needs) ? needs->u.seq.items[j] : needs;
			const cicd_node *jn = pl_is_map(nd) ? pl_get(nd, "job") : nd;
			jobref *target;
			if (pl_is_map(nd) && (pl_get(nd, "project") || pl_get(nd, "pipeline")))
				continue; /* cross-project and parent-pipeline needs name jobs elsewhere */
			if (!pl_is_string(jn))
				continue;
			target = find_job(jobs, n, &index, pl_text(jn));
			if (!target) {
				pl_error(c, jn, "%s job: undefined need: %s", name, pl_text(jn));
				continue;
			}
			if (target->stage > jobs[i].stage && jobs[i].stage >= 0)
				pl_error(c, jn, "%s job: need %s is not defined in current or prior stages", name,
				         pl_text(jn));
			if (pl_is_map(nd) && pl_get(nd, "parallel"))
				check_matrix_need(c, name, target, pl_get(nd, "parallel"));
		}
		for (j = 0; pl_is_array_of_strings(deps) && j < deps->count; j++) {
			const cicd_node *dn = deps->u.seq.items[j];
			jobref *target = find_job(jobs, n, &index, pl_text(dn));
			if (!target) {
				pl_error(c, dn, "%s job: undefined dependency: %s", name, pl_text(dn));
				continue;
			}
			if (target->stage >= jobs[i].stage && jobs[i].stage >= 0 &&
			    !(target->stage == jobs[i].stage && needs))
				pl_error(c, dn, "%s job: dependency %s is not defined in current or prior stages", name,
				         pl_text(dn));
		}
		check_on_stop(c, name, jobs[i].value, jobs, n, &index);
	}
	cicd_buf_dispose(&avail);
	cicd__hashmap_dispose(&index);
	cicd__hashmap_dispose(&names);
}

void pl_validate(pl_ctx *c, const cicd_node *root)
{
	const cicd_node *v;
	jobref *jobs;
	size_t i, n = 0, visible = 0;
	if ((v = pl_get(root, "stages")) && (!pl_is_seq(v) || !pl_is_script(v, 10)))
		pl_error(
		    c, v,
		    "stages config should be an array of strings or a nested array of strings up to 10 levels deep");
	if ((v = pl_get(root, "default")))
		validate_default(c, v);
	if ((v = pl_get(root, "workflow")))
		validate_workflow(c, v);
	if ((v = pl_get(root, "variables")))
		pl_validate_variables(c, v, "variables", 1);
	if ((v = pl_get(root, "before_script")))
		pl_validate_script_key(c, v, "root", "before_script");
	if ((v = pl_get(root, "after_script")))
		pl_validate_script_key(c, v, "root", "after_script");
	if ((v = pl_get(root, "image")))
		pl_validate_image(c, v, "image");
	if ((v = pl_get(root, "services")))
		pl_validate_services(c, v, "services");
	if ((v = pl_get(root, "cache")))
		pl_validate_cache(c, v, "cache");
	jobs = cicd__arena_calloc(&c->p->arena, root->count + 1, sizeof *jobs);
	if (!jobs) {
		pl_oom(c);
		return;
	}
	for (i = 0; i < root->count && !c->fatal; i++) {
		const cicd_node *k = root->u.map.pairs[i].key, *val = root->u.map.pairs[i].value;
		const char *name = pl_text(k);
		if (!name || pl_is_null(k)) {
			pl_error(c, k, "jobs config should contain valid job names");
			continue;
		}
		if (name[0] == '.' || pl_in_list(name, ROOT_KEYS))
			continue;
		visible++;
		{
			size_t before = c->errors;
			pl_validate_job(c, k, val, root);
			if (c->errors == before || pl_is_map(val)) {
				jobs[n].key = k;
				jobs[n].value = val;
				n++;
			}
		}
	}
	if (!visible)
		pl_error(c, root, "jobs config should contain at least one visible job");
	if (!c->fatal)
		check_semantics(c, root, jobs, n);
}

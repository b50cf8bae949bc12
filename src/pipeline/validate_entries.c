/*
 * Validation of the entries a job shares with `default`: image, services,
 * cache, artifacts (with reports), retry, hooks, id_tokens. Messages follow
 * GitLab's entry classes of the same names.
 */
#include <string.h>

#include "core/scalar_value.h"
#include "internal.h"

/* ---- image, services ---- */

static const char *const IMAGE_KEYS[] = {"name", "entrypoint", "docker", "pull_policy", "kubernetes", NULL};
static const char *const SERVICE_KEYS[] = {"name",        "entrypoint", "command",    "alias", "variables",
                                           "pull_policy", "docker",     "kubernetes", NULL};
static const char *const PULL_POLICIES[] = {"always", "never", "if-not-present", NULL};

static void validate_pull_policy(pl_ctx *c, const cicd_node *n, const char *where)
{
	size_t i;
	if (!n)
		return;
	if (pl_is_string(n) && pl_in_list(pl_text(n), PULL_POLICIES))
		return;
	if (pl_is_seq(n) && n->count) {
		for (i = 0; i < n->count; i++)
			if (!pl_in_list(pl_text(n->u.seq.items[i]), PULL_POLICIES))
				break;
		if (i == n->count)
			return;
	}
	pl_error(c, n, "%s pull_policy should be one of: always, never, if-not-present", where);
}

/* image/service `docker:` and `kubernetes:` executor options. */
static void validate_executor_opts(pl_ctx *c, const cicd_node *n, const char *where, const char *which)
{
	static const char *const docker_keys[] = {"platform", "user", NULL};
	static const char *const kube_keys[] = {"user", NULL};
	const cicd_node *v;
	const char *w = pl_path(c, where, which);
	if (!pl_is_map(n)) {
		pl_error(c, n, "%s config should be a hash", w);
		return;
	}
	pl_unknown_keys(c, n, w, !strcmp(which, "docker") ? docker_keys : kube_keys);
	if ((v = pl_get(n, "platform")) && !pl_is_string(v))
		pl_error(c, v, "%s platform should be a string", w);
	if ((v = pl_get(n, "user"))) {
		int ok = !strcmp(which, "docker") ? pl_is_string(v)
		                                  : pl_is_scalar(v) && (v->value_type == CICD_VALUE_STRING ||
		                                                        v->value_type == CICD_VALUE_INT);
		if (!ok)
			pl_error(c, v, "%s user should be a string", w);
		else if (!v->len)
			pl_error(c, v, "%s user can't be blank", w);
	}
}

static void validate_command_list(pl_ctx *c, const cicd_node *v, const char *where, const char *key)
{
	if (!pl_is_array_of_strings(v))
		pl_error(c, v, "%s %s should be an array of strings", where, key);
	else if (!v->count && strcmp(key, "entrypoint"))
		pl_error(c, v, "%s %s can't be blank", where, key);
}

void pl_validate_image(pl_ctx *c, const cicd_node *n, const char *where)
{
	const cicd_node *v;
	if (pl_is_string(n))
		return;
	if (!pl_is_map(n)) {
		pl_error(c, n, "%s config should be a hash or a string", where);
		return;
	}
	pl_unknown_keys(c, n, where, IMAGE_KEYS);
	if (!(v = pl_get(n, "name")))
		pl_error(c, n, "%s name can't be blank", where);
	else if (!pl_is_string(v))
		pl_error(c, v, "%s name should be a string", where);
	if ((v = pl_get(n, "entrypoint")))
		validate_command_list(c, v, where, "entrypoint");
	if ((v = pl_get(n, "docker")))
		validate_executor_opts(c, v, where, "docker");
	if ((v = pl_get(n, "kubernetes")))
		validate_executor_opts(c, v, where, "kubernetes");
	validate_pull_policy(c, pl_get(n, "pull_policy"), where);
}

void pl_validate_services(pl_ctx *c, const cicd_node *n, const char *where)
{
	size_t i;
	if (!pl_is_seq(n)) {
		pl_error(c, n, "%s config should be a array", where);
		return;
	}
	for (i = 0; i < n->count; i++) {
		const cicd_node *s = n->u.seq.items[i], *v;
		const char *sw = pl_path(c, where, "service");
		if (pl_is_string(s))
			continue;
		if (!pl_is_map(s)) {
			pl_error(c, s, "%s config should be a hash or a string", sw);
			continue;
		}
		pl_unknown_keys(c, s, sw, SERVICE_KEYS);
		if (!(v = pl_get(s, "name")))
			pl_error(c, s, "%s name can't be blank", sw);
		else if (!pl_is_string(v))
			pl_error(c, v, "%s name should be a string", sw);
		if ((v = pl_get(s, "entrypoint")))
			validate_command_list(c, v, sw, "entrypoint");
		if ((v = pl_get(s, "command")))
			validate_command_list(c, v, sw, "command");
		if ((v = pl_get(s, "docker")))
			validate_executor_opts(c, v, sw, "docker");
		if ((v = pl_get(s, "kubernetes")))
			validate_executor_opts(c, v, sw, "kubernetes");
		if ((v = pl_get(s, "alias")) && !pl_is_string(v))
			pl_error(c, v, "%s alias should be a string", sw);
		if ((v = pl_get(s, "variables")))
			pl_validate_variables(c, v, pl_path(c, sw, "variables"), 0);
		validate_pull_policy(c, pl_get(s, "pull_policy"), sw);
	}
}

/* ---- cache ---- */

static void validate_one_cache(pl_ctx *c, const cicd_node *n, const char *where)
{
	static const char *const keys[] = {"key",    "untracked", "paths",         "when",
	                                   "policy", "unprotect", "fallback_keys", NULL};
	static const char *const whens[] = {"on_success", "on_failure", "always", NULL};
	static const char *const policies[] = {"pull", "push", "pull-push", NULL};
	const cicd_node *v;
	if (!pl_is_map(n)) {
		pl_error(c, n, "%s config should be a hash", where);
		return;
	}
	pl_unknown_keys(c, n, where, keys);
	if ((v = pl_get(n, "key"))) {
		if (pl_is_map(v)) {
			static const char *const kk[] = {"files", "prefix", NULL};
			const cicd_node *f = pl_get(v, "files");
			pl_unknown_keys(c, v, pl_path(c, where, "key"), kk);
			if (!f || !pl_is_array_of_strings(f) || !f->count || f->count > 10)
				pl_error(c, f ? f : v, "%s:key:files config should be an array of at most 10 strings",
				         where);
		} else if (!pl_is_scalar(v) || pl_is_null(v)) {
			pl_error(c, v, "%s:key config should be a hash, a string or a symbol", where);
		} else if (strchr(pl_text(v), '/') || !strcmp(pl_text(v), ".") || !strcmp(pl_text(v), "..")) {
			pl_error(c, v, "%s:key config cannot contain the \"/\" character", where);
		}
	}
	if ((v = pl_get(n, "paths")) && !pl_is_array_of_strings(v))
		pl_error(c, v, "%s:paths config should be an array of strings", where);
	if ((v = pl_get(n, "untracked")) && v->value_type != CICD_VALUE_BOOL)
		pl_error(c, v, "%s untracked should be a boolean value", where);
	if ((v = pl_get(n, "unprotect")) && v->value_type != CICD_VALUE_BOOL)
		pl_error(c, v, "%s unprotect should be a boolean value", where);
	if ((v = pl_get(n, "when")) && !pl_in_list(pl_text(v), whens))
		pl_error(c, v, "%s when should be one of: on_success, on_failure, always", where);
	if ((v = pl_get(n, "policy")) && !(pl_in_list(pl_text(v), policies) || (pl_text(v) && pl_text(v)[0] == '$')))
		pl_error(c, v, "%s policy should be pull-push, push, or pull", where);
	if ((v = pl_get(n, "fallback_keys")) && (!pl_is_array_of_strings(v) || v->count > 5))
		pl_error(c, v, "%s fallback_keys should be an array of at most 5 strings", where);
}

void pl_validate_cache(pl_ctx *c, const cicd_node *n, const char *where)
{
	size_t i;
	if (pl_is_seq(n)) {
		if (n->count > 4) {
			pl_error(c, n, "%s config no more than 4 caches can be created", where);
			return;
		}
		for (i = 0; i < n->count; i++)
			validate_one_cache(c, n->u.seq.items[i], where);
		return;
	}
	validate_one_cache(c, n, where);
}

/* ---- artifacts ---- */

static void validate_reports(pl_ctx *c, const cicd_node *n, const char *where)
{
	static const char *const keys[] = {"accessibility",
	                                   "annotations",
	                                   "api_fuzzing",
	                                   "browser_performance",
	                                   "coverage_report",
	                                   "codequality",
	                                   "container_scanning",
	                                   "coverage_fuzzing",
	                                   "cyclonedx",
	                                   "dast",
	                                   "dependency_scanning",
	                                   "dotenv",
	                                   "junit",
	                                   "license_scanning",
	                                   "load_performance",
	                                   "metrics",
	                                   "performance",
	                                   "requirements",
	                                   "repository_xray",
	                                   "requirements_v2",
	                                   "sast",
	                                   "secret_detection",
	                                   "terraform",
	                                   NULL};
	size_t i;
	if (!pl_is_map(n)) {
		pl_error(c, n, "%s config should be a hash", where);
		return;
	}
	pl_unknown_keys(c, n, where, keys);
	for (i = 0; i < n->count; i++) {
		const char *k = pl_text(n->u.map.pairs[i].key);
		const cicd_node *v = n->u.map.pairs[i].value;
		if (!k || !pl_in_list(k, keys))
			continue;
		if (!strcmp(k, "coverage_report")) {
			static const char *const ck[] = {"coverage_format", "path", NULL};
			static const char *const formats[] = {"cobertura", "jacoco", NULL};
			if (!pl_is_map(v)) {
				pl_error(c, v, "%s:coverage_report config should be a hash", where);
				continue;
			}
			pl_unknown_keys(c, v, pl_path(c, where, "coverage_report"), ck);
			if (!pl_in_list(pl_text(pl_get(v, "coverage_format")), formats))
				pl_error(c, pl_get(v, "coverage_format") ? pl_get(v, "coverage_format") : v,
				         "%s:coverage_report coverage_format should be one of: cobertura, jacoco",
				         where);
			if (!pl_is_string(pl_get(v, "path")))
				pl_error(c, pl_get(v, "path") ? pl_get(v, "path") : v,
				         "%s:coverage_report path should be a string", where);
			continue;
		}
		if (!pl_is_string(v) && !pl_is_array_of_strings(v))
			pl_error(c, v, "%s %s should be an array of strings or a string", where, k);
	}
}

void pl_validate_artifacts(pl_ctx *c, const cicd_node *n, const char *where)
{
	static const char *const keys[] = {"name",      "untracked", "paths",  "exclude", "expose_as", "when",
	                                   "expire_in", "reports",   "public", "access",  NULL};
	static const char *const whens[] = {"on_success", "on_failure", "always", NULL};
	static const char *const access[] = {"all", "developer", "maintainer", "none", NULL};
	const cicd_node *v;
	if (!pl_is_map(n)) {
		pl_error(c, n, "%s config should be a hash", where);
		return;
	}
	pl_unknown_keys(c, n, where, keys);
	if ((v = pl_get(n, "name")) && !pl_is_scalar(v))
		pl_error(c, v, "%s name should be a string", where);
	if ((v = pl_get(n, "untracked")) && v->value_type != CICD_VALUE_BOOL)
		pl_error(c, v, "%s untracked should be a boolean value", where);
	if ((v = pl_get(n, "paths")) && !pl_is_array_of_strings(v))
		pl_error(c, v, "%s paths should be an array of strings", where);
	if ((v = pl_get(n, "exclude")) && !pl_is_array_of_strings(v))
		pl_error(c, v, "%s exclude should be an array of strings", where);
	if ((v = pl_get(n, "expose_as")) && !pl_is_string(v))
		pl_error(c, v, "%s expose as should be a string", where);
	if ((v = pl_get(n, "when")) && !pl_in_list(pl_text(v), whens))
		pl_error(c, v, "%s when should be on_success, on_failure or always", where);
	if ((v = pl_get(n, "expire_in")) &&
	    !(pl_is_scalar(v) && (pl_is_duration(pl_text(v)) || !strcmp(pl_text(v), "never"))))
		pl_error(c, v, "%s expire in should be a duration", where);
	if ((v = pl_get(n, "reports")))
		validate_reports(c, v, pl_path(c, where, "reports"));
	if ((v = pl_get(n, "public")) && v->value_type != CICD_VALUE_BOOL)
		pl_error(c, v, "%s public should be a boolean value", where);
	if ((v = pl_get(n, "access")) && !pl_in_list(pl_text(v), access))
		pl_error(c, v, "%s access should be one of: all, developer, maintainer, none", where);
	if (pl_get(n, "public") && pl_get(n, "access"))
		pl_error(c, n, "%s config can't use both public and access", where);
}

/* ---- retry ---- */

static const char *const RETRY_WHEN[] = {"always",
                                         "unknown_failure",
                                         "script_failure",
                                         "api_failure",
                                         "stuck_or_timeout_failure",
                                         "runner_system_failure",
                                         "runner_unsupported",
                                         "stale_schedule",
                                         "job_execution_timeout",
                                         "archived_failure",
                                         "unmet_prerequisites",
                                         "scheduler_failure",
                                         "data_integrity_failure",
                                         NULL};

static void validate_retry_max(pl_ctx *c, const cicd_node *n, const char *where)
{
	long long v;
	if (!pl_is_scalar(n) || n->value_type != CICD_VALUE_INT || cicd__scalar_int(n, &v)) {
		pl_error(c, n, "%s config should be a hash or an integer", where);
		return;
	}
	if (v < 0 || v > 2)
		pl_error(c, n, "%s config must be between 0 and 2", where);
}

void pl_validate_retry(pl_ctx *c, const cicd_node *n, const char *where)
{
	static const char *const keys[] = {"max", "when", "exit_codes", NULL};
	const cicd_node *v;
	size_t i;
	if (!pl_is_map(n)) {
		validate_retry_max(c, n, where);
		return;
	}
	pl_unknown_keys(c, n, where, keys);
	if ((v = pl_get(n, "max")))
		validate_retry_max(c, v, pl_path(c, where, "max"));
	if ((v = pl_get(n, "when"))) {
		if (pl_is_string(v)) {
			if (!pl_in_list(pl_text(v), RETRY_WHEN))
				pl_error(c, v, "%s:when config should be one of: %s", where,
				         pl_join(c, RETRY_WHEN, ", "));
		} else if (!pl_is_array_of_strings(v)) {
			pl_error(c, v, "%s:when config should be a string or an array of strings", where);
		} else {
			for (i = 0; i < v->count; i++)
				if (!pl_in_list(pl_text(v->u.seq.items[i]), RETRY_WHEN)) {
					pl_error(c, v->u.seq.items[i], "%s:when config contains unknown values: %s",
					         where, pl_text(v->u.seq.items[i]));
					break;
				}
		}
	}
	if ((v = pl_get(n, "exit_codes"))) {
		int ok = pl_is_scalar(v) ? v->value_type == CICD_VALUE_INT : pl_is_seq(v);
		for (i = 0; ok && pl_is_seq(v) && i < v->count; i++)
			if (!pl_is_scalar(v->u.seq.items[i]) || v->u.seq.items[i]->value_type != CICD_VALUE_INT)
				ok = 0;
		for (i = 0; ok && pl_is_seq(v) && i < v->count; i++) {
			size_t j;
			for (j = 0; j < i; j++)
				if (!strcmp(pl_text(v->u.seq.items[i]), pl_text(v->u.seq.items[j])))
					ok = 0;
		}
		if (!ok)
			pl_error(c, v, "%s exit codes should be an array of unique integers or an integer", where);
	}
}

/* ---- hooks, id_tokens ---- */

void pl_validate_hooks(pl_ctx *c, const cicd_node *n, const char *where)
{
	static const char *const keys[] = {"pre_get_sources_script", NULL};
	const cicd_node *v;
	if (!pl_is_map(n)) {
		pl_error(c, n, "%s config should be a hash", where);
		return;
	}
	pl_unknown_keys(c, n, where, keys);
	if ((v = pl_get(n, "pre_get_sources_script")))
		pl_validate_script_key(c, v, where, "pre_get_sources_script");
}

void pl_validate_id_tokens(pl_ctx *c, const cicd_node *n, const char *where)
{
	static const char *const keys[] = {"aud", NULL};
	size_t i;
	if (!pl_is_map(n)) {
		pl_error(c, n, "%s config should be a hash", where);
		return;
	}
	for (i = 0; i < n->count; i++) {
		const cicd_node *t = n->u.map.pairs[i].value, *aud;
		const char *tw = pl_sprintf(c, "%s:%s", where, pl_text(n->u.map.pairs[i].key));
		if (!pl_is_map(t)) {
			pl_error(c, t, "%s config should be a hash", tw);
			continue;
		}
		pl_unknown_keys(c, t, tw, keys);
		aud = pl_get(t, "aud");
		if (!aud)
			pl_error(c, t, "%s config missing required keys: aud", tw);
		else if (!pl_is_string(aud) && !pl_is_array_of_strings(aud))
			pl_error(c, aud, "%s aud should be an array of strings or a string", tw);
	}
}

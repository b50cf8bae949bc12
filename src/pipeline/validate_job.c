/*
 * Validation of one job (GitLab's Entry::Job and Entry::Bridge with
 * Entry::Processable): allowed keys, the type and values of each keyword.
 * Cross-job checks (stages, needs, dependencies) are in validate.c.
 */
#include <string.h>

#include "core/regex.h"
#include "core/scalar_value.h"
#include "internal.h"
#include "keywords.h"

/* A keyword of the job being validated, from its table. */
#define J(kw) (sl.v[PL_KW_##kw])

void pl_validate_parallel(pl_ctx *c, const cicd_node *n, const char *where);

static const char *const BRIDGE_KEYS[] = {"allow_failure", "environment", "except",  "extends",   "inherit",
                                          "interruptible", "needs",       "only",    "parallel",  "resource_group",
                                          "rules",         "stage",       "trigger", "variables", "when"};
#define BRIDGE_KEYS_COUNT 15

static const char *const JOB_WHEN[] = {"on_success", "on_failure", "always", "manual", "delayed", NULL};
static const char *const BRIDGE_WHEN[] = {"on_success", "on_failure", "always", "manual", NULL};

/* Keys of `default` a job can inherit (GitLab's Entry::Default). */
const char *const PL_DEFAULT_KEYS[] = {"after_script", "artifacts", "before_script", "cache", "hooks",    "id_tokens",
                                       "identity",     "image",     "interruptible", "retry", "services", "tags",
                                       "timeout",      NULL};

static int is_bool(const cicd_node *n)
{
	return pl_is_scalar(n) && n->value_type == CICD_VALUE_BOOL;
}

/* A `/pattern/flags` literal whose pattern RE2 compiles. */
static int is_regex_literal(const char *s, char *err, size_t errcap)
{
	const char *end;
	cicd_regex *re = NULL;
	unsigned int flags = 0;
	size_t len = s ? strlen(s) : 0;
	if (len < 2 || s[0] != '/')
		return 0;
	end = strrchr(s, '/');
	if (end == s)
		return 0;
	for (const char *f = end + 1; *f; f++) {
		if (*f == 'i')
			flags |= CICD_REGEX_ICASE;
		else if (*f == 'm')
			flags |= CICD_REGEX_MULTILINE;
		else if (*f == 's')
			flags |= CICD_REGEX_DOTALL;
		else
			return 0;
	}
	if (cicd__regex_compile(&re, s + 1, (size_t)(end - s - 1), flags, err, errcap))
		return 0;
	cicd__regex_free(re);
	return 1;
}

static void validate_refs(pl_ctx *c, const cicd_node *refs, const char *where)
{
	size_t i;
	char err[256];
	if (!pl_is_array_of_strings(refs)) {
		pl_error(c, refs, "%s config should be an array of strings or regular expressions", where);
		return;
	}
	for (i = 0; i < refs->count; i++) {
		const char *r = pl_text(refs->u.seq.items[i]);
		err[0] = 0;
		if (r[0] == '/' && !is_regex_literal(r, err, sizeof err)) {
			pl_error(c, refs->u.seq.items[i],
			         "%s config should be an array of strings or regular expressions", where);
			return;
		}
	}
}

static void validate_policy(pl_ctx *c, const cicd_node *n, const char *where)
{
	static const char *const keys[] = {"refs", "kubernetes", "variables", "changes", NULL};
	const cicd_node *v;
	if (pl_is_seq(n) || pl_is_string(n)) {
		if (pl_is_string(n)) {
			pl_error(c, n, "%s config should be an array of strings or regular expressions", where);
			return;
		}
		validate_refs(c, n, where);
		return;
	}
	if (!pl_is_map(n)) {
		pl_error(c, n, "%s config should be an array of strings or regular expressions", where);
		return;
	}
	pl_unknown_keys(c, n, where, keys);
	if ((v = pl_get(n, "refs")))
		validate_refs(c, v, pl_path(c, where, "refs"));
	if ((v = pl_get(n, "kubernetes")) && !(pl_is_string(v) && !strcmp(pl_text(v), "active")))
		pl_error(c, v, "%s:kubernetes config unknown value: %s", where, pl_text(v) ? pl_text(v) : "?");
	if ((v = pl_get(n, "variables"))) {
		if (!pl_is_array_of_strings(v)) {
			pl_error(c, v, "%s:variables config should be an array of strings", where);
		} else {
			size_t i;
			for (i = 0; i < v->count; i++)
				pl_check_expression(c, v->u.seq.items[i], pl_path(c, where, "variables"),
				                    "config");
		}
	}
	if ((v = pl_get(n, "changes")) && !pl_is_array_of_strings(v)) {
		static const char *const ck[] = {"paths", "compare_to", NULL};
		if (pl_is_map(v) && pl_is_array_of_strings(pl_get(v, "paths")))
			pl_unknown_keys(c, v, pl_path(c, where, "changes"), ck);
		else
			pl_error(c, v, "%s:changes config should be an array of strings", where);
	}
}

static void validate_allow_failure(pl_ctx *c, const cicd_node *n, const char *where, int bridge)
{
	static const char *const keys[] = {"exit_codes", NULL};
	const cicd_node *ec;
	size_t i;
	if (is_bool(n))
		return;
	if (bridge || !pl_is_map(n)) {
		pl_error(c, n, "%s allow_failure should be a %sboolean value", where, bridge ? "" : "hash or a ");
		return;
	}
	pl_unknown_keys(c, n, pl_path(c, where, "allow_failure"), keys);
	ec = pl_get(n, "exit_codes");
	if (!ec) {
		pl_error(c, n, "%s:allow_failure exit_codes can't be blank", where);
		return;
	}
	if (pl_is_scalar(ec) && ec->value_type == CICD_VALUE_INT)
		return;
	if (pl_is_seq(ec) && ec->count && ec->count <= 255) {
		for (i = 0; i < ec->count; i++)
			if (!pl_is_scalar(ec->u.seq.items[i]) || ec->u.seq.items[i]->value_type != CICD_VALUE_INT)
				break;
		if (i == ec->count)
			return;
	}
	pl_error(c, ec, "%s:allow_failure exit_codes should be an array of integers or an integer", where);
}

static void validate_inherit(pl_ctx *c, const cicd_node *n, const char *where)
{
	static const char *const keys[] = {"default", "variables", NULL};
	const cicd_node *v;
	size_t i;
	if (!pl_is_map(n)) {
		pl_error(c, n, "%s:inherit config should be a hash", where);
		return;
	}
	pl_unknown_keys(c, n, pl_path(c, where, "inherit"), keys);
	if ((v = pl_get(n, "default")) && !is_bool(v)) {
		if (!pl_is_array_of_strings(v)) {
			pl_error(c, v, "%s:inherit:default config should be a boolean value or an array of strings",
			         where);
		} else {
			for (i = 0; i < v->count; i++)
				if (!pl_in_list(pl_text(v->u.seq.items[i]), PL_DEFAULT_KEYS)) {
					pl_error(c, v->u.seq.items[i],
					         "%s:inherit:default config contains unknown values: %s", where,
					         pl_text(v->u.seq.items[i]));
					break;
				}
		}
	}
	if ((v = pl_get(n, "variables")) && !is_bool(v) && !pl_is_array_of_strings(v))
		pl_error(c, v, "%s:inherit:variables config should be a boolean value or an array of strings", where);
}

static void validate_environment(pl_ctx *c, const cicd_node *n, const char *where)
{
	static const char *const keys[] = {"name",         "url",        "action",          "on_stop",
	                                   "auto_stop_in", "kubernetes", "deployment_tier", NULL};
	static const char *const actions[] = {"start", "prepare", "stop", "verify", "access", NULL};
	static const char *const tiers[] = {"production", "staging", "testing", "development", "other", NULL};
	const cicd_node *v;
	const char *w = pl_path(c, where, "environment");
	if (pl_is_string(n))
		return;
	if (!pl_is_map(n)) {
		pl_error(c, n, "%s config should be a hash or a string", w);
		return;
	}
	pl_unknown_keys(c, n, w, keys);
	if (!(v = pl_get(n, "name")))
		pl_error(c, n, "%s name can't be blank", w);
	else if (!pl_is_string(v))
		pl_error(c, v, "%s name should be a string", w);
	if ((v = pl_get(n, "url")) && !pl_is_string(v))
		pl_error(c, v, "%s url should be a string", w);
	if ((v = pl_get(n, "action")) && !pl_in_list(pl_text(v), actions))
		pl_error(c, v, "%s action should be start, stop, prepare, verify, or access", w);
	if ((v = pl_get(n, "on_stop")) && !pl_is_string(v))
		pl_error(c, v, "%s on stop should be a string", w);
	if ((v = pl_get(n, "auto_stop_in")) &&
	    !(pl_is_scalar(v) && (pl_is_duration(pl_text(v)) || !strcmp(pl_text(v), "never"))))
		pl_error(c, v, "%s auto stop in should be a duration", w);
	if ((v = pl_get(n, "kubernetes")) && !pl_is_map(v))
		pl_error(c, v, "%s:kubernetes config should be a hash", w);
	if ((v = pl_get(n, "deployment_tier")) && !pl_in_list(pl_text(v), tiers))
		pl_error(c, v, "%s deployment_tier must be one of production, staging, testing, development, or other",
		         w);
}

static void validate_release(pl_ctx *c, const cicd_node *n, const char *where)
{
	static const char *const keys[] = {"tag_name",    "tag_message", "name",   "description", "ref",
	                                   "released_at", "milestones",  "assets", NULL};
	const cicd_node *v;
	const char *w = pl_path(c, where, "release");
	if (!pl_is_map(n)) {
		pl_error(c, n, "%s config should be a hash", w);
		return;
	}
	pl_unknown_keys(c, n, w, keys);
	if (!(v = pl_get(n, "tag_name")))
		pl_error(c, n, "%s tag_name can't be blank", w);
	else if (!pl_is_scalar(v))
		pl_error(c, v, "%s tag_name should be a string", w);
	if (!(v = pl_get(n, "description")))
		pl_error(c, n, "%s description can't be blank", w);
	else if (!pl_is_scalar(v))
		pl_error(c, v, "%s description should be a string", w);
	if ((v = pl_get(n, "milestones")) && !pl_is_string(v) && !pl_is_array_of_strings(v))
		pl_error(c, v, "%s milestones should be an array of strings or a string", w);
	if ((v = pl_get(n, "assets"))) {
		static const char *const ak[] = {"links", NULL};
		static const char *const lk[] = {"name", "url", "filepath", "direct_asset_path", "link_type", NULL};
		const cicd_node *links = pl_is_map(v) ? pl_get(v, "links") : NULL;
		size_t i;
		pl_unknown_keys(c, v, pl_path(c, w, "assets"), ak);
		if (!pl_is_seq(links) || !links->count) {
			pl_error(c, links ? links : v, "%s:assets:links config should be an array of hashes", w);
			return;
		}
		for (i = 0; i < links->count; i++) {
			const cicd_node *l = links->u.seq.items[i];
			const char *lw = pl_path(c, w, "assets:links:link");
			if (!pl_is_map(l)) {
				pl_error(c, l, "%s config should be a hash", lw);
				continue;
			}
			pl_unknown_keys(c, l, lw, lk);
			if (!pl_get(l, "name"))
				pl_error(c, l, "%s name can't be blank", lw);
			if (!pl_get(l, "url"))
				pl_error(c, l, "%s url can't be blank", lw);
		}
	}
}

static void validate_vault(pl_ctx *c, const cicd_node *v, const char *sw)
{
	static const char *const keys[] = {"engine", "path", "field", NULL};
	static const char *const engine_keys[] = {"name", "path", NULL};
	const char *w = pl_path(c, sw, "vault");
	const cicd_node *e;
	if (pl_is_string(v))
		return;
	if (!pl_is_map(v)) {
		pl_error(c, v, "%s config should be a hash or a string", w);
		return;
	}
	pl_unknown_keys(c, v, w, keys);
	if (!pl_is_string(pl_get(v, "path")))
		pl_error(c, v, "%s path can't be blank", w);
	if (!pl_is_string(pl_get(v, "field")))
		pl_error(c, v, "%s field can't be blank", w);
	if ((e = pl_get(v, "engine"))) {
		if (!pl_is_map(e)) {
			pl_error(c, e, "%s:engine config should be a hash", w);
			return;
		}
		pl_unknown_keys(c, e, pl_path(c, w, "engine"), engine_keys);
		if (!pl_is_string(pl_get(e, "name")))
			pl_error(c, e, "%s:engine name can't be blank", w);
		if (!pl_is_string(pl_get(e, "path")))
			pl_error(c, e, "%s:engine path can't be blank", w);
	}
}

static void validate_azure(pl_ctx *c, const cicd_node *v, const char *sw)
{
	static const char *const keys[] = {"name", "version", NULL};
	const char *w = pl_path(c, sw, "azure_key_vault");
	if (!pl_is_map(v)) {
		pl_error(c, v, "%s config should be a hash", w);
		return;
	}
	pl_unknown_keys(c, v, w, keys);
	if (!pl_is_string(pl_get(v, "name")))
		pl_error(c, v, "%s name can't be blank", w);
}

static void validate_secrets(pl_ctx *c, const cicd_node *n, const char *where)
{
	static const char *const keys[] = {"vault",
	                                   "file",
	                                   "token",
	                                   "azure_key_vault",
	                                   "gcp_secret_manager",
	                                   "akeyless",
	                                   "aws_secrets_manager",
	                                   "gitlab_secrets_manager",
	                                   NULL};
	static const char *const providers[] = {"vault",    "azure_key_vault",     "gcp_secret_manager",
	                                        "akeyless", "aws_secrets_manager", "gitlab_secrets_manager",
	                                        NULL};
	size_t i;
	if (!pl_is_map(n)) {
		pl_error(c, n, "%s:secrets config should be a hash", where);
		return;
	}
	for (i = 0; i < n->count; i++) {
		const cicd_node *s = n->u.map.pairs[i].value;
		const char *sw = pl_sprintf(c, "%s:secrets:%s", where, pl_text(n->u.map.pairs[i].key));
		if (!pl_is_map(s)) {
			pl_error(c, s, "%s config should be a hash", sw);
			continue;
		}
		pl_unknown_keys(c, s, sw, keys);
		{
			size_t k, found = 0;
			for (k = 0; providers[k]; k++)
				if (pl_get(s, providers[k]))
					found++;
			if (found != 1)
				pl_error(c, s, "%s config must use exactly one of: %s", sw,
				         pl_join(c, providers, ", "));
		}
		if (pl_get(s, "vault"))
			validate_vault(c, pl_get(s, "vault"), sw);
		if (pl_get(s, "azure_key_vault"))
			validate_azure(c, pl_get(s, "azure_key_vault"), sw);
		if (pl_get(s, "file") && pl_get(s, "file")->value_type != CICD_VALUE_BOOL)
			pl_error(c, pl_get(s, "file"), "%s file should be a boolean value", sw);
	}
}

static void validate_pages(pl_ctx *c, const cicd_node *n, const char *where)
{
	static const char *const keys[] = {"publish", "path_prefix", "expire_in", NULL};
	if (is_bool(n))
		return;
	if (!pl_is_map(n)) {
		pl_error(c, n, "%s:pages config should be a hash or a boolean value", where);
		return;
	}
	pl_unknown_keys(c, n, pl_path(c, where, "pages"), keys);
}

/* `group/project` (any depth of subgroups) or a variable, as GitLab's schema's project path. */
int pl_is_project_path(const char *s);
int pl_is_project_path(const char *s)
{
	const char *p;
	int slashes = 0, seg = 0;
	if (!s || !*s)
		return 0;
	if (s[0] == '$')
		return s[1] != 0;
	for (p = s; *p; p++) {
		if (*p == '/') {
			if (!seg)
				return 0;
			slashes++;
			seg = 0;
		} else if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
		           *p == '_' || *p == '-' || *p == '.' || *p == '$' || *p == '{' || *p == '}') {
			seg++;
		} else {
			return 0;
		}
	}
	return slashes > 0 && seg > 0;
}

static void validate_trigger_include(pl_ctx *c, const cicd_node *n, const char *w)
{
	static const char *const keys[] = {"local", "template", "artifact", "job", "project",
	                                   "file",  "ref",      "inputs",   NULL};
	size_t i;
	if (pl_is_string(n))
		return;
	if (!pl_is_seq(n) && !pl_is_map(n)) {
		pl_error(c, n, "%s:include config should be a string, a hash or an array", w);
		return;
	}
	if (pl_is_seq(n) && n->count > 3) {
		pl_error(c, n, "%s:include config must contain at most 3 entries", w);
		return;
	}
	for (i = 0; i < (pl_is_seq(n) ? n->count : 1); i++) {
		const cicd_node *e = pl_is_seq(n) ? n->u.seq.items[i] : n;
		if (pl_is_string(e))
			continue;
		if (!pl_is_map(e)) {
			pl_error(c, e, "%s:include config should be a string or a hash", w);
			continue;
		}
		pl_unknown_keys(c, e, pl_path(c, w, "include"), keys);
		if (pl_get(e, "artifact") && !pl_get(e, "job"))
			pl_error(c, e, "%s:include config must specify the job where to fetch the artifact from", w);
		if (pl_get(e, "project") && !pl_get(e, "file"))
			pl_error(c, e, "%s:include config must specify the file where to fetch the config from", w);
		if (pl_get(e, "file") && !pl_get(e, "project"))
			pl_error(c, e, "%s:include config must specify the project where to fetch the config from", w);
		if (pl_get(e, "project") && !pl_is_project_path(pl_text(pl_get(e, "project"))))
			pl_error(c, pl_get(e, "project"), "%s:include project should be a valid project path", w);
	}
}

static void validate_trigger(pl_ctx *c, const cicd_node *n, const char *where)
{
	static const char *const keys[] = {"project", "branch", "strategy", "forward", "include", "inputs", NULL};
	static const char *const strategies[] = {"depend", "mirror", NULL};
	const cicd_node *v;
	const char *w = pl_path(c, where, "trigger");
	if (pl_is_string(n)) {
		if (!pl_is_project_path(pl_text(n)))
			pl_error(c, n, "%s config should be a valid project path", w);
		return;
	}
	if (!pl_is_map(n)) {
		pl_error(c, n, "%s config should be a hash or a string", w);
		return;
	}
	pl_unknown_keys(c, n, w, keys);
	if (pl_is_string(pl_get(n, "project")) && !pl_is_project_path(pl_text(pl_get(n, "project"))))
		pl_error(c, pl_get(n, "project"), "%s project should be a valid project path", w);
	if (pl_get(n, "project") && pl_get(n, "include"))
		pl_error(c, n, "%s config contains unknown keys: include", w);
	if (!pl_get(n, "project") && !pl_get(n, "include"))
		pl_error(c, n, "%s config must specify either project or include", w);
	if ((v = pl_get(n, "project")) && !pl_is_string(v))
		pl_error(c, v, "%s project should be a string", w);
	if ((v = pl_get(n, "branch")) && !pl_is_scalar(v))
		pl_error(c, v, "%s branch should be a string", w);
	if ((v = pl_get(n, "strategy")) && !pl_in_list(pl_text(v), strategies))
		pl_error(c, v, "%s strategy should be depend or mirror", w);
	if ((v = pl_get(n, "forward"))) {
		static const char *const fk[] = {"yaml_variables", "pipeline_variables", NULL};
		size_t i;
		if (!pl_is_map(v)) {
			pl_error(c, v, "%s:forward config should be a hash", w);
		} else {
			pl_unknown_keys(c, v, pl_path(c, w, "forward"), fk);
			for (i = 0; i < v->count; i++)
				if (!is_bool(v->u.map.pairs[i].value))
					pl_error(c, v->u.map.pairs[i].value, "%s:forward %s should be a boolean value",
					         w, pl_text(v->u.map.pairs[i].key));
		}
	}
	if ((v = pl_get(n, "include")))
		validate_trigger_include(c, v, w);
	if ((v = pl_get(n, "inputs")) && !pl_is_map(v))
		pl_error(c, v, "%s:inputs config should be a hash", w);
}

void pl_validate_job(pl_ctx *c, const cicd_node *key, const cicd_node *job, const cicd_node *root)
{
	const char *name = pl_text(key);
	const char *w = pl_sprintf(c, "jobs:%s", name);
	const cicd_node *v, *rules;
	int bridge;
	const char *when = NULL;
	pl_slots sl;
	if (!w)
		return;
	if (!pl_is_map(job)) {
		pl_error(c, job, "%s config should be a hash", w);
		return;
	}
	pl_slots_fill(&sl, job);
	if (strlen(name) > 255)
		pl_error(c, key, "%s name is too long (maximum is 255 characters)", w);
	bridge = J(TRIGGER) != NULL;
	if (!bridge && !J(SCRIPT) && !J(RUN)) {
		pl_error(c, key, "%s config should implement the script:, run:, or trigger: keyword", w);
		return;
	}
	if (bridge)
		pl_unknown_keys_sorted(c, job, w, BRIDGE_KEYS, BRIDGE_KEYS_COUNT);
	else
		/* every job keyword; `trigger` makes a job a bridge, checked above */
		pl_unknown_keys_sorted(c, job, w, pl_keyword_names, PL_KW_COUNT);
	rules = J(RULES);
	if (rules) {
		static const char *const clash[] = {"only", "except", "start_in", NULL};
		char list[64] = "";
		const cicd_node *first = NULL;
		size_t i;
		for (i = 0; clash[i]; i++)
			if ((v = pl_get(job, clash[i]))) {
				if (!first)
					first = v;
				strcat(list, *list ? ", " : "");
				strcat(list, clash[i]);
			}
		if (first)
			pl_error(c, first, "%s config key may not be used with `rules`: %s", w, list);
		pl_validate_rules(c, rules, pl_path(c, w, "rules"), 0);
		/* GitLab's Processable#validate_against_warnings */
		if (pl_is_seq(rules) && rules->count && !pl_get(pl_get(root, "workflow"), "rules")) {
			const cicd_node *last = rules->u.seq.items[rules->count - 1];
			const cicd_node *lw = pl_is_map(last) && last->count == 1 ? pl_get(last, "when") : NULL;
			if (pl_is_string(lw) && strcmp(pl_text(lw), "never"))
				pl_warning(c, last,
				           "%s may allow multiple pipelines to run for a single action due to "
				           "`rules:when` clause "
				           "with no `workflow:rules` - read more: "
				           "https://docs.gitlab.com/ee/ci/troubleshooting.html#pipeline-warnings",
				           w);
		}
	}
	if (bridge) {
		validate_trigger(c, J(TRIGGER), w);
	} else {
		if ((v = J(SCRIPT))) {
			if ((pl_is_seq(v) && !v->count) || (pl_is_string(v) && !v->len))
				pl_error(c, v, "%s script can't be blank", w);
			else
				pl_validate_script_key(c, v, w, "script");
		}
		if ((v = J(RUN)) && (!pl_is_seq(v) || !v->count))
			pl_error(c, v, "%s:run config should be an array of hashes", w);
		if (J(SCRIPT) && J(RUN))
			pl_error(c, J(RUN), "%s config can only use one of the following keys: script, run", w);
	}
	if ((v = J(BEFORE_SCRIPT)))
		pl_validate_script_key(c, v, w, "before_script");
	if ((v = J(AFTER_SCRIPT)))
		pl_validate_script_key(c, v, w, "after_script");
	if ((v = J(STAGE)) && !pl_is_string(v))
		pl_error(c, v, "%s:stage config should be a string", w);
	if ((v = J(WHEN))) {
		const char *const *allowed = bridge ? BRIDGE_WHEN : JOB_WHEN;
		when = pl_text(v);
		if (!pl_is_string(v) || !pl_in_list(when, allowed)) {
			pl_error(c, v, "%s when should be one of: %s", w, pl_join(c, allowed, ", "));
			when = NULL;
		}
	}
	if ((v = J(START_IN)) && !rules) {
		if (!when || strcmp(when, "delayed"))
			pl_error(c, v, "%s start in must be blank", w);
		else if (!pl_is_scalar(v) || !pl_is_duration(pl_text(v)))
			pl_error(c, v, "%s start in should be a duration", w);
	} else if (!v && when && !strcmp(when, "delayed")) {
		pl_error(c, J(WHEN), "%s start in should be a duration", w);
	}
	if ((v = J(ALLOW_FAILURE)))
		validate_allow_failure(c, v, w, bridge);
	if ((v = J(DEPENDENCIES)) && !pl_is_array_of_strings(v))
		pl_error(c, v, "%s dependencies should be an array of strings", w);
	if ((v = J(TAGS)) && !pl_is_array_of_strings(v))
		pl_error(c, v, "%s:tags config should be an array of strings", w);
	if ((v = J(TAGS)) && pl_is_seq(v) && v->count > 50)
		pl_error(c, v, "%s:tags config must be less than the limit of 50 tags", w);
	if ((v = J(IMAGE)))
		pl_validate_image(c, v, pl_path(c, w, "image"));
	if ((v = J(SERVICES)))
		pl_validate_services(c, v, pl_path(c, w, "services"));
	if ((v = J(CACHE)))
		pl_validate_cache(c, v, pl_path(c, w, "cache"));
	if ((v = J(ARTIFACTS)))
		pl_validate_artifacts(c, v, pl_path(c, w, "artifacts"));
	if ((v = J(RETRY)))
		pl_validate_retry(c, v, pl_path(c, w, "retry"));
	if ((v = J(HOOKS)))
		pl_validate_hooks(c, v, pl_path(c, w, "hooks"));
	if ((v = J(ID_TOKENS)))
		pl_validate_id_tokens(c, v, pl_path(c, w, "id_tokens"));
	if ((v = J(EXTENDS)) && !pl_is_string(v) && !pl_is_array_of_strings(v))
		pl_error(c, v, "%s extends should be an array of strings or a string", w);
	if ((v = J(ONLY)))
		validate_policy(c, v, pl_path(c, w, "only"));
	if ((v = J(EXCEPT)))
		validate_policy(c, v, pl_path(c, w, "except"));
	if ((v = J(VARIABLES)))
		pl_validate_variables(c, v, pl_path(c, w, "variables"), 0);
	if ((v = J(INHERIT)))
		validate_inherit(c, v, w);
	if ((v = J(NEEDS)))
		pl_validate_needs(c, v, pl_path(c, w, "needs"), bridge);
	if ((v = J(ENVIRONMENT)))
		validate_environment(c, v, w);
	if ((v = J(COVERAGE))) {
		char err[256];
		if (!pl_is_string(v) || !is_regex_literal(pl_text(v), err, sizeof err))
			pl_error(c, v, "%s:coverage config must be a regular expression", w);
	}
	if ((v = J(TIMEOUT)) && !(pl_is_scalar(v) && pl_is_duration(pl_text(v))))
		pl_error(c, v, "%s timeout should be a duration", w);
	if ((v = J(INTERRUPTIBLE)) && !is_bool(v))
		pl_error(c, v, "%s:interruptible config should be a boolean value", w);
	if ((v = J(RESOURCE_GROUP)) && !pl_is_string(v))
		pl_error(c, v, "%s resource_group should be a string", w);
	if ((v = J(PARALLEL)))
		pl_validate_parallel(c, v, pl_path(c, w, "parallel"));
	if ((v = J(RELEASE)))
		validate_release(c, v, w);
	if ((v = J(SECRETS)))
		validate_secrets(c, v, w);
	if ((v = J(PAGES)))
		validate_pages(c, v, w);
	if ((v = J(MANUAL_CONFIRMATION)) && !pl_is_string(v))
		pl_error(c, v, "%s manual_confirmation should be a string", w);
	if ((v = J(IDENTITY)) && !pl_is_string(v))
		pl_error(c, v, "%s identity should be a string", w);
	if ((v = J(DAST_CONFIGURATION)) && !pl_is_map(v))
		pl_error(c, v, "%s:dast_configuration config should be a hash", w);
	if ((v = J(INPUTS)) && !pl_is_map(v))
		pl_error(c, v, "%s:inputs config should be a hash", w);
	if ((v = J(PUBLISH)) && !pl_is_string(v))
		pl_error(c, v, "%s publish should be a string", w);
	if ((v = J(DEPENDENCIES)) && pl_is_array_of_strings(v) && (rules = J(NEEDS)) && pl_is_seq(rules)) {
		size_t i, j;
		for (i = 0; i < v->count; i++) {
			int found = 0;
			for (j = 0; j < rules->count; j++) {
				const cicd_node *nd = rules->u.seq.items[j];
				const char *nn = pl_is_map(nd) ? pl_text(pl_get(nd, "job")) : pl_text(nd);
				if (nn && !strcmp(nn, pl_text(v->u.seq.items[i])))
					found = 1;
			}
			if (!found) {
				pl_error(c, v->u.seq.items[i], "%s dependencies the %s should be part of needs", w,
				         pl_text(v->u.seq.items[i]));
			}
		}
	}
}

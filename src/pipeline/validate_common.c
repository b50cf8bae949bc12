/*
 * Validation of the entries shared by jobs, `default` and `workflow`:
 * scripts, variables, rules, needs, image, services, cache, artifacts,
 * retry, hooks, id_tokens. Messages follow GitLab's entry validators
 * (`<location> config <problem>` or `<location> <attribute> <problem>`).
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "cicd/expr.h"
#include "core/buf.h"
#include "core/regex.h"
#include "core/scalar_value.h"
#include "internal.h"

int pl_in_list(const char *s, const char *const *list)
{
	size_t i;
	if (!s)
		return 0;
	for (i = 0; list[i]; i++)
		if (!strcmp(s, list[i]))
			return 1;
	return 0;
}

char *pl_join(pl_ctx *c, const char *const *list, const char *sep)
{
	cicd_buf b = CICD_BUF_INIT;
	char *out;
	size_t i;
	for (i = 0; list[i]; i++)
		if (cicd__buf_printf(&b, "%s%s", i ? sep : "", list[i])) {
			cicd_buf_dispose(&b);
			pl_oom(c);
			return NULL;
		}
	out = pl_strdup(c, b.ptr ? b.ptr : "");
	cicd_buf_dispose(&b);
	return out;
}

int pl_in_sorted(const char *s, const char *const *list, size_t count)
{
	size_t lo = 0, hi = count;
	if (!s)
		return 0;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int cmp = strcmp(s, list[mid]);
		if (!cmp)
			return 1;
		if (cmp < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return 0;
}

static void unknown_keys(pl_ctx *c, const cicd_node *map, const char *where, const char *const *allowed,
                         size_t sorted_count)
{
	cicd_buf b = CICD_BUF_INIT;
	const cicd_node *first = NULL;
	size_t i;
	if (!pl_is_map(map))
		return;
	for (i = 0; i < map->u.map.count; i++) {
		const cicd_node *k = map->u.map.pairs[i].key;
		const char *t = pl_text(k);
		if (t && (sorted_count ? pl_in_sorted(t, allowed, sorted_count) : pl_in_list(t, allowed)))
			continue;
		if (!first)
			first = k;
		if (cicd__buf_printf(&b, "%s%s", b.size ? ", " : "", t ? t : "?")) {
			pl_oom(c);
			break;
		}
	}
	if (first)
		pl_error(c, first, "%s config contains unknown keys: %s", where, b.ptr ? b.ptr : "");
	cicd_buf_dispose(&b);
}

void pl_unknown_keys(pl_ctx *c, const cicd_node *map, const char *where, const char *const *allowed)
{
	unknown_keys(c, map, where, allowed, 0);
}

void pl_unknown_keys_sorted(pl_ctx *c, const cicd_node *map, const char *where, const char *const *allowed,
                            size_t count)
{
	unknown_keys(c, map, where, allowed, count);
}

/* GitLab's ChronicDuration accepts "3600", "1h 30m", "2 days", "1 week", "never" for expire_in. */
int pl_is_duration(const char *s)
{
	static const char *const units[] = {
	    "s",     "sec", "secs", "second", "seconds", "m",   "min",  "mins", "minute", "minutes", "h",
	    "hr",    "hrs", "hour", "hours",  "d",       "day", "days", "w",    "wk",     "wks",     "week",
	    "weeks", "mo",  "mos",  "month",  "months",  "y",   "yr",   "yrs",  "year",   "years",   NULL};
	const char *p = s;
	int parts = 0;
	if (!s)
		return 0;
	while (*p) {
		char unit[16];
		size_t n = 0;
		int digits = 0;
		while (*p == ' ' || *p == ',' || (parts && !strncmp(p, "and ", 4) && (p += 3)))
			p++;
		if (!*p)
			break;
		while (isdigit((unsigned char)*p) || *p == '.') {
			p++;
			digits++;
		}
		if (!digits)
			return 0;
		while (*p == ' ')
			p++;
		while (isalpha((unsigned char)*p) && n + 1 < sizeof unit)
			unit[n++] = (char)tolower((unsigned char)*p++);
		unit[n] = 0;
		if (isalpha((unsigned char)*p))
			return 0;
		if (n && !pl_in_list(unit, units))
			return 0;
		parts++;
	}
	return parts > 0;
}

/* Strings only, as GitLab's validators (Ruby's is_a?(String)): 1, 0.1 and true are not strings. */
int pl_is_script(const cicd_node *n, int depth)
{
	size_t i;
	if (pl_is_string(n))
		return 1;
	if (!pl_is_seq(n) || depth <= 0)
		return 0;
	for (i = 0; i < n->u.seq.count; i++) {
		const cicd_node *v = n->u.seq.items[i];
		if (pl_is_seq(v) ? !pl_is_script(v, depth - 1) : !pl_is_string(v))
			return 0;
	}
	return 1;
}

int pl_is_array_of_strings(const cicd_node *n)
{
	size_t i;
	if (!pl_is_seq(n))
		return 0;
	for (i = 0; i < n->u.seq.count; i++)
		if (!pl_is_string(n->u.seq.items[i]))
			return 0;
	return 1;
}

void pl_validate_script_key(pl_ctx *c, const cicd_node *n, const char *where, const char *key)
{
	if (!pl_is_script(n, 10))
		pl_error(c, n, "%s:%s config should be a string or a nested array of strings up to 10 levels deep",
		         where, key);
}

/* ---- variables ---- */

static int is_value(const cicd_node *v)
{
	return pl_is_scalar(v) && (v->value_type == CICD_VALUE_STRING || v->value_type == CICD_VALUE_INT ||
	                           v->value_type == CICD_VALUE_FLOAT);
}

void pl_validate_variables(pl_ctx *c, const cicd_node *vars, const char *where, int global)
{
	static const char *const global_keys[] = {"value", "description", "expand", "options", NULL};
	static const char *const job_keys[] = {"value", "expand", NULL};
	size_t i;
	if (!pl_is_map(vars)) {
		pl_error(c, vars, "%s config should be a hash of key value pairs, value can be a hash", where);
		return;
	}
	for (i = 0; i < vars->u.map.count; i++) {
		const cicd_node *k = vars->u.map.pairs[i].key, *v = vars->u.map.pairs[i].value;
		if (!pl_is_scalar(k) || pl_is_null(k)) {
			pl_error(c, k, "%s config should be a hash of key value pairs, value can be a hash", where);
			continue;
		}
		if (pl_is_map(v)) {
			const char *const *allowed = global ? global_keys : job_keys;
			const cicd_node *val = pl_get(v, "value"), *opts = pl_get(v, "options"),
			                *exp = pl_get(v, "expand");
			size_t j;
			for (j = 0; j < v->u.map.count; j++)
				if (!pl_in_list(pl_text(v->u.map.pairs[j].key), allowed)) {
					pl_error(c, v->u.map.pairs[j].key, "%s config uses invalid data keys: %s",
					         where,
					         pl_text(v->u.map.pairs[j].key) ? pl_text(v->u.map.pairs[j].key) : "?");
					break;
				}
			if (val && !is_value(val))
				pl_error(c, val, "%s config should be a hash of key value pairs, value can be a hash",
				         where);
			if (exp && exp->value_type != CICD_VALUE_BOOL)
				pl_error(c, exp, "%s:%s expand should be a boolean value", where, pl_text(k));
			if (opts && global) {
				int found = 0;
				if (!pl_is_array_of_strings(opts) || !opts->u.seq.count) {
					pl_error(c, opts, "%s:%s options should be an array of strings", where,
					         pl_text(k));
					continue;
				}
				for (j = 0; val && j < opts->u.seq.count; j++)
					if (pl_text(val) && !strcmp(pl_text(opts->u.seq.items[j]), pl_text(val)))
						found = 1;
				if (!found)
					pl_error(c, val ? val : v, "%s config value must be present in options: %s",
					         where, pl_text(k));
			}
			continue;
		}
		if (!is_value(v))
			pl_error(c, v, "%s config should be a hash of key value pairs, value can be a hash", where);
	}
}

/* ---- expressions ---- */

void pl_check_expression(pl_ctx *c, const cicd_node *n, const char *where, const char *what)
{
	cicd_expr_options opts = CICD_EXPR_OPTIONS_INIT;
	cicd_expr *e = NULL;
	int rc;
	if (!(c->opts.flags & CICD_PIPELINE_CHECK_EXPRESSIONS))
		return;
	opts.file = n->file;
	opts.line = n->line;
	/* quoted scalars start one column after their quote */
	opts.column = n->column + (n->style == CICD_SCALAR_SINGLE_QUOTED || n->style == CICD_SCALAR_DOUBLE_QUOTED);
	rc = cicd_expr_compile(&e, n->u.scalar.text, n->u.scalar.len, &opts);
	if (rc == CICD_ENOMEM) {
		pl_oom(c);
	} else if (rc) {
		const cicd_error *err = cicd_error_last();
		cicd_node at = *n; /* the offending token's position */
		if (err->line) {
			at.line = err->line;
			at.column = err->column;
		}
		pl_error_code(c, CICD_EPARSE, &at, "%s %s %s", where, what, err->message);
	}
	cicd_expr_free(e);
}

/* ---- rules ---- */

static void validate_changes(pl_ctx *c, const cicd_node *n, const char *where)
{
	static const char *const keys[] = {"paths", "compare_to", NULL};
	if (pl_is_map(n)) {
		const cicd_node *paths = pl_get(n, "paths"), *cmp = pl_get(n, "compare_to");
		pl_unknown_keys(c, n, pl_sprintf(c, "%s:changes", where), keys);
		if (!paths)
			pl_error(c, n, "%s:changes paths can't be blank", where);
		else if (!pl_is_array_of_strings(paths))
			pl_error(c, paths, "%s:changes paths should be an array of strings", where);
		if (cmp && !pl_is_string(cmp))
			pl_error(c, cmp, "%s:changes compare_to should be a string", where);
		return;
	}
	if (!pl_is_array_of_strings(n))
		pl_error(c, n, "%s changes should be an array of strings", where);
	else if (n->u.seq.count > 50)
		pl_error(c, n, "%s changes has too many entries (maximum 50)", where);
}

static void validate_exists(pl_ctx *c, const cicd_node *n, const char *where)
{
	static const char *const keys[] = {"paths", "project", "ref", NULL};
	if (pl_is_map(n)) {
		const cicd_node *paths = pl_get(n, "paths"), *proj = pl_get(n, "project"), *ref = pl_get(n, "ref");
		pl_unknown_keys(c, n, pl_sprintf(c, "%s:exists", where), keys);
		if (!paths)
			pl_error(c, n, "%s:exists paths can't be blank", where);
		else if (!pl_is_array_of_strings(paths))
			pl_error(c, paths, "%s:exists paths should be an array of strings", where);
		if (proj && !pl_is_string(proj))
			pl_error(c, proj, "%s:exists project should be a string", where);
		if (ref && !pl_is_string(ref))
			pl_error(c, ref, "%s:exists ref should be a string", where);
		if (ref && !proj)
			pl_error(c, ref, "%s:exists ref requires project", where);
		return;
	}
	if (!pl_is_array_of_strings(n) && !pl_is_string(n))
		pl_error(c, n, "%s exists should be an array of strings", where);
	else if (pl_is_seq(n) && n->u.seq.count > 50)
		pl_error(c, n, "%s exists has too many entries (maximum 50)", where);
}

static void validate_rule(pl_ctx *c, const cicd_node *r, const char *where, int workflow)
{
	static const char *const job_keys[] = {
	    "if",        "changes", "exists",        "when", "start_in", "allow_failure",
	    "variables", "needs",   "interruptible", NULL};
	static const char *const wf_keys[] = {"if", "changes", "exists", "when", "variables", "auto_cancel", NULL};
	static const char *const job_when[] = {"on_success", "on_failure", "always", "never",
	                                       "manual",     "delayed",    NULL};
	static const char *const wf_when[] = {"always", "never", NULL};
	const char *rw = pl_sprintf(c, "%s:rule", where);
	const cicd_node *n;
	const char *when = NULL;
	if (!rw)
		return;
	if (!pl_is_map(r)) {
		pl_error(c, r, "%s config should be a hash", rw);
		return;
	}
	pl_unknown_keys(c, r, rw, workflow ? wf_keys : job_keys);
	if ((n = pl_get(r, "if"))) {
		if (!pl_is_string(n))
			pl_error(c, n, "%s if should be a string", rw);
		else
			pl_check_expression(c, n, rw, "if");
	}
	if ((n = pl_get(r, "changes")))
		validate_changes(c, n, rw);
	if ((n = pl_get(r, "exists")))
		validate_exists(c, n, rw);
	if ((n = pl_get(r, "when"))) {
		when = pl_text(n);
		if (!pl_is_string(n) || !pl_in_list(when, workflow ? wf_when : job_when)) {
			pl_error(c, n, "%s when unknown value: %s", rw, when ? when : "(not a string)");
			when = NULL;
		}
	}
	if (workflow) {
		/* workflow rules have no start_in; unknown keys reported it */
	} else if ((n = pl_get(r, "start_in"))) {
		if (!when || strcmp(when, "delayed"))
			pl_error(c, n, "%s start_in must be blank", rw);
		else if (!pl_is_duration(pl_text(n)))
			pl_error(c, n, "%s start_in should be a duration", rw);
	} else if (when && !strcmp(when, "delayed")) {
		pl_error(c, r, "%s start_in should be a duration", rw);
	}
	if ((n = pl_get(r, "allow_failure")) && n->value_type != CICD_VALUE_BOOL)
		pl_error(c, n, "%s allow_failure should be a boolean value", rw);
	if ((n = pl_get(r, "interruptible")) && n->value_type != CICD_VALUE_BOOL)
		pl_error(c, n, "%s interruptible should be a boolean value", rw);
	if ((n = pl_get(r, "variables")))
		pl_validate_variables(c, n, pl_sprintf(c, "%s:variables", rw), 0);
	if ((n = pl_get(r, "needs")))
		pl_validate_needs(c, n, pl_sprintf(c, "%s:needs", rw), 0);
	if ((n = pl_get(r, "auto_cancel"))) {
		static const char *const ac_keys[] = {"on_new_commit", "on_job_failure", NULL};
		pl_unknown_keys(c, n, pl_sprintf(c, "%s:auto_cancel", rw), ac_keys);
	}
}

static void validate_rules_level(pl_ctx *c, const cicd_node *rules, const char *where, int workflow, int level)
{
	size_t i;
	for (i = 0; i < rules->u.seq.count; i++) {
		const cicd_node *r = rules->u.seq.items[i];
		if (pl_is_seq(r)) {
			if (level >= 10) {
				pl_error(c, r, "%s config should be an array containing hashes and arrays of hashes",
				         where);
				continue;
			}
			validate_rules_level(c, r, where, workflow, level + 1);
		} else {
			validate_rule(c, r, where, workflow);
		}
	}
}

void pl_validate_rules(pl_ctx *c, const cicd_node *rules, const char *where, int workflow)
{
	if (!pl_is_seq(rules)) {
		pl_error(c, rules, "%s config should be an array of hashes", where);
		return;
	}
	validate_rules_level(c, rules, where, workflow, 1);
}

/* ---- needs ---- */

static void validate_matrix(pl_ctx *c, const cicd_node *m, const char *where);

void pl_validate_needs(pl_ctx *c, const cicd_node *needs, const char *where, int bridge)
{
	static const char *const job_keys[] = {"job",     "artifacts", "optional", "parallel",
	                                       "project", "ref",       "pipeline", NULL};
	size_t i;
	(void)bridge;
	if (!pl_is_seq(needs)) {
		if (pl_is_map(needs) || pl_is_string(needs)) {
			/* a single need is allowed as a hash or a string */
		} else {
			pl_error(c, needs, "%s config can only be a hash or an array", where);
			return;
		}
	}
	if (pl_is_seq(needs) && needs->u.seq.count > 50) {
		pl_error(c, needs, "%s config has too many entries (maximum 50)", where);
		return;
	}
	for (i = 0; i < (pl_is_seq(needs) ? needs->u.seq.count : 1); i++) {
		const cicd_node *n = pl_is_seq(needs) ? needs->u.seq.items[i] : needs, *v;
		const char *nw = pl_sprintf(c, "%s:need", where);
		if (pl_is_string(n))
			continue;
		if (!pl_is_map(n)) {
			pl_error(c, n, "%s config should be a hash or a string", nw);
			continue;
		}
		pl_unknown_keys(c, n, nw, job_keys);
		v = pl_get(n, "job");
		if (!v)
			pl_error(c, n, "%s job can't be blank", nw);
		else if (!pl_is_string(v))
			pl_error(c, v, "%s job should be a string", nw);
		if ((v = pl_get(n, "artifacts")) && v->value_type != CICD_VALUE_BOOL)
			pl_error(c, v, "%s artifacts should be a boolean value", nw);
		if ((v = pl_get(n, "optional")) && v->value_type != CICD_VALUE_BOOL)
			pl_error(c, v, "%s optional should be a boolean value", nw);
		if ((v = pl_get(n, "project")) && !pl_is_string(v))
			pl_error(c, v, "%s project should be a string", nw);
		if ((v = pl_get(n, "ref")) && !pl_is_string(v))
			pl_error(c, v, "%s ref should be a string", nw);
		if ((v = pl_get(n, "ref")) && !pl_get(n, "project"))
			pl_error(c, v, "%s ref requires project", nw);
		if ((v = pl_get(n, "pipeline")) && !pl_is_string(v))
			pl_error(c, v, "%s pipeline should be a string", nw);
		if (pl_get(n, "pipeline") && pl_get(n, "project"))
			pl_error(c, n, "%s config cannot use both pipeline and project", nw);
		if ((v = pl_get(n, "parallel"))) {
			static const char *const pk[] = {"matrix", NULL};
			if (!pl_is_map(v) || !pl_get(v, "matrix")) {
				pl_error(c, v, "%s:parallel config should be a hash with a matrix", nw);
			} else {
				pl_unknown_keys(c, v, pl_sprintf(c, "%s:parallel", nw), pk);
				validate_matrix(c, pl_get(v, "matrix"), pl_sprintf(c, "%s:parallel:matrix", nw));
			}
		}
	}
}

/* ---- parallel:matrix ---- */

static size_t values_of(const cicd_node *v)
{
	if (pl_is_seq(v))
		return v->u.seq.count;
	return 1;
}

size_t pl_matrix_size(const cicd_node *matrix)
{
	size_t total = 0, i, j;
	if (!pl_is_seq(matrix))
		return 0;
	for (i = 0; i < matrix->u.seq.count; i++) {
		const cicd_node *row = matrix->u.seq.items[i];
		size_t n = 1;
		if (!pl_is_map(row))
			return 0;
		for (j = 0; j < row->u.map.count; j++) {
			n *= values_of(row->u.map.pairs[j].value);
			if (n > 100000)
				return 100000;
		}
		total += n;
	}
	return total;
}

static void validate_matrix(pl_ctx *c, const cicd_node *m, const char *where)
{
	size_t i, j;
	if (!pl_is_seq(m) || !m->u.seq.count) {
		pl_error(c, m, "%s config should be an array of hashes", where);
		return;
	}
	for (i = 0; i < m->u.seq.count; i++) {
		const cicd_node *row = m->u.seq.items[i];
		if (!pl_is_map(row) || !row->u.map.count) {
			pl_error(c, row, "%s config should be an array of hashes", where);
			return;
		}
		for (j = 0; j < row->u.map.count; j++) {
			const cicd_node *v = row->u.map.pairs[j].value;
			int ok = is_value(v) || (pl_is_seq(v) && v->u.seq.count);
			size_t k;
			for (k = 0; ok && pl_is_seq(v) && k < v->u.seq.count; k++)
				ok = is_value(v->u.seq.items[k]);
			if (!ok) {
				pl_error(
				    c, v,
				    "%s:variables config should be a hash of key value pairs, value can be an array",
				    where);
				return;
			}
		}
	}
	if (pl_matrix_size(m) > 200)
		pl_error(c, m, "%s config generates too many jobs (maximum is 200)", where);
}

void pl_validate_parallel(pl_ctx *c, const cicd_node *n, const char *where);
void pl_validate_parallel(pl_ctx *c, const cicd_node *n, const char *where)
{
	static const char *const keys[] = {"matrix", NULL};
	long long v;
	if (pl_is_map(n)) {
		pl_unknown_keys(c, n, where, keys);
		if (!pl_get(n, "matrix"))
			pl_error(c, n, "%s config missing required keys: matrix", where);
		else
			validate_matrix(c, pl_get(n, "matrix"), pl_sprintf(c, "%s:matrix", where));
		return;
	}
	if (!pl_is_scalar(n) || n->value_type != CICD_VALUE_INT || cicd__scalar_int(n, &v)) {
		pl_error(c, n, "%s config should be an integer or a hash", where);
		return;
	}
	if (v < 1)
		pl_error(c, n, "%s config must be greater than or equal to 1", where);
	else if (v > 200)
		pl_error(c, n, "%s config must be less than or equal to 200", where);
}

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
	if (pl_is_seq(n) && n->u.seq.count) {
		for (i = 0; i < n->u.seq.count; i++)
			if (!pl_in_list(pl_text(n->u.seq.items[i]), PULL_POLICIES))
				break;
		if (i == n->u.seq.count)
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
	const char *w = pl_sprintf(c, "%s:%s", where, which);
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
		else if (!v->u.scalar.len)
			pl_error(c, v, "%s user can't be blank", w);
	}
}

static void validate_command_list(pl_ctx *c, const cicd_node *v, const char *where, const char *key)
{
	if (!pl_is_array_of_strings(v))
		pl_error(c, v, "%s %s should be an array of strings", where, key);
	else if (!v->u.seq.count && strcmp(key, "entrypoint"))
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
	for (i = 0; i < n->u.seq.count; i++) {
		const cicd_node *s = n->u.seq.items[i], *v;
		const char *sw = pl_sprintf(c, "%s:service", where);
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
			pl_validate_variables(c, v, pl_sprintf(c, "%s:variables", sw), 0);
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
			pl_unknown_keys(c, v, pl_sprintf(c, "%s:key", where), kk);
			if (!f || !pl_is_array_of_strings(f) || !f->u.seq.count || f->u.seq.count > 10)
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
	if ((v = pl_get(n, "fallback_keys")) && (!pl_is_array_of_strings(v) || v->u.seq.count > 5))
		pl_error(c, v, "%s fallback_keys should be an array of at most 5 strings", where);
}

void pl_validate_cache(pl_ctx *c, const cicd_node *n, const char *where)
{
	size_t i;
	if (pl_is_seq(n)) {
		if (n->u.seq.count > 4) {
			pl_error(c, n, "%s config no more than 4 caches can be created", where);
			return;
		}
		for (i = 0; i < n->u.seq.count; i++)
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
	for (i = 0; i < n->u.map.count; i++) {
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
			pl_unknown_keys(c, v, pl_sprintf(c, "%s:coverage_report", where), ck);
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
		validate_reports(c, v, pl_sprintf(c, "%s:reports", where));
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
		validate_retry_max(c, v, pl_sprintf(c, "%s:max", where));
	if ((v = pl_get(n, "when"))) {
		if (pl_is_string(v)) {
			if (!pl_in_list(pl_text(v), RETRY_WHEN))
				pl_error(c, v, "%s:when config should be one of: %s", where,
				         pl_join(c, RETRY_WHEN, ", "));
		} else if (!pl_is_array_of_strings(v)) {
			pl_error(c, v, "%s:when config should be a string or an array of strings", where);
		} else {
			for (i = 0; i < v->u.seq.count; i++)
				if (!pl_in_list(pl_text(v->u.seq.items[i]), RETRY_WHEN)) {
					pl_error(c, v->u.seq.items[i], "%s:when config contains unknown values: %s",
					         where, pl_text(v->u.seq.items[i]));
					break;
				}
		}
	}
	if ((v = pl_get(n, "exit_codes"))) {
		int ok = pl_is_scalar(v) ? v->value_type == CICD_VALUE_INT : pl_is_seq(v);
		for (i = 0; ok && pl_is_seq(v) && i < v->u.seq.count; i++)
			if (!pl_is_scalar(v->u.seq.items[i]) || v->u.seq.items[i]->value_type != CICD_VALUE_INT)
				ok = 0;
		for (i = 0; ok && pl_is_seq(v) && i < v->u.seq.count; i++) {
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
	for (i = 0; i < n->u.map.count; i++) {
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

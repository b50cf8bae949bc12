/*
 * Validation helpers and the entries shared by jobs and `workflow`:
 * keyword lists, durations, scripts, variables, expressions, rules, needs,
 * parallel. Messages follow GitLab's entry validators (`<location> config
 * <problem>` or `<location> <attribute> <problem>`); validate_entries.c has
 * the entries `default` shares.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "cicd/expr.h"
#include "core/buf.h"
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
	for (i = 0; i < map->count; i++) {
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
	for (i = 0; i < n->count; i++) {
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
	for (i = 0; i < n->count; i++)
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
	for (i = 0; i < vars->count; i++) {
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
			for (j = 0; j < v->count; j++)
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
				if (!pl_is_array_of_strings(opts) || !opts->count) {
					pl_error(c, opts, "%s:%s options should be an array of strings", where,
					         pl_text(k));
					continue;
				}
				for (j = 0; val && j < opts->count; j++)
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
	opts.file = n->meta->file;
	opts.line = n->line;
	/* quoted scalars start one column after their quote */
	opts.column = n->column + (n->style == CICD_SCALAR_SINGLE_QUOTED || n->style == CICD_SCALAR_DOUBLE_QUOTED);
	rc = cicd_expr_compile(&e, n->u.scalar.text, n->len, &opts);
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
		pl_unknown_keys(c, n, pl_path(c, where, "changes"), keys);
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
	else if (n->count > 50)
		pl_error(c, n, "%s changes has too many entries (maximum 50)", where);
}

static void validate_exists(pl_ctx *c, const cicd_node *n, const char *where)
{
	static const char *const keys[] = {"paths", "project", "ref", NULL};
	if (pl_is_map(n)) {
		const cicd_node *paths = pl_get(n, "paths"), *proj = pl_get(n, "project"), *ref = pl_get(n, "ref");
		pl_unknown_keys(c, n, pl_path(c, where, "exists"), keys);
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
	else if (pl_is_seq(n) && n->count > 50)
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
	const char *rw = pl_path(c, where, "rule");
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
		pl_validate_variables(c, n, pl_path(c, rw, "variables"), 0);
	if ((n = pl_get(r, "needs")))
		pl_validate_needs(c, n, pl_path(c, rw, "needs"), 0);
	if ((n = pl_get(r, "auto_cancel"))) {
		static const char *const ac_keys[] = {"on_new_commit", "on_job_failure", NULL};
		pl_unknown_keys(c, n, pl_path(c, rw, "auto_cancel"), ac_keys);
	}
}

static void validate_rules_level(pl_ctx *c, const cicd_node *rules, const char *where, int workflow, int level)
{
	size_t i;
	for (i = 0; i < rules->count; i++) {
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
	if (pl_is_seq(needs) && needs->count > 50) {
		pl_error(c, needs, "%s config has too many entries (maximum 50)", where);
		return;
	}
	for (i = 0; i < (pl_is_seq(needs) ? needs->count : 1); i++) {
		const cicd_node *n = pl_is_seq(needs) ? needs->u.seq.items[i] : needs, *v;
		const char *nw = pl_path(c, where, "need");
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
				pl_unknown_keys(c, v, pl_path(c, nw, "parallel"), pk);
				validate_matrix(c, pl_get(v, "matrix"), pl_path(c, nw, "parallel:matrix"));
			}
		}
	}
}

/* ---- parallel:matrix ---- */

static size_t values_of(const cicd_node *v)
{
	if (pl_is_seq(v))
		return v->count;
	return 1;
}

size_t pl_matrix_size(const cicd_node *matrix)
{
	size_t total = 0, i, j;
	if (!pl_is_seq(matrix))
		return 0;
	for (i = 0; i < matrix->count; i++) {
		const cicd_node *row = matrix->u.seq.items[i];
		size_t n = 1;
		if (!pl_is_map(row))
			return 0;
		for (j = 0; j < row->count; j++) {
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
	if (!pl_is_seq(m) || !m->count) {
		pl_error(c, m, "%s config should be an array of hashes", where);
		return;
	}
	for (i = 0; i < m->count; i++) {
		const cicd_node *row = m->u.seq.items[i];
		if (!pl_is_map(row) || !row->count) {
			pl_error(c, row, "%s config should be an array of hashes", where);
			return;
		}
		for (j = 0; j < row->count; j++) {
			const cicd_node *v = row->u.map.pairs[j].value;
			int ok = is_value(v) || (pl_is_seq(v) && v->count);
			size_t k;
			for (k = 0; ok && pl_is_seq(v) && k < v->count; k++)
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
			validate_matrix(c, pl_get(n, "matrix"), pl_path(c, where, "matrix"));
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

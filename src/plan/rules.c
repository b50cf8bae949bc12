/*
 * Deciding whether one job (or the workflow) takes part: `rules` clauses
 * (if, changes, exists) and the legacy `only`/`except` policies, as
 * GitLab's Build::Rules and Build::Policy evaluate them.
 */
#include <string.h>

#include "core/alloc.h"
#include "core/buf.h"
#include "core/error.h"
#include "core/regex.h"
#include "expr/expr_internal.h"
#include "internal.h"

/* `changes`/`exists` globs have variables expanded, undefined ones kept (ExpandVariables.expand_existing). */
static int expand_glob(cicd_buf *out, const char *glob, var_view *view)
{
	cicd__buf_clear(out);
	return cicd_expand(out, glob, strlen(glob), CICD_EXPAND_KEEP_UNDEFINED, cicd__view_lookup, view);
}

int cicd__changes_match(int *matched, size_t n, const char *(*get)(const void *, size_t), const void *owner,
			const char *compare_to, var_view *view, const cicd_trigger *t)
{
	cicd_buf glob = CICD_BUF_INIT;
	cicd_path_list scratch;
	const cicd_path_list *since = NULL; /* NULL: the trigger's changed paths */
	size_t i, k, npaths = t->nchanged;
	int rc = 0;
	*matched = 0;
	memset(&scratch, 0, sizeof scratch);
	if (compare_to && t->compare) {
		/* Clause::Changes: the paths since the merge base with compare_to, known even on a new branch */
		if ((rc = expand_glob(&glob, compare_to, view)) != 0 ||
		    (rc = cicd__changed_since(&since, &scratch, glob.ptr ? glob.ptr : "", view, t)) != 0)
			goto done;
		npaths = since->paths.count;
	} else if (!t->changes_known) { /* no push to compare with: GitLab says true */
		*matched = 1;
		return 0;
	}
	for (i = 0; i < n && !*matched; i++) {
		if ((rc = expand_glob(&glob, get(owner, i), view)) != 0)
			break;
		for (k = 0; k < npaths && !*matched; k++)
			*matched = cicd__plan_glob(glob.ptr ? glob.ptr : "",
						   since ? (const char *)since->paths.items[k] : t->changed[k]);
	}
done:
	cicd__path_list_dispose(&scratch);
	cicd_buf_dispose(&glob);
	return rc;
}

static const char *rule_changes(const void *owner, size_t i)
{
	return cicd_rule_changes(owner, i);
}

static const char *policy_changes(const void *owner, size_t i)
{
	return cicd_job_policy_changes(owner, i);
}

static const char *rule_exists(const void *owner, size_t i)
{
	return cicd_rule_exists(owner, i);
}

int cicd__exists_match(int *matched, size_t n, const char *(*get)(const void *, size_t), const void *owner,
		       var_view *view, const cicd_trigger *t)
{
	cicd_buf glob = CICD_BUF_INIT;
	size_t i;
	int rc = 0;
	*matched = 0;
	if (!t->exists)
		return 0;
	for (i = 0; i < n && !*matched; i++) {
		if ((rc = expand_glob(&glob, get(owner, i), view)) != 0)
			break;
		if ((rc = t->exists(matched, glob.ptr ? glob.ptr : "", t->exists_payload)) != 0)
			break;
		*matched = *matched != 0;
	}
	cicd_buf_dispose(&glob);
	return rc;
}

int cicd__rule_matches(int *matched, const compiled_rule *r, var_view *view, const cicd_trigger *t)
{
	int rc;
	*matched = 1;
	if (r->expr && (rc = cicd_expr_eval(matched, r->expr, cicd__view_lookup, view)) != 0)
		return rc;
	if (*matched && cicd_rule_has_changes(r->rule) &&
	    (rc = cicd__changes_match(matched, cicd_rule_changes_count(r->rule), rule_changes, r->rule,
				      cicd_rule_changes_compare_to(r->rule), view, t)) != 0)
		return rc;
	if (*matched && cicd_rule_has_exists(r->rule) &&
	    (rc = cicd__exists_match(matched, cicd_rule_exists_count(r->rule), rule_exists, r->rule, view, t)) != 0)
		return rc;
	return 0;
}

/* ActiveSupport's pluralize for the source names GitLab has. */
static void pluralize(char *out, size_t cap, const char *word)
{
	size_t n = strlen(word);
	if (n + 3 > cap) {
		out[0] = '\0';
		return;
	}
	memcpy(out, word, n + 1);
	if (n >= 2 && (strcmp(word + n - 2, "sh") == 0 || strcmp(word + n - 2, "ch") == 0))
		strcat(out, "es");
	else if (n >= 1 && strchr("sxz", word[n - 1]))
		strcat(out, "es");
	else if (n >= 2 && word[n - 1] == 'y' && !strchr("aeiou", word[n - 2]))
		strcpy(out + n - 1, "ies");
	else
		strcat(out, "s");
}

/* GitLab's Refs#matches_pattern? for one pattern (without its @project part). */
static int ref_pattern_matches(const char *pattern, size_t plen, const cicd_trigger *t)
{
	char source[128], plural[136];
	size_t slen = strlen(t->source);
	int is_tag = t->kind == CICD_TRIGGER_TAG, is_branch = t->kind == CICD_TRIGGER_BRANCH;
	if (is_tag && plen == 4 && memcmp(pattern, "tags", 4) == 0)
		return 1;
	if (is_branch && plen == 8 && memcmp(pattern, "branches", 8) == 0)
		return 1;
	if (slen >= sizeof source)
		slen = sizeof source - 1;
	memcpy(source, t->source, slen);
	source[slen] = '\0';
	if (slen > 6 && strcmp(source + slen - 6, "_event") == 0)
		source[slen - 6] = '\0';
	pluralize(plural, sizeof plural, source);
	if ((strlen(source) == plen && memcmp(source, pattern, plen) == 0) ||
	    (strlen(plural) == plen && memcmp(plural, pattern, plen) == 0))
		return 1;
	/* Ref names and regexes only match branch and tag pipelines. */
	if (!is_branch && !is_tag)
		return 0;
	{
		char *src = NULL;
		size_t src_len;
		int shape = cicd__expr_pattern_source(&src, &src_len, pattern, plen);
		if (shape == 1) {
			cicd_regex *re = NULL;
			char err[64];
			int ok = 0;
			if (cicd__regex_compile(&re, src, src_len, 0, err, sizeof err) == 0) {
				ok = t->ref[0] && cicd__regex_search(re, t->ref, strlen(t->ref));
				cicd__regex_free(re);
				cicd__free(src);
				return ok;
			}
			cicd__free(src);
		}
	}
	return strlen(t->ref) == plen && memcmp(t->ref, pattern, plen) == 0;
}

static int refs_match(const cicd_job_policy *p, const cicd_trigger *t, const char *project)
{
	size_t i;
	for (i = 0; i < cicd_job_policy_ref_count(p); i++) {
		const char *ref = cicd_job_policy_ref(p, i), *at = strchr(ref, '@');
		size_t plen = at ? (size_t)(at - ref) : strlen(ref);
		if (at && strcmp(at + 1, project) != 0)
			continue;
		if (ref_pattern_matches(ref, plen, t))
			return 1;
	}
	return 0;
}

/*
 * Each key of a policy (refs, variables, changes, kubernetes) is one
 * spec: `only` needs all of them, `except` excludes on any of them.
 */
static int policy_specs(int *all, int *any, const cicd_job_policy *p, cicd_expr *const *exprs, size_t nexprs,
			var_view *view, const cicd_trigger *t, const char *project)
{
	int rc, m;
	size_t i;
	*all = 1;
	*any = 0;
	if (cicd_job_policy_ref_count(p)) {
		m = refs_match(p, t, project);
		*all &= m;
		*any |= m;
	}
	if (nexprs) {
		m = 0;
		for (i = 0; i < nexprs && !m; i++)
			if ((rc = cicd_expr_eval(&m, exprs[i], cicd__view_lookup, view)) != 0)
				return rc;
		*all &= m;
		*any |= m;
	}
	if (cicd_job_policy_has_changes(p)) {
		if ((rc = cicd__changes_match(&m, cicd_job_policy_changes_count(p), policy_changes, p, NULL, view, t)) != 0)
			return rc;
		*all &= m;
		*any |= m;
	}
	if (cicd_job_policy_kubernetes(p)) {
		/* Build::Policy::Kubernetes asks whether the project has a deployment platform, which
		 * GitLab also announces as CI_KUBERNETES_ACTIVE=true: the trigger's variable says it. */
		const plan_var *active = cicd__vars_get(&t->user, "CI_KUBERNETES_ACTIVE");
		m = active && strcmp(active->value, "true") == 0;
		*all &= m;
		*any |= m;
	}
	return 0;
}

int cicd__policies_allow(int *included, const planner_job *pj, var_view *view, const cicd_trigger *t,
			 const char *project)
{
	const cicd_job_policy *only = cicd_job_only(pj->job), *except = cicd_job_except(pj->job);
	int all, any, rc;
	*included = 1;
	if (only) {
		if ((rc = policy_specs(&all, &any, only, pj->only_vars, pj->n_only, view, t, project)) != 0)
			return rc;
		if (!all) {
			*included = 0;
			return 0;
		}
	}
	if (except) {
		if ((rc = policy_specs(&all, &any, except, pj->except_vars, pj->n_except, view, t, project)) != 0)
			return rc;
		if (any)
			*included = 0;
	}
	return 0;
}

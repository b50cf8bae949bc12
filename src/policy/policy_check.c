/* Checking push, merge-request and tag events against a policy; results and their JSON. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/alloc.h"
#include "core/buf.h"
#include "core/error.h"
#include "core/json_writer.h"
#include "policy_internal.h"
#include "semver/semver_internal.h"

typedef struct {
	char *a, *b;
} str_pair;

struct cicd_policy_result {
	const char *event; /* "push", "merge_request", "tag" */
	char *kind;
	str_pair *violations; /* rule, message */
	size_t nviolations;
	str_pair *captures; /* name, value */
	size_t ncaptures;
	int failed; /* allocation failed while building */
};

static int add_pair(cicd_policy_result *r, str_pair **arr, size_t *n, const char *a, const char *b, size_t blen)
{
	str_pair *grown;
	if (r->failed)
		return CICD_ENOMEM;
	grown = cicd__realloc(*arr, (*n + 1) * sizeof **arr);
	if (!grown)
		goto oom;
	*arr = grown;
	grown[*n].a = cicd__strdup(a);
	grown[*n].b = cicd__strndup(b, blen);
	if (!grown[*n].a || !grown[*n].b) {
		cicd__free(grown[*n].a);
		cicd__free(grown[*n].b);
		goto oom;
	}
	(*n)++;
	return 0;
oom:
	r->failed = 1;
	return cicd__error_oom();
}

/* Adds a violation with a formatted message. */
static void violate(cicd_policy_result *r, const char *rule, const char *fmt, ...) CICD__PRINTF(3, 4);
static void violate(cicd_policy_result *r, const char *rule, const char *fmt, ...)
{
	char msg[4096];
	va_list ap;
	int n;
	va_start(ap, fmt);
	n = vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (n < 0)
		n = 0;
	add_pair(r, &r->violations, &r->nviolations, rule, msg, (size_t)n < sizeof msg ? (size_t)n : sizeof msg - 1);
}

void cicd_policy_result_free(cicd_policy_result *r)
{
	size_t i;
	if (!r)
		return;
	for (i = 0; i < r->nviolations; i++) {
		cicd__free(r->violations[i].a);
		cicd__free(r->violations[i].b);
	}
	for (i = 0; i < r->ncaptures; i++) {
		cicd__free(r->captures[i].a);
		cicd__free(r->captures[i].b);
	}
	cicd__free(r->violations);
	cicd__free(r->captures);
	cicd__free(r->kind);
	cicd__free(r);
}

static cicd_policy_result *new_result(const char *event)
{
	cicd_policy_result *r = cicd__calloc(1, sizeof *r);
	if (!r) {
		cicd__error_oom();
		return NULL;
	}
	r->event = event;
	return r;
}

/* Returns r, or frees it and sets CICD_ENOMEM when building it failed. */
static int finish(cicd_policy_result **out, cicd_policy_result *r)
{
	if (r->failed) {
		cicd_policy_result_free(r);
		return cicd__error_oom();
	}
	*out = r;
	return 0;
}

/* The first branch kind whose pattern matches the whole name; its captures go to r with prefix. */
static const branch_kind *classify(const cicd_policy *p, const char *name, cicd_policy_result *r,
                                   const char *prefix)
{
	size_t i, len = strlen(name);
	for (i = 0; i < p->nkinds; i++) {
		cicd_regex_span sp[32];
		int g, ng = cicd__regex_group_count(p->kinds[i].re) + 1;
		if (ng > 32)
			ng = 32;
		if (!cicd__regex_match(p->kinds[i].re, name, len, 1, sp, ng))
			continue;
		for (g = 1; g < ng && r; g++) {
			const char *gname = cicd__regex_group_name(p->kinds[i].re, g);
			char key[160];
			if (!gname || sp[g].start < 0)
				continue;
			snprintf(key, sizeof key, "%s%s", prefix, gname);
			add_pair(r, &r->captures, &r->ncaptures, key, name + sp[g].start,
			         (size_t)(sp[g].end - sp[g].start));
		}
		return &p->kinds[i];
	}
	return NULL;
}

/* "master, dev, feature/<issue>-<slug>": what the policy allows, for messages. */
static char *kinds_list(const cicd_policy *p)
{
	cicd_buf b = CICD_BUF_INIT;
	size_t i;
	for (i = 0; i < p->nkinds; i++) {
		const branch_kind *k = &p->kinds[i];
		if (cicd__buf_printf(&b, "%s%s", i ? ", " : "", k->description ? k->description : k->pattern) < 0)
			break;
	}
	return cicd__buf_detach(&b);
}

static int name_ok(const cicd_policy *p, cicd_policy_result *r, const char *what, const char *name)
{
	if (!*name) {
		violate(r, "branch-name", "%s name is empty", what);
		return 0;
	}
	if (strlen(name) > p->max_name_length) {
		char n[32];
		snprintf(n, sizeof n, "%zu", p->max_name_length);
		violate(r, "branch-name", "%s name is longer than %s bytes", what, n);
		return 0;
	}
	return 1;
}

static const branch_kind *branch(const cicd_policy *p, cicd_policy_result *r, const char *what, const char *name,
                                 const char *prefix)
{
	const branch_kind *k;
	char *list;
	if (!name_ok(p, r, what, name))
		return NULL;
	k = classify(p, name, r, prefix);
	if (k)
		return k;
	list = kinds_list(p);
	violate(r, "branch-name", "%s '%s' matches no branch kind of the policy (allowed: %s)", what, name,
	        list ? list : "");
	cicd__free(list);
	return NULL;
}

int cicd_policy_check_push(cicd_policy_result **out, const cicd_policy *p, const char *name)
{
	cicd_policy_result *r;
	const branch_kind *k;
	if (!out || !p || !name)
		return cicd__error_set(CICD_EINVALID, "cicd_policy_check_push: NULL argument");
	*out = NULL;
	if (!(r = new_result("push")))
		return CICD_ENOMEM;
	k = branch(p, r, "branch", name, "");
	if (k) {
		r->kind = cicd__strdup(k->name);
		r->failed |= !r->kind;
		if (k->is_protected)
			violate(r, "protected-branch",
			        "branch '%s' is protected: changes reach it by merge request, not by a direct push",
			        name);
	}
	return finish(out, r);
}

int cicd_policy_check_merge_request(cicd_policy_result **out, const cicd_policy *p, const char *source,
                                    const char *target)
{
	cicd_policy_result *r;
	const branch_kind *s, *t;
	size_t i;
	if (!out || !p || !source || !target)
		return cicd__error_set(CICD_EINVALID, "cicd_policy_check_merge_request: NULL argument");
	*out = NULL;
	if (!(r = new_result("merge_request")))
		return CICD_ENOMEM;
	s = branch(p, r, "source branch", source, "source.");
	t = branch(p, r, "target branch", target, "target.");
	if (s) {
		r->kind = cicd__strdup(s->name);
		r->failed |= !r->kind;
	}
	if (!strcmp(source, target))
		violate(r, "merge-flow", "branch '%s' cannot be merged into itself", source);
	else if (s && t) {
		int ok = 0;
		cicd_buf allowed = CICD_BUF_INIT;
		for (i = 0; i < s->ntargets; i++) {
			const char *tn = p->kinds[s->targets[i]].name;
			ok |= &p->kinds[s->targets[i]] == t;
			if (cicd__buf_printf(&allowed, "%s%s", i ? ", " : "", tn) < 0)
				r->failed = 1;
		}
		if (!ok && s->ntargets) {
			cicd_buf m = CICD_BUF_INIT;
			if (cicd__buf_printf(&m, "merge requests from %s into %s are not allowed (%s merges into: %s)",
			                     s->name, t->name, s->name, allowed.ptr) < 0)
				r->failed = 1;
			else
				add_pair(r, &r->violations, &r->nviolations, "merge-flow", m.ptr, m.size);
			cicd_buf_dispose(&m);
		} else if (!ok) {
			violate(r, "merge-flow", "merge requests from %s are not allowed (asked: into %s)", s->name,
			        t->name);
		}
		cicd_buf_dispose(&allowed);
	}
	return finish(out, r);
}

static int tag_match(const cicd_policy *p, const char *tag, cicd_semver **v, cicd_policy_result *r)
{
	static const char *const names[] = {"major", "minor", "patch", "prerelease"};
	cicd_regex_span sp[8];
	const char *part[4] = {"", "", "", ""};
	size_t plen[4] = {0, 0, 0, 0}, len = strlen(tag);
	int i, ng = cicd__regex_group_count(p->tag_re) + 1, rc;
	if (ng > 8)
		ng = 8;
	*v = NULL;
	if (!cicd__regex_match(p->tag_re, tag, len, 1, sp, ng))
		return CICD_ENOTFOUND;
	for (i = 0; i < 4; i++) {
		int g = cicd__regex_group_index(p->tag_re, names[i]);
		if (g > 0 && g < ng && sp[g].start >= 0) {
			part[i] = tag + sp[g].start;
			plen[i] = (size_t)(sp[g].end - sp[g].start);
			if (r && add_pair(r, &r->captures, &r->ncaptures, names[i], part[i], plen[i]))
				return CICD_ENOMEM;
		}
	}
	if (plen[3]) {
		/* a pre-release must itself be valid SemVer (no leading zeros) */
		cicd_buf t = CICD_BUF_INIT;
		cicd__buf_printf(&t, "0.0.0-%.*s", (int)plen[3], part[3]);
		rc = cicd_semver_parse(v, t.ptr ? t.ptr : "", t.size, NULL);
		cicd_buf_dispose(&t);
		cicd_semver_free(*v);
		*v = NULL;
		if (rc)
			return rc == CICD_ENOMEM ? rc : CICD_ENOTFOUND;
	}
	return cicd__semver_make(v, part[0], plen[0], part[1], plen[1], part[2], plen[2], part[3], plen[3], "", 0);
}

int cicd_policy_tag_version(cicd_semver **out, const cicd_policy *p, const char *tag)
{
	int rc;
	if (!out || !p || !tag)
		return cicd__error_set(CICD_EINVALID, "cicd_policy_tag_version: NULL argument");
	rc = tag_match(p, tag, out, NULL);
	if (rc == CICD_ENOTFOUND)
		return cicd__error_set(CICD_ENOTFOUND, "tag '%.200s' does not match the release tag pattern %s", tag,
		                       p->tag_template);
	return rc;
}

int cicd_policy_release_tag(cicd_buf *out, const cicd_policy *p, const cicd_semver *v)
{
	static const char *const holders[] = {"{major}", "{minor}", "{patch}", "{prerelease}"};
	const char *t, *pre;
	int has_pre;
	if (!out || !p || !v)
		return cicd__error_set(CICD_EINVALID, "cicd_policy_release_tag: NULL argument");
	t = p->tag_template;
	pre = cicd_semver_prerelease(v);
	has_pre = strstr(t, "{prerelease}") != NULL;
	if (has_pre != (*pre != '\0'))
		return cicd__error_set(CICD_EINVALID, "version %s does not fit the release tag pattern %s",
		                       cicd_semver_text(v), t);
	while (*t) {
		const char *val = NULL;
		size_t k, hl = 0;
		for (k = 0; k < 4 && !val; k++) {
			hl = strlen(holders[k]);
			if (!strncmp(t, holders[k], hl))
				val = k == 0   ? cicd_semver_major(v)
				      : k == 1 ? cicd_semver_minor(v)
				      : k == 2 ? cicd_semver_patch(v)
				               : pre;
		}
		if (val ? cicd__buf_puts(out, val) : cicd__buf_putc(out, *t))
			return CICD_ENOMEM;
		t += val ? hl : 1;
	}
	return 0;
}

int cicd_policy_check_tag(cicd_policy_result **out, const cicd_policy *p, const char *tag, const char *on,
                          const char *const *existing, size_t nexisting)
{
	cicd_policy_result *r;
	cicd_semver *v = NULL, *best = NULL;
	const char *best_tag = NULL;
	const branch_kind *k;
	size_t i;
	int rc;
	if (!out || !p || !tag || !on || (!existing && nexisting))
		return cicd__error_set(CICD_EINVALID, "cicd_policy_check_tag: NULL argument");
	*out = NULL;
	if (!(r = new_result("tag")))
		return CICD_ENOMEM;
	rc = strlen(tag) > p->max_name_length ? CICD_ENOTFOUND : tag_match(p, tag, &v, r);
	if (rc == CICD_ENOMEM) {
		cicd_policy_result_free(r);
		return rc;
	}
	if (rc)
		violate(r, "tag-pattern", "tag '%s' does not match the release tag pattern %s", tag, p->tag_template);
	k = name_ok(p, r, "branch", on) ? classify(p, on, NULL, "") : NULL;
	if (k) {
		r->kind = cicd__strdup(k->name);
		r->failed |= !r->kind;
	}
	if (!k || !k->release) {
		cicd_buf rel = CICD_BUF_INIT;
		for (i = 0; i < p->nkinds; i++)
			if (p->kinds[i].release &&
			    cicd__buf_printf(&rel, "%s%s", rel.size ? ", " : "", p->kinds[i].name) < 0)
				r->failed = 1;
		violate(r, "tag-branch", "release tag '%s' is on branch '%s'; release tags are made only on %s", tag,
		        on, rel.size ? rel.ptr : "(no release branch in the policy)");
		cicd_buf_dispose(&rel);
	}
	for (i = 0; v && p->tags_increasing && i < nexisting; i++) {
		cicd_semver *e = NULL;
		if (!existing[i] || strlen(existing[i]) > p->max_name_length)
			continue;
		rc = tag_match(p, existing[i], &e, NULL);
		if (rc == CICD_ENOMEM) {
			r->failed = 1;
			break;
		}
		if (rc)
			continue; /* not a release tag */
		if (!best || cicd_semver_compare(e, best) > 0) {
			cicd_semver_free(best);
			best = e;
			best_tag = existing[i];
		} else {
			cicd_semver_free(e);
		}
	}
	if (best && cicd_semver_compare(v, best) <= 0)
		violate(r, "tag-order", "release tag '%s' is not greater than the existing release tag '%s'", tag,
		        best_tag);
	cicd_semver_free(best);
	cicd_semver_free(v);
	return finish(out, r);
}

int cicd_policy_result_allowed(const cicd_policy_result *r)
{
	return r && r->nviolations == 0;
}

size_t cicd_policy_result_violation_count(const cicd_policy_result *r)
{
	return r ? r->nviolations : 0;
}

const char *cicd_policy_result_violation_rule(const cicd_policy_result *r, size_t i)
{
	return r && i < r->nviolations ? r->violations[i].a : NULL;
}

const char *cicd_policy_result_violation_message(const cicd_policy_result *r, size_t i)
{
	return r && i < r->nviolations ? r->violations[i].b : NULL;
}

size_t cicd_policy_result_capture_count(const cicd_policy_result *r)
{
	return r ? r->ncaptures : 0;
}

const char *cicd_policy_result_capture_name(const cicd_policy_result *r, size_t i)
{
	return r && i < r->ncaptures ? r->captures[i].a : NULL;
}

const char *cicd_policy_result_capture_value(const cicd_policy_result *r, size_t i)
{
	return r && i < r->ncaptures ? r->captures[i].b : NULL;
}

const char *cicd_policy_result_kind(const cicd_policy_result *r)
{
	return r && r->kind ? r->kind : "";
}

int cicd_policy_result_to_json(cicd_buf *out, const cicd_policy_result *r)
{
	cicd_json_writer *w;
	size_t i;
	if (!out || !r)
		return cicd__error_set(CICD_EINVALID, "cicd_policy_result_to_json: NULL argument");
	w = cicd__json_new(out, 0);
	if (!w)
		return cicd__error_oom();
	cicd__json_begin_object(w);
	cicd__json_kv_string(w, "event", r->event);
	cicd__json_kv_bool(w, "allowed", r->nviolations == 0);
	cicd__json_key(w, "kind");
	cicd__json_string_or_null(w, r->kind);
	cicd__json_key(w, "violations");
	cicd__json_begin_array(w);
	for (i = 0; i < r->nviolations; i++) {
		cicd__json_begin_object(w);
		cicd__json_kv_string(w, "rule", r->violations[i].a);
		cicd__json_kv_string(w, "message", r->violations[i].b);
		cicd__json_end_object(w);
	}
	cicd__json_end_array(w);
	cicd__json_key(w, "captures");
	cicd__json_begin_object(w);
	for (i = 0; i < r->ncaptures; i++)
		cicd__json_kv_string(w, r->captures[i].a, r->captures[i].b);
	cicd__json_end_object(w);
	cicd__json_end_object(w);
	return cicd__json_finish(w);
}

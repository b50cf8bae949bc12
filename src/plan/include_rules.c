/*
 * `include:rules` decided for a trigger, as GitLab's External::Rules does
 * while it reads the configuration: only the trigger's variables are known
 * then (pipeline variables over predefined ones; the file's own `variables`
 * are not merged yet). The first rule whose if, changes and exists all hold
 * decides, `when: never` leaving the file out; no match leaves it out.
 */
#include <string.h>

#include "core/arena.h"
#include "core/document.h"
#include "core/error.h"
#include "internal.h"

/* A rule's `changes` or `exists`: a list of globs, or a hash with `paths`. */
static const cicd_node *globs_of(const cicd_node *clause)
{
	if (clause && clause->kind == CICD_NODE_MAPPING)
		clause = cicd__node_get(clause, "paths", 5);
	return clause && clause->kind == CICD_NODE_SEQUENCE ? clause : NULL;
}

/* A `changes` hash's compare_to, or NULL. */
static const char *compare_to_of(const cicd_node *changes)
{
	const cicd_node *ref = changes->kind == CICD_NODE_MAPPING ? cicd__node_get(changes, "compare_to", 10) : NULL;
	return ref && ref->kind == CICD_NODE_SCALAR ? ref->u.scalar.text : NULL;
}

static const char *glob_at(const void *seq, size_t i)
{
	const cicd_node *item = ((const cicd_node *)seq)->u.seq.items[i];
	return item->kind == CICD_NODE_SCALAR ? item->u.scalar.text : "";
}

/* 1 when every clause of one rule holds, 0 when not, or a negative code. */
static int rule_holds(const cicd_node *rule, var_view *view, const cicd_trigger *t)
{
	const cicd_node *cond = cicd__node_get(rule, "if", 2), *changes = cicd__node_get(rule, "changes", 7);
	const cicd_node *exists = cicd__node_get(rule, "exists", 6), *globs;
	int matched = 1, rc;
	if (cond && cond->kind == CICD_NODE_SCALAR) {
		cicd_expr_options o = CICD_EXPR_OPTIONS_INIT;
		cicd_expr *expr = NULL;
		o.file = cond->meta->file;
		o.line = cond->line;
		o.column = cond->column;
		if ((rc = cicd_expr_compile(&expr, cond->u.scalar.text, strlen(cond->u.scalar.text), &o)) != 0)
			return rc;
		rc = cicd_expr_eval(&matched, expr, cicd__view_lookup, view);
		cicd_expr_free(expr);
		if (rc)
			return rc;
	}
	if (matched && changes && (globs = globs_of(changes)) &&
	    (rc = cicd__changes_match(&matched, globs->count, glob_at, globs, compare_to_of(changes), view, t)) != 0)
		return rc == CICD__BAD_COMPARE_REF
			   ? cicd__error_set(CICD_EVALIDATE, "include:rules:changes:compare_to is not a valid ref")
			   : rc;
	if (matched && exists && (globs = globs_of(exists)) &&
	    (rc = cicd__exists_match(&matched, globs->count, glob_at, globs, view, t)) != 0)
		return rc;
	return matched;
}

int cicd_trigger_include_rules(const cicd_node *rules, const cicd_include_request *req, void *payload)
{
	const cicd_trigger *t = payload;
	cicd_arena arena;
	var_view view;
	size_t i;
	int rc = 0;
	(void)req;
	if (!t)
		return cicd__error_set(CICD_EINVALID, "cicd_trigger_include_rules: the payload must be the trigger");
	if (!rules || rules->kind != CICD_NODE_SEQUENCE)
		return 1;
	cicd__arena_init(&arena, 1024);
	memset(&view, 0, sizeof view);
	view.layers[view.count++] = &t->user;
	view.layers[view.count++] = &t->predefined;
	view.arena = &arena;
	for (i = 0; i < rules->count; i++) {
		const cicd_node *rule = rules->u.seq.items[i], *when;
		if (rule->kind != CICD_NODE_MAPPING)
			continue;
		if ((rc = rule_holds(rule, &view, t)) < 0)
			break;
		if (rc) {
			when = cicd__node_get(rule, "when", 4);
			rc = !(when && when->kind == CICD_NODE_SCALAR && !strcmp(when->u.scalar.text, "never"));
			break;
		}
	}
	cicd__arena_release(&arena);
	return rc;
}

/*
 * `!reference [key, subkey, ...]`: replaced by the value found at that
 * path in the configuration after includes and extends (GitLab's
 * Yaml::Tags::Resolver). References inside the value are resolved in turn,
 * up to a depth limit; a reference that reaches itself is a cycle.
 */
#include <stdio.h>
#include <string.h>

#include "internal.h"

#define MAX_STACK 64

typedef struct refs {
	pl_ctx *c;
	const cicd_node *root;
	const cicd_node *stack[MAX_STACK];
	size_t depth;
} refs;

static const cicd_node *walk(refs *r, const cicd_node *n);

/* The reference as written goes into its error only: most references resolve, and formatting it costs. */
static void ref_error(pl_ctx *c, const cicd_node *n, const char *what)
{
	char *shown = pl_inspect_seq(c, n);
	if (shown)
		pl_error(c, n, "!reference %s %s", shown, what);
}

static const cicd_node *resolve_ref(refs *r, const cicd_node *n)
{
	pl_ctx *c = r->c;
	const cicd_node *target = r->root, *out;
	size_t i;
	if (!pl_is_seq(n) || !n->count) {
		pl_error(c, n, "!reference config should be an array of strings");
		return n;
	}
	for (i = 0; i < n->count; i++)
		if (!pl_is_scalar(n->u.seq.items[i])) {
			pl_error(c, n->u.seq.items[i], "!reference config should be an array of strings");
			return n;
		}
	for (i = 0; i < r->depth; i++)
		if (r->stack[i] == n) {
			ref_error(c, n, "is part of a circular chain");
			return NULL;
		}
	if (r->depth >= c->opts.max_reference_depth || r->depth >= MAX_STACK) {
		char what[64];
		snprintf(what, sizeof what, "is nested too deeply (more than %u levels)", c->opts.max_reference_depth);
		ref_error(c, n, what);
		return NULL;
	}
	for (i = 0; i < n->count && target; i++) {
		const cicd_node *k = n->u.seq.items[i];
		target = pl_is_map(target) ? cicd__node_get(target, k->u.scalar.text, k->len) : NULL;
	}
	if (!target) {
		ref_error(c, n, "could not be found");
		return NULL;
	}
	r->stack[r->depth++] = n;
	out = walk(r, target);
	r->depth--;
	return out;
}

static const cicd_node *walk(refs *r, const cicd_node *n)
{
	pl_ctx *c = r->c;
	size_t i;
	if (!n || c->fatal)
		return n;
	if (n->meta->tag && !strcmp(n->meta->tag, "!reference"))
		return resolve_ref(r, n);
	if (n->kind == CICD_NODE_SEQUENCE) {
		cicd_node *copy = NULL;
		for (i = 0; i < n->count; i++) {
			const cicd_node *v = walk(r, n->u.seq.items[i]);
			if (!v)
				v = n->u.seq.items[i]; /* reported; keep the reference as written */
			if (v != n->u.seq.items[i] && !copy) {
				if (!(copy = pl_seq_new(c, n->count, n)))
					return NULL;
				copy->meta = n->meta;
				copy->count = n->count;
				memcpy(copy->u.seq.items, n->u.seq.items, n->count * sizeof *copy->u.seq.items);
			}
			if (copy)
				copy->u.seq.items[i] = (cicd_node *)(uintptr_t)v;
		}
		return copy ? copy : n;
	}
	if (n->kind == CICD_NODE_MAPPING) {
		cicd_node *copy = NULL;
		for (i = 0; i < n->count; i++) {
			const cicd_node *v = walk(r, n->u.map.pairs[i].value);
			if (!v)
				v = n->u.map.pairs[i].value;
			if (v != n->u.map.pairs[i].value && !copy) {
				if (!(copy = pl_map_new(c, n->count, n)))
					return NULL;
				copy->meta = n->meta;
				copy->count = n->count;
				memcpy(copy->u.map.pairs, n->u.map.pairs, n->count * sizeof *copy->u.map.pairs);
			}
			if (copy)
				copy->u.map.pairs[i].value = (cicd_node *)(uintptr_t)v;
		}
		if (copy && pl_map_finish(c, copy))
			return NULL;
		return copy ? copy : n;
	}
	return n;
}

const cicd_node *pl_resolve_references(pl_ctx *c, const cicd_node *root)
{
	refs r;
	const cicd_node *out;
	memset(&r, 0, sizeof r);
	r.c = c;
	r.root = root;
	out = walk(&r, root);
	return c->fatal ? NULL : out;
}

/*
 * `extends`, as GitLab's Config::Extendable does it: every top-level entry
 * may extend any other top-level hash; parents are merged left to right,
 * then the entry itself, with Ruby's deep_merge (hashes key by key, arrays
 * and scalars replaced). Unknown parents, non-hash parents, cycles and
 * chains deeper than the limit are errors.
 */
#include <string.h>

#include "core/buf.h"
#include "internal.h"

enum { TODO = 0, ACTIVE = 1, DONE = 2 };

typedef struct entry {
	const cicd_node *key;
	const cicd_node *value;
	const cicd_node *resolved;
	int state;
	unsigned int height; /* levels of this entry's extends chain, itself included */
} entry;

typedef struct ext {
	pl_ctx *c;
	entry *entries;
	cicd_hashmap index;
} ext;

static entry *find(ext *x, const cicd_node *name)
{
	if (!pl_is_scalar(name))
		return NULL;
	return cicd__hashmap_get(&x->index, name->u.scalar.text, name->len);
}

static const cicd_node *resolve(ext *x, entry *e)
{
	pl_ctx *c = x->c;
	const cicd_node *exts, *base = NULL;
	const char *name = pl_text(e->key);
	size_t i, n;
	if (e->state == DONE)
		return e->resolved;
	if (e->state == ACTIVE)
		return NULL; /* the caller reports the cycle */
	e->resolved = e->value;
	e->height = 1;
	exts = pl_is_map(e->value) ? pl_get(e->value, "extends") : NULL;
	if (!exts || (!pl_is_string(exts) && !pl_is_array_of_strings(exts))) {
		e->state = DONE; /* a bad `extends` value is reported by validation */
		return e->resolved;
	}
	e->state = ACTIVE;
	n = pl_is_seq(exts) ? exts->count : 1;
	{
		cicd_buf unknown = CICD_BUF_INIT;
		const cicd_node *first_unknown = NULL;
		for (i = 0; i < n; i++) {
			const cicd_node *pn = pl_is_seq(exts) ? exts->u.seq.items[i] : exts;
			if (!find(x, pn)) {
				if (!first_unknown)
					first_unknown = pn;
				if (cicd__buf_printf(&unknown, "%s%s", unknown.size ? ", " : "", pl_text(pn)))
					pl_oom(c);
			}
		}
		if (first_unknown) {
			pl_error(c, first_unknown, "%s: unknown keys in `extends` (%s)", name,
			         unknown.ptr ? unknown.ptr : "");
			cicd_buf_dispose(&unknown);
			e->state = DONE;
			return NULL;
		}
		cicd_buf_dispose(&unknown);
	}
	for (i = 0; i < n && !c->fatal; i++) {
		const cicd_node *pn = pl_is_seq(exts) ? exts->u.seq.items[i] : exts;
		entry *p = find(x, pn);
		const cicd_node *pv;
		if (p->state == ACTIVE) {
			pl_error(c, pn, "%s: circular dependency detected in `extends`", name);
			e->state = DONE;
			return NULL;
		}
		pv = resolve(x, p);
		if (!pv) {
			e->state = DONE;
			return NULL;
		}
		if (p->height + 1 > e->height)
			e->height = p->height + 1;
		if (e->height > c->opts.max_extends_depth) {
			pl_error(c, exts, "%s: nesting too deep in `extends`", name);
			e->state = DONE;
			return NULL;
		}
		if (!pl_is_map(pv)) {
			pl_error(c, pn, "%s: invalid base hash in `extends`", name);
			e->state = DONE;
			return NULL;
		}
		base = pl_deep_merge(c, base, pv);
	}
	e->resolved = pl_deep_merge(c, base, e->value);
	e->state = DONE;
	return e->resolved;
}

const cicd_node *pl_resolve_extends(pl_ctx *c, const cicd_node *root)
{
	ext x;
	cicd_node *out = NULL;
	size_t i, n = root->count;
	int changed = 0;
	memset(&x, 0, sizeof x);
	x.c = c;
	x.entries = cicd__arena_calloc(&c->p->arena, n + 1, sizeof *x.entries);
	if (!x.entries) {
		pl_oom(c);
		return NULL;
	}
	for (i = 0; i < n; i++) {
		const cicd_node *k = root->u.map.pairs[i].key;
		x.entries[i].key = k;
		x.entries[i].value = root->u.map.pairs[i].value;
		if (pl_is_scalar(k) &&
		    cicd__hashmap_put(&x.index, k->u.scalar.text, k->len, &x.entries[i], NULL)) {
			pl_oom(c);
			goto done;
		}
	}
	for (i = 0; i < n && !c->fatal; i++) {
		entry *e = &x.entries[i];
		if (pl_text(e->key))
			resolve(&x, e);
		if (e->resolved && e->resolved != e->value)
			changed = 1;
	}
	if (c->fatal)
		goto done;
	if (!changed) {
		cicd__hashmap_dispose(&x.index);
		return root;
	}
	out = pl_map_new(c, n, root);
	if (!out)
		goto done;
	out->count = n;
	for (i = 0; i < n; i++) {
		out->u.map.pairs[i].key = root->u.map.pairs[i].key;
		out->u.map.pairs[i].value =
		    (cicd_node *)(uintptr_t)(x.entries[i].resolved ? x.entries[i].resolved : x.entries[i].value);
	}
	if (pl_map_finish(c, out))
		out = NULL;
done:
	cicd__hashmap_dispose(&x.index);
	return out;
}

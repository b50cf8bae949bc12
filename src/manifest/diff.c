/*
 * The difference between two sets: objects added, removed and changed,
 * and for a changed object the paths of its changed fields with the old
 * and new values as canonical JSON. A Secret's data never leaves here.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/buf.h"
#include "core/error.h"
#include "core/hashmap.h"
#include "diff.h"

#define MAX_DIFF_DEPTH 512

static int is_secret(const cicd_manifest *o)
{
	return !o->group[0] && !strcmp(o->kind, "Secret");
}

static void free_entry_fields(cicd__diff_entry *e)
{
	size_t i;
	for (i = 0; i < e->field_count; i++) {
		cicd__free_const(e->fields[i].path);
		cicd__free_const(e->fields[i].old_value);
		cicd__free_const(e->fields[i].new_value);
	}
	cicd__free(e->fields);
}

void cicd_manifest_diff_free(cicd_manifest_diff *diff)
{
	size_t i;
	if (!diff)
		return;
	for (i = 0; i < diff->count; i++)
		free_entry_fields(&diff->entries[i]);
	cicd__free(diff->entries);
	cicd__free(diff);
}

typedef struct {
	cicd__diff_entry *e;
	size_t cap; /* of e->fields */
	int secret;
	cicd_buf path;
} field_ctx;

static char *canonical_text(const cicd_node *n)
{
	cicd_buf b = CICD_BUF_INIT;
	if (!n)
		return NULL;
	if (cicd__manifest_canonical_node(&b, n)) {
		cicd_buf_dispose(&b);
		return NULL;
	}
	return cicd__buf_detach(&b);
}

/* Secret values, and a Secret's last-applied annotation (which carries them), are hidden. */
static int hidden_path(const char *path)
{
	return !strncmp(path, "data", 4) || !strncmp(path, "stringData", 10) ||
	       !strcmp(path, "metadata.annotations[\"kubectl.kubernetes.io/last-applied-configuration\"]");
}

static int add_field(field_ctx *c, const cicd_node *old_v, const cicd_node *new_v)
{
	cicd_manifest_field_change *f;
	const char *path = c->path.ptr ? c->path.ptr : "";
	int hide = c->secret && hidden_path(path);
	if (c->e->field_count == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 8;
		cicd_manifest_field_change *fs = cicd__realloc(c->e->fields, cap * sizeof *fs);
		if (!fs)
			return cicd__error_oom();
		c->e->fields = fs;
		c->cap = cap;
	}
	f = &c->e->fields[c->e->field_count];
	memset(f, 0, sizeof *f);
	f->path = cicd__strdup(path);
	f->hidden = hide;
	f->change = !old_v ? CICD_MANIFEST_ADDED : !new_v ? CICD_MANIFEST_REMOVED : CICD_MANIFEST_CHANGED;
	f->old_value = hide || !old_v ? NULL : canonical_text(old_v);
	f->new_value = hide || !new_v ? NULL : canonical_text(new_v);
	c->e->field_count++;
	if (!f->path || (!hide && old_v && !f->old_value) || (!hide && new_v && !f->new_value))
		return cicd__error_oom();
	return 0;
}

static int simple_key(const char *s, size_t len)
{
	size_t i;
	if (!len)
		return 0;
	for (i = 0; i < len; i++) {
		char ch = s[i];
		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '_' ||
		      ch == '-' || ch == '$'))
			return 0;
	}
	return 1;
}

static int push_key(cicd_buf *path, const char *k, size_t len)
{
	size_t i;
	if (simple_key(k, len))
		return path->size ? cicd__buf_printf(path, ".%.*s", (int)len, k) : cicd__buf_put(path, k, len);
	if (cicd__buf_puts(path, "[\""))
		return CICD_ENOMEM;
	for (i = 0; i < len; i++)
		if ((k[i] == '"' || k[i] == '\\' ? cicd__buf_putc(path, '\\') : 0) || cicd__buf_putc(path, k[i]))
			return CICD_ENOMEM;
	return cicd__buf_puts(path, "\"]");
}

static void truncate_path(cicd_buf *path, size_t len)
{
	path->size = len;
	if (path->ptr)
		path->ptr[len] = '\0';
}

static int diff_node(field_ctx *c, const cicd_node *a, const cicd_node *b, unsigned int depth);

typedef struct {
	const char *text;
	size_t len;
	const cicd_node *value;
} keyed;

static int cmp_keyed(const void *x, const void *y)
{
	const keyed *a = x, *b = y;
	size_t n = a->len < b->len ? a->len : b->len;
	int c = memcmp(a->text, b->text, n);
	return c ? c : (a->len > b->len) - (a->len < b->len);
}

/* The scalar-keyed pairs of a map, sorted by key; NULL for an empty map. */
static keyed *sorted_pairs(const cicd_node *m, size_t *count)
{
	keyed *k;
	size_t i, n = 0;
	*count = 0;
	if (!m->count)
		return NULL;
	k = cicd__calloc(m->count, sizeof *k);
	if (!k)
		return NULL;
	for (i = 0; i < m->count; i++) {
		const cicd_node *key = m->u.map.pairs[i].key;
		if (key->kind != CICD_NODE_SCALAR)
			continue;
		k[n].text = key->u.scalar.text;
		k[n].len = key->len;
		k[n].value = m->u.map.pairs[i].value;
		n++;
	}
	qsort(k, n, sizeof *k, cmp_keyed);
	*count = n;
	return k;
}

static int diff_map(field_ctx *c, const cicd_node *a, const cicd_node *b, unsigned int depth)
{
	size_t na, nb, i = 0, j = 0, base = c->path.size;
	keyed *ka = sorted_pairs(a, &na), *kb = sorted_pairs(b, &nb);
	int rc = 0;
	if ((a->count && !ka) || (b->count && !kb)) {
		cicd__free(ka);
		cicd__free(kb);
		return cicd__error_oom();
	}
	while (!rc && (i < na || j < nb)) {
		int cmp = i == na ? 1 : j == nb ? -1 : cmp_keyed(&ka[i], &kb[j]);
		const keyed *k = cmp <= 0 ? &ka[i] : &kb[j];
		rc = push_key(&c->path, k->text, k->len);
		if (!rc) {
			if (cmp < 0)
				rc = add_field(c, ka[i].value, NULL);
			else if (cmp > 0)
				rc = add_field(c, NULL, kb[j].value);
			else
				rc = diff_node(c, ka[i].value, kb[j].value, depth + 1);
		}
		truncate_path(&c->path, base);
		if (cmp <= 0)
			i++;
		if (cmp >= 0)
			j++;
	}
	cicd__free(ka);
	cicd__free(kb);
	return rc;
}

/* Lists of objects that all have a distinct string "name" (containers, env, ports, volumes) match by name. */
static int named_list(const cicd_node *s)
{
	size_t i, j;
	if (!s->count || s->count > 1000)
		return 0;
	for (i = 0; i < s->count; i++) {
		const char *n = cicd__manifest_str(s->u.seq.items[i], "name");
		if (!n)
			return 0;
		for (j = 0; j < i; j++)
			if (!strcmp(n, cicd__manifest_str(s->u.seq.items[j], "name")))
				return 0;
	}
	return 1;
}

static const cicd_node *find_named(const cicd_node *s, const char *name)
{
	size_t i;
	for (i = 0; i < s->count; i++) {
		const char *n = cicd__manifest_str(s->u.seq.items[i], "name");
		if (n && !strcmp(n, name))
			return s->u.seq.items[i];
	}
	return NULL;
}

static int diff_named(field_ctx *c, const cicd_node *a, const cicd_node *b, unsigned int depth)
{
	size_t i, base = c->path.size;
	int rc = 0;
	for (i = 0; i < a->count && !rc; i++) {
		const cicd_node *x = a->u.seq.items[i];
		const char *name = cicd__manifest_str(x, "name");
		const cicd_node *y = find_named(b, name);
		rc = cicd__buf_printf(&c->path, "[name=%s]", name);
		if (!rc)
			rc = y ? diff_node(c, x, y, depth + 1) : add_field(c, x, NULL);
		truncate_path(&c->path, base);
	}
	for (i = 0; i < b->count && !rc; i++) {
		const cicd_node *y = b->u.seq.items[i];
		const char *name = cicd__manifest_str(y, "name");
		if (find_named(a, name))
			continue;
		rc = cicd__buf_printf(&c->path, "[name=%s]", name);
		if (!rc)
			rc = add_field(c, NULL, y);
		truncate_path(&c->path, base);
	}
	return rc;
}

static int diff_seq(field_ctx *c, const cicd_node *a, const cicd_node *b, unsigned int depth)
{
	size_t i, n = a->count > b->count ? a->count : b->count, base = c->path.size;
	int rc = 0;
	if (named_list(a) && named_list(b))
		return diff_named(c, a, b, depth);
	for (i = 0; i < n && !rc; i++) {
		const cicd_node *x = i < a->count ? a->u.seq.items[i] : NULL;
		const cicd_node *y = i < b->count ? b->u.seq.items[i] : NULL;
		rc = cicd__buf_printf(&c->path, "[%zu]", i);
		if (!rc)
			rc = x && y ? diff_node(c, x, y, depth + 1) : add_field(c, x, y);
		truncate_path(&c->path, base);
	}
	return rc;
}

static int diff_node(field_ctx *c, const cicd_node *a, const cicd_node *b, unsigned int depth)
{
	char *x, *y;
	int same;
	if (a == b)
		return 0;
	if (depth > MAX_DIFF_DEPTH)
		return cicd__error_set(CICD_ELIMIT, "objects nested more than %d levels deep", MAX_DIFF_DEPTH);
	if (a->kind == CICD_NODE_MAPPING && b->kind == CICD_NODE_MAPPING)
		return diff_map(c, a, b, depth);
	if (a->kind == CICD_NODE_SEQUENCE && b->kind == CICD_NODE_SEQUENCE)
		return diff_seq(c, a, b, depth);
	x = canonical_text(a);
	y = canonical_text(b);
	if (!x || !y) {
		cicd__free(x);
		cicd__free(y);
		return cicd__error_oom();
	}
	same = !strcmp(x, y);
	cicd__free(x);
	cicd__free(y);
	return same ? 0 : add_field(c, a, b);
}

int cicd__diff_objects(cicd__diff_entry *e)
{
	field_ctx c;
	int rc;
	memset(&c, 0, sizeof c);
	c.e = e;
	c.secret = is_secret(e->new_obj) || is_secret(e->old_obj);
	rc = diff_node(&c, e->old_obj->root, e->new_obj->root, 0);
	cicd_buf_dispose(&c.path);
	return rc;
}

/* Matching two sets by identity into a diff, its accessors, and its text and JSON forms. */
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/buf.h"
#include "core/error.h"
#include "core/hashmap.h"
#include "core/json_writer.h"
#include "diff.h"

/* group \0 kind \0 namespace \0 name; cluster-scoped objects match whatever namespace they were written with. */
static char *identity(const cicd_manifest_set *set, const cicd_manifest *o, size_t *len)
{
	const char *ns = cicd__manifest_scope(set, o) == CICD_MANIFEST_SCOPE_CLUSTER ? "" : o->ns;
	const char *name = o->name[0] ? o->name : o->generate_name;
	size_t lg = strlen(o->group), lk = strlen(o->kind), ln = strlen(ns), lm = strlen(name);
	char *k = cicd__malloc(lg + lk + ln + lm + 4);
	if (!k)
		return NULL;
	memcpy(k, o->group, lg + 1);
	memcpy(k + lg + 1, o->kind, lk + 1);
	memcpy(k + lg + lk + 2, ns, ln + 1);
	memcpy(k + lg + lk + ln + 3, name, lm + 1);
	*len = lg + lk + ln + lm + 3;
	return k;
}

/* The length of an identity key: four NUL-separated parts. */
static size_t identity_len(const char *k)
{
	size_t len = 0;
	int part;
	for (part = 0; part < 4; part++)
		len += strlen(k + len) + 1;
	return len - 1;
}

static int push_entry(cicd_manifest_diff *d, cicd_manifest_change change, const cicd_manifest *o,
                      const cicd_manifest *n, cicd__diff_entry **out)
{
	cicd__diff_entry *e;
	if (d->count == d->capacity) {
		size_t cap = d->capacity ? d->capacity * 2 : 16;
		cicd__diff_entry *es = cicd__realloc(d->entries, cap * sizeof *es);
		if (!es)
			return cicd__error_oom();
		d->entries = es;
		d->capacity = cap;
	}
	e = &d->entries[d->count++];
	memset(e, 0, sizeof *e);
	e->change = change;
	e->old_obj = o;
	e->new_obj = n;
	if (out)
		*out = e;
	return 0;
}

static const cicd_manifest **sorted_copy(const cicd_manifest_set *set)
{
	const cicd_manifest **v = cicd__malloc((set->count ? set->count : 1) * sizeof *v);
	if (!v)
		return NULL;
	if (set->count)
		memcpy(v, set->items, set->count * sizeof *v);
	if (set->count)
		qsort(v, set->count, sizeof *v, cicd__manifest_cmp_apply);
	return v;
}

static void free_key(void *k)
{
	cicd__free(k);
}

int cicd_manifest_diff_new(cicd_manifest_diff **out, const cicd_manifest_set *old_set, const cicd_manifest_set *new_set)
{
	cicd_hashmap old_ids = CICD_HASHMAP_INIT, new_ids = CICD_HASHMAP_INIT;
	cicd_vec keys = CICD_VEC_INIT;
	const cicd_manifest **olds = NULL, **news = NULL;
	cicd_manifest_diff *d;
	size_t i;
	int rc = 0;
	if (!out || !old_set || !new_set)
		return cicd__error_set(CICD_EINVALID, "cicd_manifest_diff_new: out and both sets are required");
	*out = NULL;
	d = cicd__calloc(1, sizeof *d);
	olds = sorted_copy(old_set);
	news = sorted_copy(new_set);
	if (!d || !olds || !news)
		rc = cicd__error_oom();
	/* The first object of an identity wins; duplicates are a validation error, not a diff's business. */
	for (i = 0; !rc && i < old_set->count + new_set->count; i++) {
		int is_old = i < old_set->count;
		const cicd_manifest *o = is_old ? olds[i] : news[i - old_set->count];
		size_t len;
		char *k = identity(is_old ? old_set : new_set, o, &len);
		union {
			const cicd_manifest *c;
			void *m;
		} u;
		if (!k || cicd__vec_push(&keys, k)) {
			cicd__free(k);
			rc = cicd__error_oom();
			break;
		}
		u.c = o;
		if (!cicd__hashmap_get(is_old ? &old_ids : &new_ids, k, len))
			rc = cicd__hashmap_put(is_old ? &old_ids : &new_ids, k, len, u.m, NULL);
	}
	for (i = 0; !rc && i < new_set->count; i++) {
		const cicd_manifest *n = news[i], *o;
		const char *k = keys.items[old_set->count + i];
		size_t len = identity_len(k);
		if (cicd__hashmap_get(&new_ids, k, len) != n)
			continue; /* a duplicate */
		o = cicd__hashmap_get(&old_ids, k, len);
		if (!o) {
			rc = push_entry(d, CICD_MANIFEST_ADDED, NULL, n, NULL);
		} else {
			cicd__diff_entry *e;
			rc = push_entry(d, CICD_MANIFEST_CHANGED, o, n, &e);
			if (!rc)
				rc = cicd__diff_objects(e);
			if (!rc && !e->field_count)
				d->count--; /* unchanged */
		}
	}
	/* Removed objects in delete order: the reverse of apply order. */
	for (i = old_set->count; !rc && i-- > 0;) {
		const char *k = keys.items[i];
		size_t len = identity_len(k);
		if (cicd__hashmap_get(&old_ids, k, len) != olds[i] || cicd__hashmap_get(&new_ids, k, len))
			continue;
		rc = push_entry(d, CICD_MANIFEST_REMOVED, olds[i], NULL, NULL);
	}
	cicd__hashmap_dispose(&old_ids);
	cicd__hashmap_dispose(&new_ids);
	cicd__vec_dispose_with(&keys, free_key);
	cicd__free(olds);
	cicd__free(news);
	if (rc) {
		cicd_manifest_diff_free(d);
		return rc;
	}
	*out = d;
	return 0;
}

size_t cicd_manifest_diff_count(const cicd_manifest_diff *diff)
{
	return diff ? diff->count : 0;
}

int cicd_manifest_diff_get(cicd_manifest_change *change, const cicd_manifest **old_obj, const cicd_manifest **new_obj,
                           const cicd_manifest_diff *diff, size_t i)
{
	if (!diff)
		return cicd__error_set(CICD_EINVALID, "cicd_manifest_diff_get: diff is required");
	if (i >= diff->count)
		return cicd__error_set(CICD_ENOTFOUND, "diff entry %zu out of range (%zu entries)", i, diff->count);
	if (change)
		*change = diff->entries[i].change;
	if (old_obj)
		*old_obj = diff->entries[i].old_obj;
	if (new_obj)
		*new_obj = diff->entries[i].new_obj;
	return 0;
}

size_t cicd_manifest_diff_field_count(const cicd_manifest_diff *diff, size_t i)
{
	return diff && i < diff->count ? diff->entries[i].field_count : 0;
}

const cicd_manifest_field_change *cicd_manifest_diff_field(const cicd_manifest_diff *diff, size_t i, size_t j)
{
	if (!diff || i >= diff->count || j >= diff->entries[i].field_count)
		return NULL;
	return &diff->entries[i].fields[j];
}

static const cicd_manifest *entry_obj(const cicd__diff_entry *e)
{
	return e->new_obj ? e->new_obj : e->old_obj;
}

static int text_identity(cicd_buf *out, char mark, const cicd_manifest *o)
{
	return cicd__buf_printf(out, "%c %s %s%s%s (%s)\n", mark, o->kind, o->ns, o->ns[0] ? "/" : "",
	                        o->name[0] ? o->name : o->generate_name, o->api_version);
}

static int render_text(cicd_buf *out, const cicd_manifest_diff *d)
{
	size_t i, j, counts[4] = {0, 0, 0, 0};
	int rc = 0;
	for (i = 0; i < d->count && !rc; i++) {
		const cicd__diff_entry *e = &d->entries[i];
		counts[e->change]++;
		rc = text_identity(out,
		                   e->change == CICD_MANIFEST_ADDED     ? '+'
		                   : e->change == CICD_MANIFEST_REMOVED ? '-'
		                                                        : '~',
		                   entry_obj(e));
		for (j = 0; j < e->field_count && !rc; j++) {
			const cicd_manifest_field_change *f = &e->fields[j];
			if (f->hidden)
				rc = cicd__buf_printf(out, "    %s: (secret value %s)\n", f->path,
				                      f->change == CICD_MANIFEST_ADDED     ? "added"
				                      : f->change == CICD_MANIFEST_REMOVED ? "removed"
				                                                           : "changed");
			else
				rc = cicd__buf_printf(out, "    %s: %s -> %s\n", f->path,
				                      f->old_value ? f->old_value : "(absent)",
				                      f->new_value ? f->new_value : "(absent)");
		}
	}
	if (!rc)
		rc = cicd__buf_printf(out, "%zu added, %zu removed, %zu changed\n", counts[CICD_MANIFEST_ADDED],
		                      counts[CICD_MANIFEST_REMOVED], counts[CICD_MANIFEST_CHANGED]);
	return rc;
}

static void json_identity(cicd_json_writer *w, const cicd_manifest *o)
{
	cicd__json_kv_string(w, "apiVersion", o->api_version);
	cicd__json_kv_string(w, "kind", o->kind);
	cicd__json_kv_string(w, "namespace", o->ns);
	cicd__json_kv_string(w, "name", o->name[0] ? o->name : o->generate_name);
}

static const char *change_name(int change)
{
	return change == CICD_MANIFEST_ADDED ? "added" : change == CICD_MANIFEST_REMOVED ? "removed" : "changed";
}

/* Values are canonical JSON already; they go in as raw JSON text. */
static void json_value(cicd_json_writer *w, const char *key, const char *value)
{
	cicd__json_key(w, key);
	if (value)
		cicd__json_number_text(w, value, strlen(value));
	else
		cicd__json_null(w);
}

static int render_json(cicd_buf *out, const cicd_manifest_diff *d)
{
	static const cicd_manifest_change order[] = {CICD_MANIFEST_ADDED, CICD_MANIFEST_REMOVED, CICD_MANIFEST_CHANGED};
	cicd_json_writer *w = cicd__json_new(out, 1);
	size_t g, i, j;
	if (!w)
		return CICD_ENOMEM;
	cicd__json_begin_object(w);
	for (g = 0; g < 3; g++) {
		cicd__json_key(w, change_name(order[g]));
		cicd__json_begin_array(w);
		for (i = 0; i < d->count; i++) {
			const cicd__diff_entry *e = &d->entries[i];
			if (e->change != order[g])
				continue;
			cicd__json_begin_object(w);
			json_identity(w, entry_obj(e));
			if (e->change == CICD_MANIFEST_CHANGED) {
				cicd__json_key(w, "fields");
				cicd__json_begin_array(w);
				for (j = 0; j < e->field_count; j++) {
					const cicd_manifest_field_change *f = &e->fields[j];
					cicd__json_begin_object(w);
					cicd__json_kv_string(w, "path", f->path);
					cicd__json_kv_string(w, "change", change_name(f->change));
					cicd__json_kv_bool(w, "hidden", f->hidden);
					json_value(w, "old", f->old_value);
					json_value(w, "new", f->new_value);
					cicd__json_end_object(w);
				}
				cicd__json_end_array(w);
			}
			cicd__json_end_object(w);
		}
		cicd__json_end_array(w);
	}
	cicd__json_end_object(w);
	return cicd__json_finish(w);
}

int cicd_manifest_diff_render(cicd_buf *out, const cicd_manifest_diff *diff, cicd_manifest_diff_format format)
{
	if (!out || !diff)
		return cicd__error_set(CICD_EINVALID, "cicd_manifest_diff_render: out and diff are required");
	if (format == CICD_MANIFEST_DIFF_TEXT)
		return render_text(out, diff);
	if (format == CICD_MANIFEST_DIFF_JSON)
		return render_json(out, diff);
	return cicd__error_set(CICD_EINVALID, "unknown diff format %d", (int)format);
}

/* Public deploy API: pushing versions through the manifest module, listing them, diffs. */
#include <stdlib.h>
#include <string.h>

#include "cicd/manifest.h"
#include "core/alloc.h"
#include "core/buf.h"
#include "deploy_internal.h"

#define NAME_MAX_LEN 64

/* A project or set name must be a valid label value: it marks the objects the set owns. */
static int label_value_ok(const char *what, const char *s)
{
	size_t i, n = strlen(s);
	int alnum_ends;
	for (i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= '0' && s[i] <= '9') ||
		      s[i] == '-' || s[i] == '_' || s[i] == '.'))
			break;
	alnum_ends =
	    n && s[0] != '-' && s[0] != '_' && s[0] != '.' && s[n - 1] != '-' && s[n - 1] != '_' && s[n - 1] != '.';
	if (i < n || !alnum_ends || n > 63)
		return cicd__error_set(
		    CICD_EINVALID,
		    "%s name '%s' must be 1 to 63 letters, digits, '-', '_' or '.', starting and ending "
		    "with a letter or digit",
		    what, s);
	return 0;
}

typedef struct {
	const cicd_manifest *obj;
	size_t order;
	int wave;
} ordered;

static int ordered_cmp(const void *a, const void *b)
{
	const ordered *x = a, *y = b;
	if (x->wave != y->wave)
		return x->wave < y->wave ? -1 : 1;
	return x->order < y->order ? -1 : x->order > y->order;
}

static int wave_of(const cicd_manifest *m, int *wave)
{
	const char *a = cicd_manifest_annotation(m, CICD__ANNOTATION_WAVE);
	char *end;
	long v;
	*wave = 0;
	if (!a)
		return 0;
	v = strtol(a, &end, 10);
	if (!*a || *end || v < -1000 || v > 1000)
		return cicd__error_set_at(CICD_EVALIDATE, cicd_manifest_file(m), cicd_manifest_line(m), 0,
		                          "%s %s: annotation %s must be a whole number from -1000 to 1000, not '%s'",
		                          cicd_manifest_kind(m), cicd_manifest_name(m), CICD__ANNOTATION_WAVE, a);
	*wave = (int)v;
	return 0;
}

/* Validates, labels, orders and stores the set as a version. */
static int push_set(cicd_buf *out, cicd_deploy_store *store, const char *project, const char *set,
                    cicd_manifest_set *ms, const cicd_deploy_push_options *opts)
{
	cicd__object_in *objs = NULL;
	ordered *ord = NULL;
	cicd_buf *bodies = NULL;
	char(*hashes)[CICD_MANIFEST_HASH_SIZE] = NULL;
	char set_hash[CICD_MANIFEST_HASH_SIZE];
	cicd__push_meta meta;
	cicd__version v;
	size_t i, n = cicd_manifest_set_count(ms);
	int err, existed = 0;
	if (!n)
		return cicd__error_set(CICD_EINVALID, "no Kubernetes objects to push to '%s/%s'", project, set);
	if ((err = cicd_manifest_set_validate(NULL, ms, NULL)) < 0)
		return err;
	if ((err = cicd_manifest_set_label(ms, CICD__LABEL_PROJECT, project, 0)) < 0 ||
	    (err = cicd_manifest_set_label(ms, CICD__LABEL_SET, set, 0)) < 0 ||
	    (err = cicd_manifest_set_sort(ms, CICD_MANIFEST_ORDER_APPLY)) < 0)
		return err;
	if ((err = cicd_manifest_set_hash(set_hash, sizeof set_hash, ms)) < 0)
		return err;
	objs = cicd__calloc(n, sizeof *objs);
	ord = cicd__calloc(n, sizeof *ord);
	bodies = cicd__calloc(n, sizeof *bodies);
	hashes = cicd__calloc(n, sizeof *hashes);
	if (!objs || !ord || !bodies || !hashes) {
		err = cicd__error_oom();
		goto done;
	}
	for (i = 0; i < n && !err; i++) {
		ord[i].obj = cicd_manifest_set_get(ms, i);
		ord[i].order = i;
		err = wave_of(ord[i].obj, &ord[i].wave);
	}
	if (err)
		goto done;
	qsort(ord, n, sizeof *ord, ordered_cmp);
	for (i = 0; i < n && !err; i++) {
		const cicd_manifest *m = ord[i].obj;
		if ((err = cicd_manifest_hash(hashes[i], sizeof hashes[i], m)) < 0 ||
		    (err = cicd_manifest_render(&bodies[i], m, CICD_MANIFEST_FORMAT_JSON, CICD_FORMAT_SORT_KEYS)) < 0)
			break;
		while (bodies[i].size && bodies[i].ptr[bodies[i].size - 1] == '\n')
			bodies[i].ptr[--bodies[i].size] = '\0';
		objs[i].hash = hashes[i];
		objs[i].api_version = cicd_manifest_api_version(m);
		objs[i].kind = cicd_manifest_kind(m);
		objs[i].namespace_ = cicd_manifest_namespace(m);
		objs[i].name = cicd_manifest_name(m);
		objs[i].body = bodies[i].ptr;
		objs[i].body_len = bodies[i].size;
		objs[i].wave = ord[i].wave;
		if (!*objs[i].name)
			err = cicd__error_set_at(
			    CICD_EVALIDATE, cicd_manifest_file(m), cicd_manifest_line(m), 0,
			    "%s: a deployed object needs metadata.name (generateName is not supported)", objs[i].kind);
	}
	if (err)
		goto done;
	meta.who = opts && opts->who ? opts->who : "";
	meta.commit = opts ? opts->commit : NULL;
	meta.pipeline = opts ? opts->pipeline : NULL;
	meta.now = cicd__now_ms();
	err = cicd__store_version_push(store->st, &v, &existed, project, set, set_hash, objs, n, &meta);
	if (!err) {
		cicd_json_writer *w = cicd__json_new(out, 0);
		if (!w)
			err = cicd__error_oom();
		else if ((err = cicd__json_version(w, &v, existed)) < 0)
			cicd__json_abandon(w);
		else
			err = cicd__json_finish(w);
		cicd__version_dispose(&v);
	}
done:
	for (i = 0; bodies && i < n; i++)
		cicd_buf_dispose(&bodies[i]);
	cicd__free(bodies);
	cicd__free(hashes);
	cicd__free(ord);
	cicd__free(objs);
	return err;
}

static int check_push_args(char *project, char *set, cicd_buf *out, cicd_deploy_store *store, const char *project_set,
                           const cicd_deploy_push_options *opts)
{
	int err;
	if (!out || !store)
		return cicd__error_set(CICD_EINVALID, "no output or store given");
	if (opts && opts->version != CICD_DEPLOY_PUSH_OPTIONS_VERSION)
		return cicd__error_set(CICD_EINVALID, "push options version %u is not supported", opts->version);
	if ((err = cicd__split_set(project, NAME_MAX_LEN, set, NAME_MAX_LEN, project_set)) < 0)
		return err;
	if ((err = label_value_ok("project", project)) < 0 || (err = label_value_ok("resource set", set)) < 0)
		return err;
	return 0;
}

int cicd_deploy_push_paths(cicd_buf *out, cicd_deploy_store *store, const char *project_set, const char *const *paths,
                           size_t count, const cicd_deploy_push_options *opts)
{
	cicd_manifest_options mo = CICD_MANIFEST_OPTIONS_INIT;
	cicd_manifest_set *ms = NULL;
	char project[NAME_MAX_LEN], set[NAME_MAX_LEN];
	size_t i;
	int err;
	if ((err = check_push_args(project, set, out, store, project_set, opts)) < 0)
		return err;
	if (!count)
		return cicd__error_set(CICD_EINVALID, "no file or folder to push");
	if (opts && opts->recursive)
		mo.flags |= CICD_MANIFEST_RECURSIVE;
	if ((err = cicd_manifest_set_new(&ms)) < 0)
		return err;
	for (i = 0; i < count && !err; i++)
		err = cicd_manifest_set_add_path(ms, paths[i], &mo);
	if (!err)
		err = push_set(out, store, project, set, ms, opts);
	cicd_manifest_set_free(ms);
	return err;
}

int cicd_deploy_push_buffer(cicd_buf *out, cicd_deploy_store *store, const char *project_set, const char *data,
                            size_t len, const char *name, const cicd_deploy_push_options *opts)
{
	cicd_manifest_set *ms = NULL;
	char project[NAME_MAX_LEN], set[NAME_MAX_LEN];
	int err;
	if ((err = check_push_args(project, set, out, store, project_set, opts)) < 0)
		return err;
	if ((err = cicd_manifest_set_new(&ms)) < 0)
		return err;
	err = cicd_manifest_set_add_buffer(ms, data, len, name, NULL);
	if (!err)
		err = push_set(out, store, project, set, ms, opts);
	cicd_manifest_set_free(ms);
	return err;
}

static int write_versions(cicd_json_writer *w, void *ctx)
{
	cicd_vec *list = ctx;
	size_t i;
	int err = cicd__json_begin_array(w);
	for (i = 0; i < list->count && !err; i++)
		err = cicd__json_version(w, list->items[i], -1);
	return err ? err : cicd__json_end_array(w);
}

int cicd_deploy_versions_json(cicd_buf *out, cicd_deploy_store *store, const char *project_set)
{
	char project[NAME_MAX_LEN], set[NAME_MAX_LEN];
	cicd_vec list = CICD_VEC_INIT;
	int err;
	if (!out || !store)
		return cicd__error_set(CICD_EINVALID, "no output or store given");
	if ((err = cicd__split_set(project, sizeof project, set, sizeof set, project_set)) < 0)
		return err;
	if ((err = cicd__store_version_list(store->st, &list, project, set)) == 0)
		err = cicd__json_write(out, write_versions, &list);
	cicd__vec_dispose_with(&list, cicd__version_free_item);
	return err;
}

int cicd_deploy_set_prune(cicd_deploy_store *store, const char *project_set, int prune)
{
	char project[NAME_MAX_LEN], set[NAME_MAX_LEN];
	int err;
	if (!store)
		return cicd__error_set(CICD_EINVALID, "no store given");
	if ((err = cicd__split_set(project, sizeof project, set, sizeof set, project_set)) < 0)
		return err;
	return cicd__store_set_prune(store->st, project, set, prune);
}

/* The objects of a stored version as a manifest set. */
static int version_set(cicd_manifest_set **out, cicd_deploy_store *store, const char *ref, cicd__version *v)
{
	char project[NAME_MAX_LEN], set[NAME_MAX_LEN], version[80];
	cicd_vec objs = CICD_VEC_INIT;
	size_t i;
	int err;
	*out = NULL;
	if ((err = cicd__split_ref(project, sizeof project, set, sizeof set, version, sizeof version, ref)) < 0)
		return err;
	if ((err = cicd__store_version_get(store->st, v, project, set, version)) < 0)
		return err;
	if ((err = cicd__store_version_objects(store->st, &objs, v->id)) == 0 &&
	    (err = cicd_manifest_set_new(out)) == 0)
		for (i = 0; i < objs.count && !err; i++) {
			const cicd__object *o = objs.items[i];
			err = cicd_manifest_set_add_buffer(*out, o->body, strlen(o->body), ref, NULL);
		}
	cicd__vec_dispose_with(&objs, cicd__object_free_item);
	if (err < 0) {
		cicd_manifest_set_free(*out);
		*out = NULL;
		cicd__version_dispose(v);
	}
	return err;
}

int cicd_deploy_diff_versions(cicd_buf *out, cicd_deploy_store *store, const char *from_ref, const char *to_ref,
                              cicd_deploy_diff_format format)
{
	cicd_manifest_set *a = NULL, *b = NULL;
	cicd_manifest_diff *d = NULL;
	cicd__version va, vb;
	int err;
	if (!out || !store)
		return cicd__error_set(CICD_EINVALID, "no output or store given");
	if (format != CICD_DEPLOY_DIFF_TEXT && format != CICD_DEPLOY_DIFF_JSON)
		return cicd__error_set(CICD_EINVALID, "unknown diff format %d", (int)format);
	if ((err = version_set(&a, store, from_ref, &va)) < 0)
		return err;
	if ((err = version_set(&b, store, to_ref, &vb)) < 0) {
		cicd_manifest_set_free(a);
		cicd__version_dispose(&va);
		return err;
	}
	if ((err = cicd_manifest_diff_new(&d, a, b)) == 0)
		err = cicd_manifest_diff_render(
		    out, d, format == CICD_DEPLOY_DIFF_JSON ? CICD_MANIFEST_DIFF_JSON : CICD_MANIFEST_DIFF_TEXT);
	cicd_manifest_diff_free(d);
	cicd_manifest_set_free(a);
	cicd_manifest_set_free(b);
	cicd__version_dispose(&va);
	cicd__version_dispose(&vb);
	return err;
}

int cicd__json_changes_w(cicd_json_writer *w, const cicd_vec *list)
{
	size_t i;
	int err = cicd__json_begin_array(w);
	for (i = 0; i < list->count && !err; i++) {
		const cicd__change *c = list->items[i];
		err = cicd__json_begin_object(w);
		if (!err)
			err = cicd__json_kv_string(w, "action", c->action);
		if (!err)
			err = cicd__json_kv_int(w, "wave", c->wave);
		if (!err)
			err = cicd__json_kv_string(w, "api_version", c->api_version);
		if (!err)
			err = cicd__json_kv_string(w, "kind", c->kind);
		if (!err)
			err = cicd__json_kv_string(w, "namespace", c->namespace_);
		if (!err)
			err = cicd__json_kv_string(w, "name", c->name);
		if (!err && !(err = cicd__json_key(w, "diff")))
			err = cicd__json_string_or_null(w, c->diff);
		if (!err)
			err = cicd__json_end_object(w);
	}
	return err ? err : cicd__json_end_array(w);
}

static int write_changes(cicd_json_writer *w, void *ctx)
{
	return cicd__json_changes_w(w, ctx);
}

int cicd__json_changes(cicd_buf *out, const cicd_vec *changes)
{
	return cicd__json_write(out, write_changes, (void *)(uintptr_t)changes);
}

int cicd_deploy_diff_live(cicd_buf *out, cicd_deploy_store *store, const char *ref, const char *target)
{
	char project[NAME_MAX_LEN], set[NAME_MAX_LEN], version[80];
	cicd__version v;
	cicd__target t;
	cicd__job job;
	cicd__cluster *cl = NULL;
	cicd__joblog log;
	cicd_vec objs = CICD_VEC_INIT, changes = CICD_VEC_INIT;
	int err, prune = 0;
	if (!out || !store || !target)
		return cicd__error_set(CICD_EINVALID, "no output, store or target given");
	if ((err = cicd__split_ref(project, sizeof project, set, sizeof set, version, sizeof version, ref)) < 0)
		return err;
	if (cicd__deploy_interrupted(store))
		return cicd__deploy_interrupt_error("before comparing with the live cluster");
	if ((err = cicd__store_version_get(store->st, &v, project, set, version)) < 0)
		return err;
	if ((err = cicd__store_target_get(store->st, target, &t)) < 0) {
		cicd__version_dispose(&v);
		return err;
	}
	memset(&job, 0, sizeof job);
	cicd__store_set_get_prune(store->st, project, set, &prune);
	job.project = project;
	job.set = set;
	job.target = t.name;
	job.version_id = v.id;
	job.prune = prune;
	/* The plan's log lines are not kept: this is no job. */
	cicd__joblog_init(&log, store->st, 0, 0);
	log.batch = (size_t)-1;
	err = cicd__store_version_objects(store->st, &objs, v.id);
	if (!err)
		err = store->cluster_new(&cl, &t, store->cluster_payload);
	if (!err) {
		cicd__deploy_use_cluster(store, cl);
		err = cicd__deploy_plan(&changes, store->st, cl, &job, t.namespace_, &objs, &log, NULL, NULL);
		cicd__deploy_use_cluster(store, NULL);
		if (err == CICD_ECANCELED && cicd__deploy_interrupted(store))
			err = cicd__deploy_interrupt_error("while comparing with the live cluster");
	}
	if (!err)
		err = cicd__json_changes(out, &changes);
	if (cl)
		cl->ops->free(cl);
	cicd__joblog_dispose(&log);
	cicd__vec_dispose_with(&changes, cicd__change_free_item);
	cicd__vec_dispose_with(&objs, cicd__object_free_item);
	cicd__target_dispose(&t);
	cicd__version_dispose(&v);
	return err;
}

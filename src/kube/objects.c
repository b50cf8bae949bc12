/* Object operations: get, list (paginated), create, delete, and server-side apply of one object. */
#include <stdio.h>
#include <string.h>

#include "core/alloc.h"
#include "core/document.h"
#include "core/error.h"
#include "kube_internal.h"

#define DEFAULT_PAGE 500

int cicd_kube_list_options_init(cicd_kube_list_options *opts, unsigned int version)
{
	static const cicd_kube_list_options init = CICD_KUBE_LIST_OPTIONS_INIT;
	if (!opts || version != CICD_KUBE_LIST_OPTIONS_VERSION)
		return cicd__error_set(CICD_EINVALID, "unsupported cicd_kube_list_options version %u", version);
	*opts = init;
	return 0;
}

int cicd_kube_delete_options_init(cicd_kube_delete_options *opts, unsigned int version)
{
	static const cicd_kube_delete_options init = CICD_KUBE_DELETE_OPTIONS_INIT;
	if (!opts || version != CICD_KUBE_DELETE_OPTIONS_VERSION)
		return cicd__error_set(CICD_EINVALID, "unsupported cicd_kube_delete_options version %u", version);
	*opts = init;
	return 0;
}

int cicd_kube_apply_options_init(cicd_kube_apply_options *opts, unsigned int version)
{
	static const cicd_kube_apply_options init = CICD_KUBE_APPLY_OPTIONS_INIT;
	if (!opts || version != CICD_KUBE_APPLY_OPTIONS_VERSION)
		return cicd__error_set(CICD_EINVALID, "unsupported cicd_kube_apply_options version %u", version);
	*opts = init;
	return 0;
}

const char *cicd_kube_apply_action_name(cicd_kube_apply_action action)
{
	switch (action) {
	case CICD_KUBE_APPLY_CREATED:
		return "created";
	case CICD_KUBE_APPLY_CONFIGURED:
		return "configured";
	case CICD_KUBE_APPLY_UNCHANGED:
		return "unchanged";
	}
	return "failed";
}

static int describe(cicd_buf *out, const char *kind, const char *ns, const char *name)
{
	return ns && *ns ? cicd__buf_printf(out, "%s %s/%s", kind, ns, name) : cicd__buf_printf(out, "%s %s", kind, name);
}

int cicd_kube_get(cicd_buf *out, cicd_kube_client *c, const char *api_version, const char *kind,
		  const char *namespace_name, const char *name)
{
	const kube_resource *res;
	cicd_buf path = CICD_BUF_INIT, what = CICD_BUF_INIT;
	kube_request req;
	int rc;
	if (!out || !c || !name || !*name)
		return cicd__error_set(CICD_EINVALID, "cicd_kube_get: out, client and name are required");
	if ((rc = kube__resource_for(&res, c, api_version, kind)))
		return rc;
	if ((rc = kube__object_path(&path, c, res, namespace_name, name)) ||
	    (rc = kube__request_init(&req, c, "GET", path.ptr))) {
		cicd_buf_dispose(&path);
		return rc;
	}
	cicd_buf_dispose(&path);
	rc = kube__http_one(c, &req);
	if (!rc && req.status != 200) {
		describe(&what, kind, kube__namespace_for(c, res, namespace_name), name);
		rc = kube__status_error(&req, what.ptr ? what.ptr : kind);
	}
	if (!rc)
		rc = cicd__buf_put(out, req.body_out.ptr ? req.body_out.ptr : "", req.body_out.size);
	cicd_buf_dispose(&what);
	kube__request_dispose(&req);
	return rc;
}

int cicd_kube_list(cicd_buf *resource_version, cicd_kube_client *c, const char *api_version, const char *kind,
		   const char *namespace_name, const cicd_kube_list_options *opts, cicd_kube_item_cb cb, void *payload)
{
	const kube_resource *res;
	cicd_buf base = CICD_BUF_INIT, path = CICD_BUF_INIT, cont = CICD_BUF_INIT;
	unsigned int page = opts && opts->page_size ? opts->page_size : DEFAULT_PAGE;
	int rc;
	if (!c)
		return cicd__error_set(CICD_EINVALID, "cicd_kube_list: client is required");
	if (opts && opts->version != CICD_KUBE_LIST_OPTIONS_VERSION)
		return cicd__error_set(CICD_EINVALID, "unsupported cicd_kube_list_options version %u", opts->version);
	if ((rc = kube__resource_for(&res, c, api_version, kind)))
		return rc;
	rc = kube__object_path(&base, c, res, opts && opts->all_namespaces ? "" : namespace_name, NULL);
	do {
		kube_request req;
		cicd_document *doc = NULL;
		const cicd_node *root, *items;
		size_t i;
		cicd__buf_clear(&path);
		if (rc || (rc = cicd__buf_printf(&path, "%s?limit=%u", base.ptr, page)))
			break;
		if (opts && opts->label_selector && *opts->label_selector &&
		    ((rc = cicd__buf_puts(&path, "&labelSelector=")) || (rc = kube__buf_put_query(&path, opts->label_selector))))
			break;
		if (opts && opts->field_selector && *opts->field_selector &&
		    ((rc = cicd__buf_puts(&path, "&fieldSelector=")) || (rc = kube__buf_put_query(&path, opts->field_selector))))
			break;
		if (cont.size && ((rc = cicd__buf_puts(&path, "&continue=")) || (rc = kube__buf_put_query(&path, cont.ptr))))
			break;
		if ((rc = kube__request_init(&req, c, "GET", path.ptr)))
			break;
		rc = kube__http_one(c, &req);
		if (!rc && req.status != 200) {
			char what[300];
			snprintf(what, sizeof what, "list %s", res->resource);
			rc = kube__status_error(&req, what);
		}
		if (!rc)
			rc = kube__parse_json(&doc, req.body_out.ptr, req.body_out.size, path.ptr);
		kube__request_dispose(&req);
		if (rc)
			break;
		root = cicd_document_root(doc, 0);
		cicd__buf_clear(&cont);
		{
			const char *next = kube__str(kube__path(root, "metadata", NULL), "continue");
			const char *rv = kube__str(kube__path(root, "metadata", NULL), "resourceVersion");
			if (next && *next)
				rc = cicd__buf_puts(&cont, next);
			if (!rc && rv && resource_version) {
				cicd__buf_clear(resource_version);
				rc = cicd__buf_puts(resource_version, rv);
			}
		}
		items = cicd__node_get(root, "items", 5);
		for (i = 0; !rc && cb && items && items->kind == CICD_NODE_SEQUENCE && i < items->count; i++)
			rc = cb(items->u.seq.items[i], payload);
		cicd_document_free(doc);
	} while (!rc && cont.size);
	cicd_buf_dispose(&base);
	cicd_buf_dispose(&path);
	cicd_buf_dispose(&cont);
	return rc;
}

/* apiVersion, kind, name and namespace of an object node; CICD_EINVALID with its position otherwise. */
static int identify(const cicd_node *obj, const char **api_version, const char **kind, const char **name,
		    const char **ns)
{
	const cicd_node *meta = obj && obj->kind == CICD_NODE_MAPPING ? cicd__node_get(obj, "metadata", 8) : NULL;
	if (!obj || obj->kind != CICD_NODE_MAPPING)
		return obj ? cicd__error_set_at(CICD_EINVALID, obj->meta->file, obj->line, obj->column, "an object must be a mapping")
			   : cicd__error_set(CICD_EINVALID, "no object given");
	*api_version = kube__str(obj, "apiVersion");
	*kind = kube__str(obj, "kind");
	*name = kube__str(meta, "name");
	*ns = kube__str(meta, "namespace");
	if (!*api_version || !*kind)
		return cicd__error_set_at(CICD_EINVALID, obj->meta->file, obj->line, obj->column, "the object has no %s",
					  *api_version ? "kind" : "apiVersion");
	if (!*name || !**name)
		return cicd__error_set_at(CICD_EINVALID, obj->meta->file, obj->line, obj->column, "%s has no metadata.name", *kind);
	return 0;
}

int cicd_kube_create(cicd_buf *out, cicd_kube_client *c, const char *object_json, size_t len)
{
	cicd_document *doc = NULL;
	const char *api_version, *kind, *name, *ns;
	const kube_resource *res;
	cicd_buf path = CICD_BUF_INIT, what = CICD_BUF_INIT;
	kube_request req;
	int rc;
	if (!c || !object_json)
		return cicd__error_set(CICD_EINVALID, "cicd_kube_create: client and object are required");
	if ((rc = cicd_document_load_json(&doc, object_json, len, "<object>", NULL)))
		return rc;
	if ((rc = identify(cicd_document_root(doc, 0), &api_version, &kind, &name, &ns)) ||
	    (rc = kube__resource_for(&res, c, api_version, kind)) || (rc = kube__object_path(&path, c, res, ns, NULL)) ||
	    (rc = kube__request_init(&req, c, "POST", path.ptr))) {
		cicd_buf_dispose(&path);
		cicd_document_free(doc);
		return rc;
	}
	req.body = object_json;
	req.body_len = len;
	req.content_type = "application/json";
	rc = kube__http_one(c, &req);
	if (!rc && req.status != 201 && req.status != 200) {
		describe(&what, kind, kube__namespace_for(c, res, ns), name);
		rc = kube__status_error(&req, what.ptr);
	}
	if (!rc && out)
		rc = cicd__buf_put(out, req.body_out.ptr ? req.body_out.ptr : "", req.body_out.size);
	cicd_buf_dispose(&what);
	cicd_buf_dispose(&path);
	kube__request_dispose(&req);
	cicd_document_free(doc);
	return rc;
}

int cicd_kube_delete(cicd_kube_client *c, const char *api_version, const char *kind, const char *namespace_name,
		     const char *name, const cicd_kube_delete_options *opts)
{
	static const char *const policies[] = {NULL, "Background", "Foreground", "Orphan"};
	const kube_resource *res;
	cicd_buf path = CICD_BUF_INIT, body = CICD_BUF_INIT, what = CICD_BUF_INIT;
	kube_request req;
	int rc;
	if (!c || !name || !*name)
		return cicd__error_set(CICD_EINVALID, "cicd_kube_delete: client and name are required");
	if (opts && opts->version != CICD_KUBE_DELETE_OPTIONS_VERSION)
		return cicd__error_set(CICD_EINVALID, "unsupported cicd_kube_delete_options version %u", opts->version);
	if (opts && ((unsigned)opts->propagation > CICD_KUBE_PROPAGATION_ORPHAN))
		return cicd__error_set(CICD_EINVALID, "unknown propagation policy %d", (int)opts->propagation);
	if ((rc = kube__resource_for(&res, c, api_version, kind)) || (rc = kube__object_path(&path, c, res, namespace_name, name)))
		goto done;
	if (opts && opts->dry_run && (rc = cicd__buf_puts(&path, "?dryRun=All")))
		goto done;
	rc = cicd__buf_puts(&body, "{\"kind\":\"DeleteOptions\",\"apiVersion\":\"v1\"");
	/* With a body the server reads DeleteOptions from it alone, ignoring ?dryRun: say it here too. */
	if (!rc && opts && opts->dry_run)
		rc = cicd__buf_puts(&body, ",\"dryRun\":[\"All\"]");
	if (!rc && opts && opts->propagation)
		rc = cicd__buf_printf(&body, ",\"propagationPolicy\":\"%s\"", policies[opts->propagation]);
	if (!rc && opts && opts->grace_period_seconds >= 0)
		rc = cicd__buf_printf(&body, ",\"gracePeriodSeconds\":%ld", opts->grace_period_seconds);
	if (!rc)
		rc = cicd__buf_putc(&body, '}');
	if (rc || (rc = kube__request_init(&req, c, "DELETE", path.ptr)))
		goto done;
	req.body = body.ptr;
	req.body_len = body.size;
	req.content_type = "application/json";
	rc = kube__http_one(c, &req);
	if (!rc && req.status != 200 && req.status != 202) {
		describe(&what, kind, kube__namespace_for(c, res, namespace_name), name);
		rc = kube__status_error(&req, what.ptr);
	}
	kube__request_dispose(&req);
done:
	cicd_buf_dispose(&what);
	cicd_buf_dispose(&path);
	cicd_buf_dispose(&body);
	return rc;
}

/* ---- server-side apply ------------------------------------------------------------------ */

void kube__apply_job_dispose(kube_apply_job *job)
{
	cicd__free(job->ns);
	cicd__free(job->what);
	cicd__free(job->message);
	cicd_buf_dispose(&job->body);
	kube__request_dispose(&job->get);
	kube__request_dispose(&job->patch);
	memset(job, 0, sizeof *job);
}

void kube__apply_fail(kube_apply_job *job, int rc)
{
	job->rc = rc;
	cicd__free(job->message);
	job->message = cicd__strdup(cicd_error_last()->message);
}

int kube__apply_prepare(kube_apply_job *job, struct cicd_kube_client *c, const cicd_node *obj,
			const cicd_kube_apply_options *opts)
{
	const char *ns_in;
	cicd_buf path = CICD_BUF_INIT, b = CICD_BUF_INIT;
	const char *manager = opts && opts->field_manager && *opts->field_manager ? opts->field_manager : "cicd";
	int rc;
	memset(job, 0, sizeof *job);
	job->object = obj;
	if ((rc = identify(obj, &job->api_version, &job->kind, &job->name, &ns_in)))
		goto fail;
	if ((rc = kube__resource_for(&job->res, c, job->api_version, job->kind))) {
		cicd__error_prefix("%s %s: ", job->kind, job->name);
		goto fail;
	}
	if (!ns_in || !*ns_in)
		ns_in = opts && opts->namespace_name && *opts->namespace_name ? opts->namespace_name : NULL;
	job->ns = cicd__strdup(kube__namespace_for(c, job->res, ns_in));
	if (!job->ns || describe(&b, job->kind, job->ns, job->name)) {
		rc = cicd__error_oom();
		goto fail;
	}
	job->what = cicd__buf_detach(&b);
	if ((rc = kube__object_path(&path, c, job->res, job->ns, job->name)) ||
	    (rc = kube__request_init(&job->get, c, "GET", path.ptr)))
		goto fail;
	if ((rc = cicd__buf_puts(&path, "?fieldManager=")) || (rc = kube__buf_put_query(&path, manager)) ||
	    (opts && opts->force && (rc = cicd__buf_puts(&path, "&force=true"))) ||
	    (opts && opts->dry_run && (rc = cicd__buf_puts(&path, "&dryRun=All"))) ||
	    (rc = kube__request_init(&job->patch, c, "PATCH", path.ptr)))
		goto fail;
	if ((rc = cicd_node_to_json(&job->body, obj, 0)))
		goto fail;
	job->patch.body = job->body.ptr;
	job->patch.body_len = job->body.size;
	job->patch.content_type = "application/apply-patch+yaml";
	job->patch.idempotent = 1; /* applying the same configuration twice is the same as once */
	cicd_buf_dispose(&path);
	return 0;
fail:
	cicd_buf_dispose(&path);
	cicd_buf_dispose(&b);
	kube__apply_fail(job, rc);
	return rc;
}

static int nodes_equal(const cicd_node *a, const cicd_node *b, int depth, int top);

/* Equal mappings, ignoring what every write changes (managedFields, resourceVersion) at metadata level. */
static int maps_equal(const cicd_node *a, const cicd_node *b, int depth, int is_meta)
{
	size_t i, na = 0, nb = 0;
	for (i = 0; i < a->count; i++) {
		const cicd_node *k = a->u.map.pairs[i].key, *other;
		if (is_meta && (cicd__node_is(k, "managedFields") || cicd__node_is(k, "resourceVersion")))
			continue;
		na++;
		other = cicd__node_get(b, k->u.scalar.text, k->len);
		if (!other || !nodes_equal(a->u.map.pairs[i].value, other, depth + 1, 0))
			return 0;
	}
	for (i = 0; i < b->count; i++) {
		const cicd_node *k = b->u.map.pairs[i].key;
		if (is_meta && (cicd__node_is(k, "managedFields") || cicd__node_is(k, "resourceVersion")))
			continue;
		nb++;
	}
	return na == nb;
}

static int nodes_equal(const cicd_node *a, const cicd_node *b, int depth, int top)
{
	size_t i;
	if (depth > 200 || a->kind != b->kind)
		return 0;
	switch (a->kind) {
	case CICD_NODE_SCALAR:
		return a->len == b->len && !memcmp(a->u.scalar.text, b->u.scalar.text, a->len);
	case CICD_NODE_SEQUENCE:
		if (a->count != b->count)
			return 0;
		for (i = 0; i < a->count; i++)
			if (!nodes_equal(a->u.seq.items[i], b->u.seq.items[i], depth + 1, 0))
				return 0;
		return 1;
	default:
		if (top) {
			const cicd_node *ma = cicd__node_get(a, "metadata", 8), *mb = cicd__node_get(b, "metadata", 8);
			size_t j, n = 0, m = 0;
			if (!ma || !mb || ma->kind != CICD_NODE_MAPPING || mb->kind != CICD_NODE_MAPPING || !maps_equal(ma, mb, depth + 1, 1))
				return 0;
			for (j = 0; j < a->count; j++) {
				const cicd_node *k = a->u.map.pairs[j].key, *other;
				/* items of a list carry no apiVersion and kind */
				if (cicd__node_is(k, "metadata") || cicd__node_is(k, "apiVersion") || cicd__node_is(k, "kind"))
					continue;
				n++;
				other = cicd__node_get(b, k->u.scalar.text, k->len);
				if (!other || !nodes_equal(a->u.map.pairs[j].value, other, depth + 1, 0))
					return 0;
			}
			for (j = 0; j < b->count; j++)
				if (!cicd__node_is(b->u.map.pairs[j].key, "metadata") &&
				    !cicd__node_is(b->u.map.pairs[j].key, "apiVersion") && !cicd__node_is(b->u.map.pairs[j].key, "kind"))
					m++;
			return n == m;
		}
		return maps_equal(a, b, depth, 0);
	}
}

void kube__apply_decide(kube_apply_job *job, const cicd_kube_apply_options *opts)
{
	cicd_document *before = NULL, *after = NULL;
	int rc;
	if (job->rc)
		return;
	if (job->get.rc) {
		kube__apply_fail(job, job->get.rc);
		return;
	}
	if (job->get.status != 200 && job->get.status != 404) {
		kube__apply_fail(job, kube__status_error(&job->get, job->what));
		return;
	}
	if (job->patch.rc) {
		kube__apply_fail(job, job->patch.rc);
		return;
	}
	if (job->patch.status != 200 && job->patch.status != 201) {
		kube__apply_fail(job, kube__status_error(&job->patch, job->what));
		return;
	}
	if (job->get.status == 404 || job->patch.status == 201) {
		job->action = CICD_KUBE_APPLY_CREATED;
		return;
	}
	rc = kube__parse_json(&before, job->get.body_out.ptr, job->get.body_out.size, job->what);
	if (!rc)
		rc = kube__parse_json(&after, job->patch.body_out.ptr, job->patch.body_out.size, job->what);
	if (rc) {
		kube__apply_fail(job, rc);
	} else if (!(opts && opts->dry_run)) {
		/* A write that changes nothing is not stored: the resourceVersion stays. */
		const char *rv0 = kube__str(kube__path(cicd_document_root(before, 0), "metadata", NULL), "resourceVersion");
		const char *rv1 = kube__str(kube__path(cicd_document_root(after, 0), "metadata", NULL), "resourceVersion");
		job->action = rv0 && rv1 && !strcmp(rv0, rv1) ? CICD_KUBE_APPLY_UNCHANGED : CICD_KUBE_APPLY_CONFIGURED;
	} else {
		/* A dry run stores nothing, so compare what would be stored with what is. */
		job->action = nodes_equal(cicd_document_root(before, 0), cicd_document_root(after, 0), 0, 1)
				      ? CICD_KUBE_APPLY_UNCHANGED
				      : CICD_KUBE_APPLY_CONFIGURED;
	}
	cicd_document_free(before);
	cicd_document_free(after);
}

int cicd_kube_apply(cicd_kube_apply_action *action, cicd_buf *out, cicd_kube_client *c, const cicd_node *object,
		    const cicd_kube_apply_options *opts)
{
	kube_apply_job job;
	int rc;
	if (!c || !object)
		return cicd__error_set(CICD_EINVALID, "cicd_kube_apply: client and object are required");
	if (opts && opts->version != CICD_KUBE_APPLY_OPTIONS_VERSION)
		return cicd__error_set(CICD_EINVALID, "unsupported cicd_kube_apply_options version %u", opts->version);
	if (action)
		*action = 0;
	if ((rc = kube__apply_prepare(&job, c, object, opts))) {
		kube__apply_job_dispose(&job);
		return rc;
	}
	if (!kube__http_one(c, &job.get) && (job.get.status == 200 || job.get.status == 404))
		kube__http_one(c, &job.patch);
	kube__apply_decide(&job, opts);
	rc = job.rc;
	if (rc) {
		cicd__error_set(rc, "%s", job.message ? job.message : "apply failed");
	} else {
		if (action)
			*action = job.action;
		if (out)
			rc = cicd__buf_put(out, job.patch.body_out.ptr ? job.patch.body_out.ptr : "", job.patch.body_out.size);
	}
	kube__apply_job_dispose(&job);
	return rc;
}

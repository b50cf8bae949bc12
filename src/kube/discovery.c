/*
 * REST mapping from API discovery: kinds map to resources (plurals) only as
 * the server lists them. The aggregated form (apidiscovery.k8s.io/v2, two
 * requests) is asked for first; older servers get the per group-version
 * lists, fetched in parallel.
 */
#include <strings.h>
#include <string.h>

#include "core/alloc.h"
#include "core/document.h"
#include "core/error.h"
#include "kube_internal.h"

#define AGGREGATED_ACCEPT                                                                                             \
	"application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,"                                      \
	"application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json"

static void resource_free(void *p)
{
	kube_resource *r = p;
	size_t i;
	cicd__free(r->group);
	cicd__free(r->version);
	cicd__free(r->kind);
	cicd__free(r->resource);
	cicd__free(r->singular);
	cicd__free(r->key);
	for (i = 0; r->short_names && r->short_names[i]; i++)
		cicd__free(r->short_names[i]);
	cicd__free(r->short_names);
	cicd__free(r);
}

void kube__discovery_reset(struct cicd_kube_client *c)
{
	cicd__hashmap_dispose(&c->by_gvk);
	cicd__vec_dispose_with(&c->resources, resource_free);
	c->discovered = 0;
}

static int add_resource(struct cicd_kube_client *c, const char *group, const char *version, const char *kind,
			const char *resource, const char *singular, const cicd_node *short_names, int namespaced)
{
	kube_resource *r = cicd__calloc(1, sizeof *r);
	cicd_buf key = CICD_BUF_INIT;
	size_t i, n = short_names && short_names->kind == CICD_NODE_SEQUENCE ? short_names->count : 0;
	if (!r)
		return cicd__error_oom();
	r->group = cicd__strdup(group);
	r->version = cicd__strdup(version);
	r->kind = cicd__strdup(kind);
	r->resource = cicd__strdup(resource);
	r->singular = cicd__strdup(singular ? singular : "");
	r->namespaced = namespaced;
	r->short_names = cicd__calloc(n + 1, sizeof *r->short_names);
	cicd__buf_printf(&key, "%s/%s/%s", group, version, kind);
	r->key = cicd__buf_detach(&key);
	if (!r->group || !r->version || !r->kind || !r->resource || !r->singular || !r->short_names || !r->key) {
		resource_free(r);
		return cicd__error_oom();
	}
	for (i = 0; i < n; i++) {
		const cicd_node *s = short_names->u.seq.items[i];
		if (s->kind == CICD_NODE_SCALAR && !(r->short_names[i] = cicd__strdup(s->u.scalar.text))) {
			resource_free(r);
			return cicd__error_oom();
		}
	}
	if (cicd__vec_push(&c->resources, r)) {
		resource_free(r);
		return CICD_ENOMEM;
	}
	/* The first (preferred) mapping of a group/version/kind stays. */
	if (!cicd__hashmap_get(&c->by_gvk, r->key, strlen(r->key)) &&
	    cicd__hashmap_put(&c->by_gvk, r->key, strlen(r->key), r, NULL))
		return CICD_ENOMEM;
	return 0;
}

/* apidiscovery.k8s.io/v2 APIGroupDiscoveryList. */
static int take_aggregated(struct cicd_kube_client *c, const cicd_node *root)
{
	const cicd_node *items = cicd__node_get(root, "items", 5);
	size_t i, j, k;
	int rc;
	for (i = 0; items && items->kind == CICD_NODE_SEQUENCE && i < items->count; i++) {
		const cicd_node *g = items->u.seq.items[i];
		const char *group = kube__str(kube__path(g, "metadata", NULL), "name");
		const cicd_node *versions = cicd__node_get(g, "versions", 8);
		for (j = 0; versions && versions->kind == CICD_NODE_SEQUENCE && j < versions->count; j++) {
			const cicd_node *v = versions->u.seq.items[j];
			const char *version = kube__str(v, "version");
			const cicd_node *res = cicd__node_get(v, "resources", 9);
			for (k = 0; version && res && res->kind == CICD_NODE_SEQUENCE && k < res->count; k++) {
				const cicd_node *r = res->u.seq.items[k];
				const char *name = kube__str(r, "resource"), *kind = kube__str(kube__path(r, "responseKind", NULL), "kind");
				const char *scope = kube__str(r, "scope");
				if (!name || !kind)
					continue;
				if ((rc = add_resource(c, group ? group : "", version, kind, name, kube__str(r, "singularResource"),
						       cicd__node_get(r, "shortNames", 10), scope && !strcmp(scope, "Namespaced"))))
					return rc;
			}
		}
	}
	return 0;
}

/* A legacy APIResourceList of one group-version. */
static int take_resource_list(struct cicd_kube_client *c, const cicd_node *root)
{
	const char *gv = kube__str(root, "groupVersion");
	const cicd_node *res = cicd__node_get(root, "resources", 9);
	const char *slash;
	char *group;
	size_t i;
	int rc = 0;
	if (!gv)
		return 0;
	slash = strchr(gv, '/');
	group = slash ? cicd__strndup(gv, (size_t)(slash - gv)) : cicd__strdup("");
	if (!group)
		return cicd__error_oom();
	for (i = 0; !rc && res && res->kind == CICD_NODE_SEQUENCE && i < res->count; i++) {
		const cicd_node *r = res->u.seq.items[i];
		const char *name = kube__str(r, "name"), *kind = kube__str(r, "kind");
		if (!name || !kind || strchr(name, '/'))
			continue; /* subresources like pods/log */
		rc = add_resource(c, group, slash ? slash + 1 : gv, kind, name, kube__str(r, "singularName"),
				  cicd__node_get(r, "shortNames", 10), cicd__node_is(cicd__node_get(r, "namespaced", 10), "true"));
	}
	cicd__free(group);
	return rc;
}

static int discover_legacy(struct cicd_kube_client *c, const cicd_node *core, const cicd_node *groups)
{
	cicd_vec reqs = CICD_VEC_INIT;
	const cicd_node *versions = cicd__node_get(core, "versions", 8), *list = cicd__node_get(groups, "groups", 6);
	size_t i, j;
	int rc = 0;
	cicd_buf path = CICD_BUF_INIT;
	for (i = 0; versions && versions->kind == CICD_NODE_SEQUENCE && i < versions->count && !rc; i++) {
		kube_request *r = cicd__calloc(1, sizeof *r);
		cicd__buf_clear(&path);
		if (!r || cicd__buf_printf(&path, "/api/%s", versions->u.seq.items[i]->u.scalar.text) ||
		    kube__request_init(r, c, "GET", path.ptr) || cicd__vec_push(&reqs, r))
			rc = CICD_ENOMEM;
	}
	for (i = 0; list && list->kind == CICD_NODE_SEQUENCE && i < list->count && !rc; i++) {
		const cicd_node *gvs = cicd__node_get(list->u.seq.items[i], "versions", 8);
		for (j = 0; gvs && gvs->kind == CICD_NODE_SEQUENCE && j < gvs->count && !rc; j++) {
			const char *gv = kube__str(gvs->u.seq.items[j], "groupVersion");
			kube_request *r;
			if (!gv)
				continue;
			r = cicd__calloc(1, sizeof *r);
			cicd__buf_clear(&path);
			if (!r || cicd__buf_printf(&path, "/apis/%s", gv) || kube__request_init(r, c, "GET", path.ptr) ||
			    cicd__vec_push(&reqs, r))
				rc = CICD_ENOMEM;
		}
	}
	cicd_buf_dispose(&path);
	if (!rc)
		rc = kube__http_run(c, (kube_request **)reqs.items, reqs.count);
	for (i = 0; !rc && i < reqs.count; i++) {
		kube_request *r = reqs.items[i];
		cicd_document *doc = NULL;
		/* A broken aggregated API (503) must not hide the rest, as in kubectl. */
		if (r->rc || r->status != 200)
			continue;
		if (kube__parse_json(&doc, r->body_out.ptr, r->body_out.size, r->path) == 0)
			rc = take_resource_list(c, cicd_document_root(doc, 0));
		cicd_error_clear();
		cicd_document_free(doc);
	}
	for (i = 0; i < reqs.count; i++) {
		kube__request_dispose(reqs.items[i]);
		cicd__free(reqs.items[i]);
	}
	cicd__vec_dispose(&reqs);
	return rc;
}

int kube__discover(struct cicd_kube_client *c)
{
	kube_request core, groups;
	cicd_document *core_doc = NULL, *groups_doc = NULL;
	const char *kind;
	int rc;
	kube__discovery_reset(c);
	if ((rc = kube__request_init(&core, c, "GET", "/api")))
		return rc;
	if ((rc = kube__request_init(&groups, c, "GET", "/apis"))) {
		kube__request_dispose(&core);
		return rc;
	}
	core.accept = groups.accept = AGGREGATED_ACCEPT;
	{
		kube_request *both[2];
		both[0] = &core;
		both[1] = &groups;
		rc = kube__http_run(c, both, 2);
	}
	if (!rc && core.rc)
		rc = core.rc;
	if (!rc && groups.rc)
		rc = groups.rc;
	if (!rc && core.status != 200)
		rc = kube__status_error(&core, "discovery (GET /api)");
	if (!rc && groups.status != 200)
		rc = kube__status_error(&groups, "discovery (GET /apis)");
	if (!rc)
		rc = kube__parse_json(&core_doc, core.body_out.ptr, core.body_out.size, "GET /api");
	if (!rc)
		rc = kube__parse_json(&groups_doc, groups.body_out.ptr, groups.body_out.size, "GET /apis");
	if (!rc) {
		kind = kube__str(cicd_document_root(core_doc, 0), "kind");
		if (kind && !strcmp(kind, "APIGroupDiscoveryList")) {
			rc = take_aggregated(c, cicd_document_root(core_doc, 0));
			if (!rc)
				rc = take_aggregated(c, cicd_document_root(groups_doc, 0));
		} else {
			rc = discover_legacy(c, cicd_document_root(core_doc, 0), cicd_document_root(groups_doc, 0));
		}
	}
	cicd_document_free(core_doc);
	cicd_document_free(groups_doc);
	kube__request_dispose(&core);
	kube__request_dispose(&groups);
	if (rc)
		kube__discovery_reset(c);
	else
		c->discovered = 1;
	return rc;
}

static int split_api_version(char *group, size_t gsize, const char **version, const char *api_version)
{
	const char *slash = strchr(api_version, '/');
	size_t glen = slash ? (size_t)(slash - api_version) : 0;
	if (glen >= gsize)
		return -1;
	memcpy(group, api_version, glen);
	group[glen] = 0;
	*version = slash ? slash + 1 : api_version;
	return 0;
}

int kube__resource_for(const kube_resource **out, struct cicd_kube_client *c, const char *api_version, const char *kind)
{
	char group[256];
	const char *version;
	cicd_buf key = CICD_BUF_INIT;
	int rc;
	*out = NULL;
	if (!api_version || !*api_version || !kind || !*kind)
		return cicd__error_set(CICD_EINVALID, "an object needs apiVersion and kind");
	if (split_api_version(group, sizeof group, &version, api_version))
		return cicd__error_set(CICD_EINVALID, "apiVersion '%s' is too long", api_version);
	if (cicd__buf_printf(&key, "%s/%s/%s", group, version, kind))
		return CICD_ENOMEM;
	rc = c->discovered ? 0 : kube__discover(c);
	if (!rc)
		*out = cicd__hashmap_get(&c->by_gvk, key.ptr, key.size);
	/* Unknown: perhaps a CRD appeared since the last discovery. */
	if (!rc && !*out && !(rc = kube__discover(c)))
		*out = cicd__hashmap_get(&c->by_gvk, key.ptr, key.size);
	if (rc) {
		cicd_buf_dispose(&key);
		return rc;
	}
	cicd_buf_dispose(&key);
	if (!*out)
		return cicd__error_set(CICD_ENOTFOUND, "the server has no kind %s in %s", kind, api_version);
	return 0;
}

int cicd_kube_resolve(cicd_buf *out_api_version, cicd_buf *out_kind, int *namespaced, cicd_kube_client *c,
		      const char *name)
{
	const char *dot;
	char want[256], group[256];
	size_t i;
	int rc, pass, has_group;
	if (!c || !name || !*name)
		return cicd__error_set(CICD_EINVALID, "cicd_kube_resolve: client and name are required");
	dot = strchr(name, '.');
	has_group = dot != NULL;
	if (strlen(name) >= sizeof want)
		return cicd__error_set(CICD_EINVALID, "'%s' is too long for a kind", name);
	snprintf(want, sizeof want, "%.*s", (int)(dot ? (size_t)(dot - name) : strlen(name)), name);
	snprintf(group, sizeof group, "%s", dot ? dot + 1 : "");
	for (pass = 0; pass < 2; pass++) {
		if (!c->discovered || pass == 1)
			if ((rc = kube__discover(c)))
				return rc;
		for (i = 0; i < c->resources.count; i++) {
			const kube_resource *r = c->resources.items[i];
			size_t k;
			int hit = !strcmp(r->resource, want) || !strcmp(r->singular, want) || !strcasecmp(r->kind, want);
			for (k = 0; !hit && r->short_names[k]; k++)
				hit = !strcmp(r->short_names[k], want);
			if (!hit || (has_group && strcmp(r->group, group)))
				continue;
			if (out_api_version && (*r->group ? cicd__buf_printf(out_api_version, "%s/%s", r->group, r->version)
							  : cicd__buf_puts(out_api_version, r->version)))
				return CICD_ENOMEM;
			if (out_kind && cicd__buf_puts(out_kind, r->kind))
				return CICD_ENOMEM;
			if (namespaced)
				*namespaced = r->namespaced;
			return 0;
		}
	}
	return cicd__error_set(CICD_ENOTFOUND, "the server doesn't have a resource type \"%s\"", name);
}

const char *kube__namespace_for(struct cicd_kube_client *c, const kube_resource *res, const char *ns)
{
	if (!res->namespaced)
		return "";
	return ns ? ns : cicd_kube_client_namespace(c);
}

int kube__object_path(cicd_buf *out, struct cicd_kube_client *c, const kube_resource *res, const char *ns,
		      const char *name)
{
	int rc = *res->group ? cicd__buf_printf(out, "/apis/%s/%s", res->group, res->version)
			     : cicd__buf_printf(out, "/api/%s", res->version);
	ns = kube__namespace_for(c, res, ns);
	if (!rc && *ns) {
		rc = cicd__buf_puts(out, "/namespaces/");
		if (!rc)
			rc = kube__buf_put_query(out, ns);
	}
	if (!rc)
		rc = cicd__buf_printf(out, "/%s", res->resource);
	if (!rc && name) {
		rc = cicd__buf_putc(out, '/');
		if (!rc)
			rc = kube__buf_put_query(out, name);
	}
	return rc;
}

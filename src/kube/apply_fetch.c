/*
 * Reading what the server holds before applying a set: objects that share
 * a collection (same kind and namespace) come from one LIST instead of one
 * GET each, which halves the requests of a large apply. A collection with
 * more objects than one page falls back to GETs for the names not seen.
 */
#include <string.h>

#include "core/alloc.h"
#include "core/document.h"
#include "core/error.h"
#include "core/hashmap.h"
#include "kube_internal.h"

#define LIST_MIN 8   /* fewer objects than this in a collection: plain GETs */
#define LIST_PAGE 500

typedef struct group {
	char *collection;
	size_t first; /* index into the job list of the first member */
	size_t count;
	kube_request list;
} group;

static size_t collection_len(const kube_request *get)
{
	const char *slash = strrchr(get->path, '/');
	return slash ? (size_t)(slash - get->path) : strlen(get->path);
}

/* Fills each job's GET result from the collection's list; 1 when the list could not be used. */
static int take_list(kube_apply_job **jobs, const size_t *order, const group *g)
{
	cicd_document *doc = NULL;
	cicd_hashmap names = CICD_HASHMAP_INIT;
	const cicd_node *root, *items;
	size_t i;
	int fallback = 0;
	if (g->list.rc || g->list.status != 200 ||
	    cicd_document_load_json(&doc, g->list.body_out.ptr ? g->list.body_out.ptr : "", g->list.body_out.size, "list",
				    NULL)) {
		cicd_error_clear();
		return 1;
	}
	root = cicd_document_root(doc, 0);
	items = cicd__node_get(root, "items", 5);
	{
		const char *cont = kube__str(kube__path(root, "metadata", NULL), "continue");
		fallback = cont && *cont; /* more than a page: names not seen are unknown, not absent */
	}
	for (i = 0; items && items->kind == CICD_NODE_SEQUENCE && i < items->count; i++) {
		const char *name = kube__str(kube__path(items->u.seq.items[i], "metadata", NULL), "name");
		if (name && cicd__hashmap_put(&names, name, strlen(name), items->u.seq.items[i], NULL)) {
			fallback = 1;
			break;
		}
	}
	for (i = 0; i < g->count; i++) {
		kube_apply_job *job = jobs[order[g->first + i]];
		const cicd_node *item = cicd__hashmap_get(&names, job->name, strlen(job->name));
		if (item) {
			cicd__buf_clear(&job->get.body_out);
			if (cicd_node_to_json(&job->get.body_out, item, 0)) {
				fallback = 1;
				continue;
			}
			job->get.status = 200;
			job->get.rc = 0;
			job->get.done = 1;
		} else if (!fallback) {
			job->get.status = 404;
			job->get.rc = 0;
			job->get.done = 1;
		}
	}
	cicd__hashmap_dispose(&names);
	cicd_document_free(doc);
	return fallback;
}

int kube__apply_fetch(struct cicd_kube_client *c, kube_apply_job **jobs, size_t n)
{
	size_t *order = NULL, i, j, ngroups = 0, nreq = 0;
	group *groups = NULL;
	kube_request **reqs = NULL;
	int rc = 0;
	if (!n)
		return 0;
	order = cicd__calloc(n, sizeof *order);
	groups = cicd__calloc(n, sizeof *groups);
	reqs = cicd__calloc(n, sizeof *reqs);
	if (!order || !groups || !reqs) {
		rc = cicd__error_oom();
		goto done;
	}
	/* Group by collection, keeping the set's order inside each group. */
	{
		size_t k = 0;
		int *seen = cicd__calloc(n, sizeof *seen);
		if (!seen) {
			rc = cicd__error_oom();
			goto done;
		}
		for (i = 0; i < n; i++) {
			size_t len;
			if (seen[i])
				continue;
			len = collection_len(&jobs[i]->get);
			groups[ngroups].first = k;
			for (j = i; j < n; j++) {
				if (seen[j] || collection_len(&jobs[j]->get) != len || memcmp(jobs[j]->get.path, jobs[i]->get.path, len))
					continue;
				seen[j] = 1;
				order[k++] = j;
				groups[ngroups].count++;
			}
			groups[ngroups].collection = cicd__strndup(jobs[i]->get.path, len);
			if (!groups[ngroups].collection) {
				cicd__free(seen);
				rc = cicd__error_oom();
				goto done;
			}
			ngroups++;
		}
		cicd__free(seen);
	}
	for (i = 0; i < ngroups; i++) {
		group *g = &groups[i];
		if (g->count >= LIST_MIN) {
			cicd_buf path = CICD_BUF_INIT;
			if (cicd__buf_printf(&path, "%s?limit=%d", g->collection, LIST_PAGE) ||
			    kube__request_init(&g->list, c, "GET", path.ptr)) {
				cicd_buf_dispose(&path);
				rc = CICD_ENOMEM;
				goto done;
			}
			cicd_buf_dispose(&path);
			reqs[nreq++] = &g->list;
		} else {
			for (j = 0; j < g->count; j++)
				reqs[nreq++] = &jobs[order[g->first + j]]->get;
		}
	}
	if ((rc = kube__http_run(c, reqs, nreq)))
		goto done;
	/* Lists that could not be used (error, too many objects): GET whatever is still unknown. */
	nreq = 0;
	for (i = 0; i < ngroups; i++) {
		group *g = &groups[i];
		if (g->count < LIST_MIN || !take_list(jobs, order, g))
			continue;
		for (j = 0; j < g->count; j++) {
			kube_apply_job *job = jobs[order[g->first + j]];
			if (!job->get.done)
				reqs[nreq++] = &job->get;
		}
	}
	if (nreq)
		rc = kube__http_run(c, reqs, nreq);
done:
	for (i = 0; groups && i < ngroups; i++) {
		cicd__free(groups[i].collection);
		if (groups[i].list.path)
			kube__request_dispose(&groups[i].list);
	}
	cicd__free(groups);
	cicd__free(order);
	cicd__free(reqs);
	return rc;
}

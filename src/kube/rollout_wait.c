/*
 * Waiting for a rollout: one watch on the object (by name) and one on its
 * pods (by the object's selector). Every object event re-runs the kubectl
 * decision; every pod event updates what is known to be wrong with the
 * pods of the current revision, so a rollout that cannot finish is
 * reported at once with its reason instead of at the deadline.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/alloc.h"
#include "core/document.h"
#include "core/error.h"
#include "core/hashmap.h"
#include "kube_internal.h"

#define DEFAULT_TIMEOUT_MS 300000
#define DEFAULT_LOG_LINES 10

int cicd_kube_rollout_options_init(cicd_kube_rollout_options *opts, unsigned int version)
{
	static const cicd_kube_rollout_options init = CICD_KUBE_ROLLOUT_OPTIONS_INIT;
	if (!opts || version != CICD_KUBE_ROLLOUT_OPTIONS_VERSION)
		return cicd__error_set(CICD_EINVALID, "unsupported cicd_kube_rollout_options version %u", version);
	*opts = init;
	return 0;
}

static double mono_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* What is wrong with one pod, and which revision it belongs to. */
typedef struct pod_issue {
	char *name;
	char *reason;
	char *container; /* CrashLoopBackOff only */
	char *revision;  /* pod-template-hash or controller-revision-hash */
} pod_issue;

static void issue_free(void *p)
{
	pod_issue *i = p;
	cicd__free(i->name);
	cicd__free(i->reason);
	cicd__free(i->container);
	cicd__free(i->revision);
	cicd__free(i);
}

typedef struct waiter {
	struct cicd_kube_client *c;
	const char *api_version, *kind, *name, *ns;
	cicd_document *object; /* latest copy of the object */
	cicd_hashmap issues;   /* pod name -> pod_issue */
	char *want_revision;   /* the current revision's hash; NULL: any pod counts */
	char *revision_of;     /* the object's revision the hash was found for */
} waiter;

/* Keeps a copy of the object (watch objects are borrowed until the next event). */
static int keep_object(waiter *w, const cicd_node *obj)
{
	cicd_buf json = CICD_BUF_INIT;
	cicd_document *doc = NULL;
	int rc = cicd_node_to_json(&json, obj, 0);
	if (!rc)
		rc = cicd_document_load_json(&doc, json.ptr, json.size, "object", NULL);
	cicd_buf_dispose(&json);
	if (rc)
		return rc;
	cicd_document_free(w->object);
	w->object = doc;
	return 0;
}

static int note_pod(waiter *w, const cicd_node *pod, int deleted)
{
	const char *name = kube__str(kube__path(pod, "metadata", NULL), "name");
	const cicd_node *labels = kube__path(pod, "metadata", "labels", NULL);
	const char *rev = kube__str(labels, "pod-template-hash");
	cicd_buf reason = CICD_BUF_INIT, container = CICD_BUF_INIT;
	pod_issue *issue, *old = NULL;
	int rc;
	if (!name)
		return 0;
	if (!rev)
		rev = kube__str(labels, "controller-revision-hash");
	rc = deleted ? 0 : cicd_kube_pod_problem(&reason, &container, pod);
	if (rc < 0)
		return rc;
	if (rc == 0) {
		if (cicd__hashmap_find(&w->issues, name, strlen(name), (void **)&old)) {
			cicd__hashmap_remove(&w->issues, name, strlen(name));
			issue_free(old);
		}
		return 0;
	}
	issue = cicd__calloc(1, sizeof *issue);
	if (!issue || !(issue->name = cicd__strdup(name)) || !(issue->reason = cicd__buf_detach(&reason)) ||
	    (container.size && !(issue->container = cicd__buf_detach(&container))) || (rev && !(issue->revision = cicd__strdup(rev)))) {
		if (issue)
			issue_free(issue);
		cicd_buf_dispose(&reason);
		cicd_buf_dispose(&container);
		return cicd__error_oom();
	}
	cicd_buf_dispose(&container);
	if (cicd__hashmap_put(&w->issues, issue->name, strlen(issue->name), issue, (void **)&old)) {
		issue_free(issue);
		return CICD_ENOMEM;
	}
	if (old)
		issue_free(old);
	return 0;
}

typedef struct rs_search {
	const char *revision;
	char *hash;
} rs_search;

static int find_rs(const cicd_node *rs, void *payload)
{
	rs_search *s = payload;
	const char *rev = kube__str(kube__path(rs, "metadata", "annotations", NULL), "deployment.kubernetes.io/revision");
	const char *hash = kube__str(kube__path(rs, "metadata", "labels", NULL), "pod-template-hash");
	if (rev && hash && !strcmp(rev, s->revision) && !s->hash)
		s->hash = cicd__strdup(hash);
	return 0;
}

typedef struct cr_search {
	const char *owner_uid;
	long long revision; /* the highest seen */
	char *hash;
} cr_search;

/* The DaemonSet's newest ControllerRevision: its controller-revision-hash is on the current pods. */
static int find_cr(const cicd_node *cr, void *payload)
{
	cr_search *s = payload;
	const cicd_node *owners = kube__path(cr, "metadata", "ownerReferences", NULL);
	const char *hash = kube__str(kube__path(cr, "metadata", "labels", NULL), "controller-revision-hash");
	long long revision = kube__int(kube__path(cr, "revision", NULL), -1);
	size_t i;
	int owned = 0;
	for (i = 0; owners && owners->kind == CICD_NODE_SEQUENCE && i < owners->count; i++) {
		const char *uid = kube__str(owners->u.seq.items[i], "uid");
		owned |= uid && !strcmp(uid, s->owner_uid);
	}
	if (!owned || !hash || revision <= s->revision)
		return 0;
	cicd__free(s->hash);
	if (!(s->hash = cicd__strdup(hash)))
		return cicd__error_oom();
	s->revision = revision;
	return 0;
}

static int daemonset_revision(waiter *w, const cicd_node *obj, const char *selector)
{
	const cicd_node *meta = kube__path(obj, "metadata", NULL);
	const char *generation = kube__str(meta, "generation"), *uid = kube__str(meta, "uid");
	cicd_kube_list_options lo = CICD_KUBE_LIST_OPTIONS_INIT;
	cr_search s;
	int rc;
	if (!generation || !uid)
		return 0;
	if (w->revision_of && !strcmp(w->revision_of, generation) && w->want_revision)
		return 0;
	cicd__free(w->want_revision);
	cicd__free(w->revision_of);
	w->revision_of = NULL;
	if (kube__int(kube__path(obj, "status", "observedGeneration", NULL), 0) < kube__int(kube__path(meta, "generation", NULL), 0)) {
		/* The controller has not made this spec's revision yet: no pod is known to be current. */
		w->want_revision = cicd__strdup("");
		return w->want_revision ? 0 : cicd__error_oom();
	}
	s.owner_uid = uid;
	s.revision = -1;
	s.hash = NULL;
	lo.label_selector = selector;
	if ((rc = cicd_kube_list(NULL, w->c, "apps/v1", "ControllerRevision", w->ns, &lo, find_cr, &s))) {
		cicd__free(s.hash);
		w->want_revision = NULL;
		if (rc == CICD_ENOMEM || rc == CICD_ECANCELED)
			return rc;
		/* Not allowed to list revisions (RBAC) or the like: every pod counts, as for other kinds. */
		cicd_error_clear();
		return 0;
	}
	w->want_revision = s.hash;
	w->revision_of = cicd__strdup(generation);
	return w->revision_of ? 0 : cicd__error_oom();
}

/* Which pods belong to the revision being rolled out (old pods' troubles do not count). */
static int current_revision(waiter *w, const char *selector)
{
	const cicd_node *obj = cicd_document_root(w->object, 0);
	if (!strcmp(w->kind, "DaemonSet"))
		return daemonset_revision(w, obj, selector);
	if (!strcmp(w->kind, "StatefulSet")) {
		const char *rev = kube__str(kube__path(obj, "status", NULL), "updateRevision");
		cicd__free(w->want_revision);
		w->want_revision = rev ? cicd__strdup(rev) : NULL;
		return 0;
	}
	if (!strcmp(w->kind, "Deployment")) {
		const char *rev = kube__str(kube__path(obj, "metadata", "annotations", NULL), "deployment.kubernetes.io/revision");
		cicd_kube_list_options lo = CICD_KUBE_LIST_OPTIONS_INIT;
		rs_search s;
		int rc;
		if (!rev)
			return 0;
		if (w->revision_of && !strcmp(w->revision_of, rev) && w->want_revision)
			return 0;
		s.revision = rev;
		s.hash = NULL;
		lo.label_selector = selector;
		rc = cicd_kube_list(NULL, w->c, "apps/v1", "ReplicaSet", w->ns, &lo, find_rs, &s);
		if (rc)
			return rc;
		cicd__free(w->want_revision);
		cicd__free(w->revision_of);
		w->want_revision = s.hash;
		w->revision_of = cicd__strdup(rev);
	}
	return 0;
}

/* The first problem of a current pod, or NULL. */
static const pod_issue *blocking_issue(const waiter *w)
{
	const cicd_hashmap_entry *e;
	const pod_issue *best = NULL;
	size_t it = 0;
	while (cicd__hashmap_next(&w->issues, &it, &e)) {
		const pod_issue *i = e->value;
		if (w->want_revision && (!i->revision || strcmp(i->revision, w->want_revision)))
			continue;
		if (!best || strcmp(i->name, best->name) < 0)
			best = i;
	}
	return best;
}

typedef struct tail_state {
	cicd_buf *out;
} tail_state;

static int take_log(const char *data, size_t len, void *payload)
{
	tail_state *t = payload;
	return cicd__buf_put(t->out, data, len);
}

/* Adds the crashing container's last log lines (or why there are none) to msg. */
static void add_logs(cicd_buf *msg, waiter *w, const pod_issue *issue, unsigned int lines)
{
	cicd_kube_log_options lo = CICD_KUBE_LOG_OPTIONS_INIT;
	cicd_buf text = CICD_BUF_INIT;
	tail_state t;
	int rc;
	t.out = &text;
	lo.container = issue->container;
	lo.tail_lines = (long)lines;
	lo.previous = 1;
	lo.limit_bytes = 64 * 1024;
	rc = cicd_kube_logs(w->c, w->ns, issue->name, &lo, take_log, &t);
	if (rc) {
		/* No previous instance's log: try the current one. */
		cicd__buf_clear(&text);
		lo.previous = 0;
		rc = cicd_kube_logs(w->c, w->ns, issue->name, &lo, take_log, &t);
	}
	if (rc) {
		cicd__buf_printf(msg, "; its log could not be read: %s", cicd_error_last()->message);
	} else if (text.size) {
		while (text.size && text.ptr[text.size - 1] == '\n')
			text.ptr[--text.size] = '\0';
		cicd__buf_printf(msg, "; last log lines:\n%s", text.ptr);
	} else {
		cicd__buf_puts(msg, "; its log is empty");
	}
	cicd_buf_dispose(&text);
}

/* "app=web,tier in (a,b)" from a LabelSelector. */
static int selector_string(cicd_buf *out, const cicd_node *sel)
{
	const cicd_node *labels = cicd__node_get(sel, "matchLabels", 11), *exprs = cicd__node_get(sel, "matchExpressions", 16);
	size_t i, j;
	for (i = 0; labels && labels->kind == CICD_NODE_MAPPING && i < labels->count; i++)
		if (cicd__buf_printf(out, "%s%s=%s", out->size ? "," : "", cicd__key_text(labels->u.map.pairs[i].key),
				     cicd__key_text(labels->u.map.pairs[i].value)))
			return CICD_ENOMEM;
	for (i = 0; exprs && exprs->kind == CICD_NODE_SEQUENCE && i < exprs->count; i++) {
		const cicd_node *e = exprs->u.seq.items[i], *values = cicd__node_get(e, "values", 6);
		const char *key = kube__str(e, "key"), *op = kube__str(e, "operator");
		if (!key || !op)
			continue;
		if (out->size && cicd__buf_putc(out, ','))
			return CICD_ENOMEM;
		if (!strcmp(op, "Exists")) {
			if (cicd__buf_puts(out, key))
				return CICD_ENOMEM;
			continue;
		}
		if (!strcmp(op, "DoesNotExist")) {
			if (cicd__buf_printf(out, "!%s", key))
				return CICD_ENOMEM;
			continue;
		}
		if (cicd__buf_printf(out, "%s %s (", key, !strcmp(op, "In") ? "in" : "notin"))
			return CICD_ENOMEM;
		for (j = 0; values && values->kind == CICD_NODE_SEQUENCE && j < values->count; j++)
			if (cicd__buf_printf(out, "%s%s", j ? "," : "", values->u.seq.items[j]->u.scalar.text))
				return CICD_ENOMEM;
		if (cicd__buf_putc(out, ')'))
			return CICD_ENOMEM;
	}
	return 0;
}

/* Reports a new status line; the callback's non-zero value, which stops the wait, or 0. */
static int progress(const cicd_kube_rollout_options *opts, cicd_buf *last, const cicd_buf *now)
{
	if (!now->ptr || (last->ptr && !strcmp(last->ptr, now->ptr)))
		return 0;
	cicd__buf_clear(last);
	cicd__buf_puts(last, now->ptr);
	return opts && opts->progress ? opts->progress(now->ptr, now->size, opts->payload) : 0;
}

int cicd_kube_rollout_wait(cicd_buf *message, cicd_kube_client *c, const char *api_version, const char *kind,
			   const char *namespace_name, const char *name, const cicd_kube_rollout_options *opts)
{
	long timeout_ms = opts && opts->timeout_ms > 0 ? opts->timeout_ms : DEFAULT_TIMEOUT_MS;
	unsigned int log_lines = opts && opts->log_lines ? opts->log_lines : DEFAULT_LOG_LINES;
	double deadline = mono_s() + (double)timeout_ms / 1000.0;
	cicd_kube_watch_options wo = CICD_KUBE_WATCH_OPTIONS_INIT, po = CICD_KUBE_WATCH_OPTIONS_INIT;
	cicd_kube_watch *ws[2] = {NULL, NULL};
	cicd_buf body = CICD_BUF_INIT, field = CICD_BUF_INIT, selector = CICD_BUF_INIT, status = CICD_BUF_INIT,
		 last = CICD_BUF_INIT;
	const kube_resource *res;
	waiter w;
	size_t nwatch = 1;
	int rc;
	if (!c || !kind || !name || !*name)
		return cicd__error_set(CICD_EINVALID, "cicd_kube_rollout_wait: client, kind and name are required");
	if (opts && opts->version != CICD_KUBE_ROLLOUT_OPTIONS_VERSION)
		return cicd__error_set(CICD_EINVALID, "unsupported cicd_kube_rollout_options version %u", opts->version);
	memset(&w, 0, sizeof w);
	w.c = c;
	w.api_version = api_version;
	w.kind = kind;
	w.name = name;
	if ((rc = kube__resource_for(&res, c, api_version, kind)))
		return rc;
	w.ns = kube__namespace_for(c, res, namespace_name);
	if ((rc = cicd_kube_get(&body, c, api_version, kind, w.ns, name)) ||
	    (rc = kube__parse_json(&w.object, body.ptr, body.size, "rollout object")))
		goto done;
	/* The object's own watch starts where the GET left off. */
	wo.resource_version = kube__str(kube__path(cicd_document_root(w.object, 0), "metadata", NULL), "resourceVersion");
	if ((rc = cicd__buf_printf(&field, "metadata.name=%s", name)))
		goto done;
	wo.field_selector = field.ptr;
	wo.bookmarks = 0;
	if ((rc = cicd_kube_watch_new(&ws[0], c, api_version, kind, w.ns, &wo)))
		goto done;
	if (strcmp(kind, "Pod")) {
		const cicd_node *sel = kube__path(cicd_document_root(w.object, 0), "spec", "selector", NULL);
		if (sel && sel->kind == CICD_NODE_MAPPING && (rc = selector_string(&selector, sel)))
			goto done;
		if (selector.size) {
			po.label_selector = selector.ptr;
			po.bookmarks = 0;
			if ((rc = cicd_kube_watch_new(&ws[1], c, "v1", "Pod", w.ns, &po)))
				goto done;
			nwatch = 2;
		}
	}
	for (;;) {
		cicd_kube_rollout_state state;
		cicd_kube_event_type type;
		const cicd_node *obj;
		const pod_issue *issue;
		size_t which;
		long left;
		cicd__buf_clear(&status);
		if ((rc = cicd_kube_rollout_decide(&state, &status, cicd_document_root(w.object, 0))))
			goto done;
		if ((rc = progress(opts, &last, &status)))
			goto done; /* the callback's own value comes back untouched */
		if (state == CICD_KUBE_ROLLOUT_DONE)
			break;
		if (state == CICD_KUBE_ROLLOUT_FAILED) {
			rc = cicd__error_set(CICD_ERROR, "%s", status.ptr);
			goto done;
		}
		if (!strcmp(kind, "Pod") && (rc = note_pod(&w, cicd_document_root(w.object, 0), 0)))
			goto done;
		if (!(opts && opts->keep_waiting) && w.issues.count) {
			if ((rc = current_revision(&w, selector.ptr)))
				goto done;
			if ((issue = blocking_issue(&w)) != NULL) {
				cicd_buf why = CICD_BUF_INIT;
				cicd__buf_printf(&why, "%s %s/%s cannot roll out: %s", kind, w.ns, name, issue->reason);
				if (issue->container)
					add_logs(&why, &w, issue, log_lines);
				cicd__buf_clear(&status);
				cicd__buf_puts(&status, why.ptr ? why.ptr : "");
				rc = cicd__error_set(CICD_ERROR, "%s", why.ptr ? why.ptr : "rollout failed");
				cicd_buf_dispose(&why);
				goto done;
			}
		}
		left = (long)((deadline - mono_s()) * 1000.0);
		if (left <= 0)
			rc = CICD_ETIMEOUT;
		else
			rc = kube__watch_next_any(&which, &type, &obj, ws, nwatch, left);
		if (rc == CICD_ETIMEOUT) {
			const pod_issue *i;
			cicd_buf why = CICD_BUF_INIT;
			current_revision(&w, selector.ptr);
			i = blocking_issue(&w);
			cicd__buf_printf(&why, "%s %s/%s did not roll out within %ld ms: %s%s%s", kind, w.ns, name, timeout_ms,
					 status.ptr ? status.ptr : "", i ? "; " : "", i ? i->reason : "");
			rc = cicd__error_set(CICD_ETIMEOUT, "%s", why.ptr ? why.ptr : "rollout timed out");
			cicd_buf_dispose(&why);
			goto done;
		}
		if (rc)
			goto done;
		if (which == 0) {
			if (type == CICD_KUBE_EVENT_DELETED) {
				rc = cicd__error_set(CICD_ERROR, "%s %s/%s was deleted during the rollout", kind, w.ns, name);
				goto done;
			}
			if (type != CICD_KUBE_EVENT_BOOKMARK && (rc = keep_object(&w, obj)))
				goto done;
		} else if (type != CICD_KUBE_EVENT_BOOKMARK) {
			if ((rc = note_pod(&w, obj, type == CICD_KUBE_EVENT_DELETED)))
				goto done;
		}
	}
done:
	if (message && status.ptr)
		cicd__buf_puts(message, status.ptr);
	cicd_kube_watch_free(ws[0]);
	cicd_kube_watch_free(ws[1]);
	cicd_document_free(w.object);
	{
		const cicd_hashmap_entry *e;
		size_t it = 0;
		while (cicd__hashmap_next(&w.issues, &it, &e))
			issue_free(e->value);
		cicd__hashmap_dispose(&w.issues);
	}
	cicd__free(w.want_revision);
	cicd__free(w.revision_of);
	cicd_buf_dispose(&body);
	cicd_buf_dispose(&field);
	cicd_buf_dispose(&selector);
	cicd_buf_dispose(&status);
	cicd_buf_dispose(&last);
	return rc;
}

/*
 * Watches: a long GET with ?watch=1 streaming one JSON event a line. Each
 * request ends after server_timeout_seconds (or when the connection drops)
 * and is resumed from the last resourceVersion seen; an expired
 * resourceVersion (410 Gone, as a status or an ERROR event) makes the watch
 * list the kind again, hand out every object as a SYNC event, and go on
 * from the list's resourceVersion. All watches of a client share one multi
 * handle, so a caller can wait on several at once (kube__watch_next_any).
 */
#include <string.h>
#include <time.h>

#include "core/alloc.h"
#include "core/document.h"
#include "core/error.h"
#include "core/log.h"
#include "kube_internal.h"

#define DEFAULT_SERVER_TIMEOUT 300
#define MAX_LINE (64u << 20)

struct cicd_kube_watch {
	struct cicd_kube_client *client;
	char *api_version, *kind;
	char *collection; /* path of the collection */
	char *label_selector, *field_selector;
	int bookmarks;
	long server_timeout;
	cicd_buf rv;
	kube_request req;
	int active;      /* req is on the stream multi */
	int ended;       /* req finished; restart on the next call */
	cicd_buf pending; /* bytes after the last newline */
	cicd_vec lines;   /* complete event lines (char *) */
	size_t line_next;
	cicd_document *current;
	cicd_vec sync_docs; /* list pages of a re-list */
	cicd_vec sync_items; /* cicd_node * of those pages */
	size_t sync_next;
	int need_list;
	unsigned int relists;
	int failures;
	double retry_at;
};

int cicd_kube_watch_options_init(cicd_kube_watch_options *opts, unsigned int version)
{
	static const cicd_kube_watch_options init = CICD_KUBE_WATCH_OPTIONS_INIT;
	if (!opts || version != CICD_KUBE_WATCH_OPTIONS_VERSION)
		return cicd__error_set(CICD_EINVALID, "unsupported cicd_kube_watch_options version %u", version);
	*opts = init;
	return 0;
}

static double mono_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int on_bytes(const char *data, size_t len, void *payload)
{
	cicd_kube_watch *w = payload;
	size_t i, start = 0;
	for (i = 0; i < len; i++) {
		if (data[i] != '\n')
			continue;
		if (cicd__buf_put(&w->pending, data + start, i - start))
			return CICD_ENOMEM;
		if (w->pending.size) {
			char *line = cicd__buf_detach(&w->pending);
			if (!line || cicd__vec_push(&w->lines, line)) {
				cicd__free(line);
				return CICD_ENOMEM;
			}
		}
		start = i + 1;
	}
	if (start < len && cicd__buf_put(&w->pending, data + start, len - start))
		return CICD_ENOMEM;
	if (w->pending.size > MAX_LINE)
		return CICD_ELIMIT;
	return 0;
}

static void clear_sync(cicd_kube_watch *w)
{
	cicd__vec_dispose_with(&w->sync_docs, (void (*)(void *))cicd_document_free);
	cicd__vec_dispose(&w->sync_items);
	w->sync_next = 0;
}

static void stop_request(cicd_kube_watch *w)
{
	if (w->active && w->req.easy) {
		curl_multi_remove_handle(w->client->stream_multi, w->req.easy);
	}
	w->active = 0;
	kube__request_dispose(&w->req);
	cicd_buf_dispose(&w->pending);
}

static int add_selectors(cicd_buf *path, const cicd_kube_watch *w)
{
	int rc = 0;
	if (w->label_selector && *w->label_selector)
		rc = cicd__buf_puts(path, "&labelSelector") || cicd__buf_putc(path, '=') ||
		     kube__buf_put_query(path, w->label_selector);
	if (!rc && w->field_selector && *w->field_selector)
		rc = cicd__buf_puts(path, "&fieldSelector=") || kube__buf_put_query(path, w->field_selector);
	return rc ? CICD_ENOMEM : 0;
}

/* Lists the collection again; every item becomes a SYNC event. */
static int relist(cicd_kube_watch *w)
{
	cicd_buf path = CICD_BUF_INIT, cont = CICD_BUF_INIT;
	int rc = 0;
	clear_sync(w);
	do {
		kube_request req;
		cicd_document *doc = NULL;
		const cicd_node *root, *items;
		const char *next, *rv;
		size_t i;
		cicd__buf_clear(&path);
		if (cicd__buf_printf(&path, "%s?limit=500", w->collection) || add_selectors(&path, w) ||
		    (cont.size && (cicd__buf_puts(&path, "&continue=") || kube__buf_put_query(&path, cont.ptr)))) {
			rc = CICD_ENOMEM;
			break;
		}
		if ((rc = kube__request_init(&req, w->client, "GET", path.ptr)))
			break;
		rc = kube__http_one(w->client, &req);
		if (!rc && req.status != 200)
			rc = kube__status_error(&req, "watch: listing again");
		if (!rc)
			rc = kube__parse_json(&doc, req.body_out.ptr, req.body_out.size, "list");
		kube__request_dispose(&req);
		if (rc)
			break;
		if (cicd__vec_push(&w->sync_docs, doc)) {
			cicd_document_free(doc);
			rc = CICD_ENOMEM;
			break;
		}
		root = cicd_document_root(doc, 0);
		items = cicd__node_get(root, "items", 5);
		for (i = 0; items && items->kind == CICD_NODE_SEQUENCE && i < items->count && !rc; i++) {
			union {
				const cicd_node *c;
				void *m;
			} u;
			u.c = items->u.seq.items[i];
			rc = cicd__vec_push(&w->sync_items, u.m);
		}
		next = kube__str(kube__path(root, "metadata", NULL), "continue");
		rv = kube__str(kube__path(root, "metadata", NULL), "resourceVersion");
		cicd__buf_clear(&cont);
		if (!rc && next && *next)
			rc = cicd__buf_puts(&cont, next);
		if (!rc && rv) {
			cicd__buf_clear(&w->rv);
			rc = cicd__buf_puts(&w->rv, rv);
		}
	} while (!rc && cont.size);
	cicd_buf_dispose(&path);
	cicd_buf_dispose(&cont);
	if (!rc)
		w->need_list = 0;
	return rc;
}

static int start_request(cicd_kube_watch *w)
{
	cicd_buf path = CICD_BUF_INIT;
	int rc;
	stop_request(w);
	if (cicd__buf_printf(&path, "%s?watch=1&timeoutSeconds=%ld", w->collection, w->server_timeout) ||
	    (w->bookmarks && cicd__buf_puts(&path, "&allowWatchBookmarks=true")) ||
	    (w->rv.size && (cicd__buf_puts(&path, "&resourceVersion=") || kube__buf_put_query(&path, w->rv.ptr))) ||
	    add_selectors(&path, w)) {
		cicd_buf_dispose(&path);
		return CICD_ENOMEM;
	}
	rc = kube__request_init(&w->req, w->client, "GET", path.ptr);
	cicd_buf_dispose(&path);
	if (rc)
		return rc;
	w->req.stream = 1;
	w->req.on_data = on_bytes;
	w->req.payload = w;
	w->req.accept = "application/json";
	w->req.easy = kube__easy_new(w->client, &w->req);
	if (!w->req.easy)
		return cicd_error_last()->code ? cicd_error_last()->code : CICD_ERROR;
	if (curl_multi_add_handle(w->client->stream_multi, w->req.easy) != CURLM_OK)
		return cicd__error_set(CICD_EHTTP, "cannot start a watch request");
	w->active = 1;
	w->ended = 0;
	return 0;
}

int cicd_kube_watch_new(cicd_kube_watch **out, cicd_kube_client *c, const char *api_version, const char *kind,
			const char *namespace_name, const cicd_kube_watch_options *opts)
{
	const kube_resource *res;
	cicd_kube_watch *w;
	cicd_buf path = CICD_BUF_INIT;
	int rc;
	if (!out || !c)
		return cicd__error_set(CICD_EINVALID, "cicd_kube_watch_new: out and client are required");
	*out = NULL;
	if (opts && opts->version != CICD_KUBE_WATCH_OPTIONS_VERSION)
		return cicd__error_set(CICD_EINVALID, "unsupported cicd_kube_watch_options version %u", opts->version);
	if ((rc = kube__resource_for(&res, c, api_version, kind)))
		return rc;
	if ((rc = kube__object_path(&path, c, res, namespace_name, NULL)))
		return rc;
	w = cicd__calloc(1, sizeof *w);
	if (!w) {
		cicd_buf_dispose(&path);
		return cicd__error_oom();
	}
	w->client = c;
	w->collection = cicd__buf_detach(&path);
	w->api_version = cicd__strdup(api_version);
	w->kind = cicd__strdup(kind);
	w->label_selector = opts && opts->label_selector ? cicd__strdup(opts->label_selector) : NULL;
	w->field_selector = opts && opts->field_selector ? cicd__strdup(opts->field_selector) : NULL;
	w->bookmarks = opts ? opts->bookmarks : 1;
	w->server_timeout = opts && opts->server_timeout_seconds > 0 ? opts->server_timeout_seconds : DEFAULT_SERVER_TIMEOUT;
	if (!w->collection || !w->api_version || !w->kind || (opts && opts->label_selector && !w->label_selector) ||
	    (opts && opts->field_selector && !w->field_selector)) {
		cicd_kube_watch_free(w);
		return cicd__error_oom();
	}
	if (opts && opts->resource_version && *opts->resource_version) {
		if (cicd__buf_puts(&w->rv, opts->resource_version)) {
			cicd_kube_watch_free(w);
			return CICD_ENOMEM;
		}
	} else {
		w->need_list = 1;
	}
	*out = w;
	return 0;
}

/* Finished transfers of the shared multi go back to their watches. */
static void collect_done(struct cicd_kube_client *c)
{
	CURLMsg *m;
	int msgs;
	while ((m = curl_multi_info_read(c->stream_multi, &msgs)) != NULL) {
		kube_request *r = NULL;
		cicd_kube_watch *w;
		if (m->msg != CURLMSG_DONE)
			continue;
		curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, (char **)&r);
		curl_multi_remove_handle(c->stream_multi, m->easy_handle);
		w = r->payload;
		w->active = 0;
		w->ended = 1;
		curl_easy_getinfo(r->easy, CURLINFO_RESPONSE_CODE, &r->status);
		r->rc = m->data.result == CURLE_OK ? 0 : (int)m->data.result + 1000; /* marks a transport failure */
		if (m->data.result == CURLE_WRITE_ERROR && r->stopped_by)
			r->rc = r->stopped_by;
	}
}

/* Turns the next queued line or sync item into an event; 1 when one was produced, 0 if none, <0 on error. */
static int take_event(cicd_kube_watch *w, cicd_kube_event_type *type, const cicd_node **object)
{
	while (w->sync_next < w->sync_items.count) {
		*type = CICD_KUBE_EVENT_SYNC;
		*object = w->sync_items.items[w->sync_next++];
		return 1;
	}
	while (w->line_next < w->lines.count) {
		char *line = w->lines.items[w->line_next];
		cicd_document *doc = NULL;
		const cicd_node *root, *obj;
		const char *t, *rv;
		w->lines.items[w->line_next++] = NULL;
		if (kube__parse_json(&doc, line, strlen(line), "watch event")) {
			cicd__free(line);
			return cicd_error_last()->code;
		}
		cicd__free(line);
		root = cicd_document_root(doc, 0);
		t = kube__str(root, "type");
		obj = cicd__node_get(root, "object", 6);
		if (!t || !obj) {
			cicd_document_free(doc);
			continue;
		}
		if (!strcmp(t, "ERROR")) {
			long long code = kube__int(cicd__node_get(obj, "code", 4), 0);
			const char *msg = kube__str(obj, "message");
			int rc;
			if (code == 410) {
				cicd_document_free(doc);
				w->need_list = 1;
				stop_request(w);
				return 0;
			}
			rc = cicd__error_set(code == 401 || code == 403 ? CICD_EAUTH : CICD_EHTTP, "watch %s: %s", w->kind,
					     msg ? msg : "error event");
			cicd_document_free(doc);
			return rc;
		}
		rv = kube__str(kube__path(obj, "metadata", NULL), "resourceVersion");
		if (rv) {
			cicd__buf_clear(&w->rv);
			if (cicd__buf_puts(&w->rv, rv)) {
				cicd_document_free(doc);
				return CICD_ENOMEM;
			}
		}
		if (!strcmp(t, "BOOKMARK") && !w->bookmarks) {
			cicd_document_free(doc);
			continue;
		}
		*type = !strcmp(t, "ADDED")      ? CICD_KUBE_EVENT_ADDED
			: !strcmp(t, "MODIFIED") ? CICD_KUBE_EVENT_MODIFIED
			: !strcmp(t, "DELETED")  ? CICD_KUBE_EVENT_DELETED
						 : CICD_KUBE_EVENT_BOOKMARK;
		cicd_document_free(w->current);
		w->current = doc;
		*object = obj;
		return 1;
	}
	/* Every queued line was used: drop them. */
	cicd__vec_dispose_with(&w->lines, cicd__free);
	w->line_next = 0;
	return 0;
}

/* Restarts a finished request (or re-lists); 0 or an error. */
static int restart(cicd_kube_watch *w)
{
	long status = w->req.status;
	int transport = w->req.rc >= 1000 ? w->req.rc - 1000 : 0;
	if (w->ended && w->req.rc && !transport)
		return w->req.rc; /* stopped by an allocation failure or the line limit */
	if (w->ended && status == 410) {
		w->need_list = 1;
	} else if (w->ended && status && status != 200) {
		int rc = kube__status_error(&w->req, "watch");
		stop_request(w);
		return rc;
	} else if (w->ended && transport) {
		/* The connection dropped: back off a little, then resume from the last resourceVersion. */
		w->failures++;
		if (w->failures > 10)
			return cicd__error_set(CICD_EHTTP, "watch %s: the connection keeps failing (%s)", w->kind,
					       curl_easy_strerror((CURLcode)transport));
		w->retry_at = mono_s() + 0.2 * w->failures;
	} else if (w->ended) {
		w->failures = 0;
	}
	stop_request(w);
	if (w->need_list) {
		int rc;
		if (w->rv.size || w->relists)
			w->relists++;
		cicd__buf_clear(&w->rv);
		if ((rc = relist(w)))
			return rc;
	}
	if (w->retry_at > mono_s())
		return 0;
	return start_request(w);
}

int kube__watch_next_any(size_t *which, cicd_kube_event_type *type, const cicd_node **object, cicd_kube_watch **ws,
			 size_t n, long timeout_ms)
{
	double deadline = timeout_ms < 0 ? 0 : mono_s() + (double)timeout_ms / 1000.0;
	struct cicd_kube_client *c;
	size_t i;
	if (!n)
		return cicd__error_set(CICD_EINVALID, "no watch given");
	c = ws[0]->client;
	for (;;) {
		int running = 0;
		double wait;
		if (kube__canceled(c))
			return kube__cancel_error();
		for (i = 0; i < n; i++) {
			cicd_kube_watch *w = ws[i];
			int rc = take_event(w, type, object);
			if (rc < 0)
				return rc;
			if (rc > 0) {
				*which = i;
				return 0;
			}
			if (!w->active && (!w->retry_at || w->retry_at <= mono_s())) {
				w->retry_at = 0;
				if ((rc = restart(w)))
					return rc;
				if (w->sync_next < w->sync_items.count) {
					i--; /* deliver the fresh SYNC events first */
					continue;
				}
			}
		}
		if (timeout_ms >= 0 && mono_s() >= deadline)
			return cicd__error_set(CICD_ETIMEOUT, "no watch event within %ld ms", timeout_ms);
		wait = timeout_ms < 0 ? 1.0 : deadline - mono_s();
		if (wait > 1.0)
			wait = 1.0;
		if (wait < 0)
			wait = 0;
		curl_multi_poll(c->stream_multi, NULL, 0, (int)(wait * 1000.0) + 1, NULL);
		curl_multi_perform(c->stream_multi, &running);
		collect_done(c);
	}
}

int cicd_kube_watch_next(cicd_kube_event_type *type, const cicd_node **object, cicd_kube_watch *w, long timeout_ms)
{
	size_t which;
	if (!type || !object || !w)
		return cicd__error_set(CICD_EINVALID, "cicd_kube_watch_next: type, object and watch are required");
	return kube__watch_next_any(&which, type, object, &w, 1, timeout_ms);
}

const char *cicd_kube_watch_resource_version(const cicd_kube_watch *w)
{
	return w && w->rv.ptr ? w->rv.ptr : "";
}

unsigned int cicd_kube_watch_relists(const cicd_kube_watch *w)
{
	return w ? w->relists : 0;
}

void cicd_kube_watch_free(cicd_kube_watch *w)
{
	if (!w)
		return;
	stop_request(w);
	clear_sync(w);
	cicd__vec_dispose_with(&w->lines, cicd__free);
	cicd_document_free(w->current);
	cicd_buf_dispose(&w->rv);
	cicd__free(w->collection);
	cicd__free(w->api_version);
	cicd__free(w->kind);
	cicd__free(w->label_selector);
	cicd__free(w->field_selector);
	cicd__free(w);
}

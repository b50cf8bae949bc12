/*
 * kube: kubeconfig loading, a client, its calls (resolve, get, list, create,
 * delete, apply, apply sets, watches, logs, rollout waits) and the pure
 * rollout and pod-problem decisions. Calls that may reach the network
 * release the GIL; callbacks take it back for each call into Python, and the
 * first exception a callable raises stops the C call and is raised when it
 * returns. Objects from the server come back as JSON text (json.loads in
 * kube.py), copied before the C call moves on. Options come as arguments;
 * out parameters become Python values in shims.
 */
%{
#include <cicd/kube.h>
%}

CICD_OUT(cicd_kube_config)
CICD_OUT(cicd_kube_client)
CICD_OUT(cicd_kube_watch)

/* Bound through the shims below: options structs, out parameters and callbacks. */
%ignore cicd_kube_apply;
%ignore cicd_kube_apply_action_name;
%ignore cicd_kube_apply_manifests;
%ignore cicd_kube_apply_options_init;
%ignore cicd_kube_apply_set;
%ignore cicd_kube_client_new;
%ignore cicd_kube_client_options_init;
%ignore cicd_kube_config_load;
%ignore cicd_kube_config_options_init;
%ignore cicd_kube_config_parse;
%ignore cicd_kube_create;
%ignore cicd_kube_delete;
%ignore cicd_kube_delete_options_init;
%ignore cicd_kube_get;
%ignore cicd_kube_list;
%ignore cicd_kube_list_options_init;
%ignore cicd_kube_log_options_init;
%ignore cicd_kube_logs;
%ignore cicd_kube_pod_problem;
%ignore cicd_kube_resolve;
%ignore cicd_kube_rollout_decide;
%ignore cicd_kube_rollout_options_init;
%ignore cicd_kube_rollout_wait;
%ignore cicd_kube_watch_new;
%ignore cicd_kube_watch_next;
%ignore cicd_kube_watch_options_init;
%ignore cicd_kube_config_options;
%ignore cicd_kube_client_options;
%ignore cicd_kube_list_options;
%ignore cicd_kube_delete_options;
%ignore cicd_kube_apply_options;
%ignore cicd_kube_apply_item;
%ignore cicd_kube_watch_options;
%ignore cicd_kube_log_options;
%ignore cicd_kube_rollout_options;
%ignore cicd_kube_client_free;
%ignore cicd_kube_item_cb;
%ignore cicd_kube_apply_cb;
%ignore cicd_kube_data_cb;

%immutable;
%include <cicd/kube.h>
%mutable;

%inline %{
int cicd_py_kube_config_load(cicd_kube_config **out, const char *kubeconfig, unsigned int flags, const char *context,
			     const char *namespace_name, const char *service_account_dir, size_t max_bytes)
{
	cicd_kube_config_options o = CICD_KUBE_CONFIG_OPTIONS_INIT;
	int rc;
	o.flags = flags;
	o.kubeconfig = kubeconfig;
	o.context = context;
	o.namespace_name = namespace_name;
	o.service_account_dir = service_account_dir;
	o.max_bytes = max_bytes;
	Py_BEGIN_ALLOW_THREADS
	rc = cicd_kube_config_load(out, &o);
	Py_END_ALLOW_THREADS
	return rc;
}

int cicd_py_kube_config_parse(cicd_kube_config **out, const char *buf, size_t len, const char *name,
			      const char *context, const char *namespace_name)
{
	cicd_kube_config_options o = CICD_KUBE_CONFIG_OPTIONS_INIT;
	o.context = context;
	o.namespace_name = namespace_name;
	return cicd_kube_config_parse(out, buf, len, name, &o);
}

int cicd_py_kube_client_new(cicd_kube_client **out, const cicd_kube_config *cfg, long timeout_ms,
			    long connect_timeout_ms, int max_retries, unsigned int parallel, size_t max_response_bytes,
			    const char *user_agent)
{
	cicd_kube_client_options o = CICD_KUBE_CLIENT_OPTIONS_INIT;
	int rc = cicd_init();
	if (rc < 0)
		return rc;
	o.timeout_ms = timeout_ms;
	o.connect_timeout_ms = connect_timeout_ms;
	o.max_retries = max_retries;
	o.parallel = parallel;
	o.max_response_bytes = max_response_bytes;
	o.user_agent = user_agent;
	rc = cicd_kube_client_new(out, cfg, &o);
	/* the client keeps libcurl initialised; a failed creation gives its reference back */
	if (rc < 0)
		cicd_shutdown();
	return rc;
}

void cicd_py_kube_client_free(cicd_kube_client *client)
{
	if (!client)
		return;
	cicd_kube_client_free(client);
	cicd_shutdown();
}

/* [status, state, message] */
PyObject *cicd_py_kube_rollout_decide(const cicd_node *object)
{
	cicd_kube_rollout_state state = CICD_KUBE_ROLLOUT_PROGRESSING;
	cicd_buf msg = CICD_BUF_INIT;
	int rc = cicd_kube_rollout_decide(&state, &msg, object);
	PyObject *m = PyUnicode_DecodeUTF8(msg.ptr ? msg.ptr : "", (Py_ssize_t)msg.size, "surrogateescape");
	cicd_buf_dispose(&msg);
	return m ? Py_BuildValue("[iiN]", rc, (int)state, m) : NULL;
}

/* [status, reason, container] */
PyObject *cicd_py_kube_pod_problem(const cicd_node *pod)
{
	cicd_buf reason = CICD_BUF_INIT, container = CICD_BUF_INIT;
	int rc = cicd_kube_pod_problem(&reason, &container, pod);
	PyObject *r = PyUnicode_DecodeUTF8(reason.ptr ? reason.ptr : "", (Py_ssize_t)reason.size, "surrogateescape");
	PyObject *c = PyUnicode_DecodeUTF8(container.ptr ? container.ptr : "", (Py_ssize_t)container.size,
					   "surrogateescape");
	cicd_buf_dispose(&reason);
	cicd_buf_dispose(&container);
	if (!r || !c) {
		Py_XDECREF(r);
		Py_XDECREF(c);
		return NULL;
	}
	return Py_BuildValue("[iNN]", rc, r, c);
}
%}

%{
/* What a callback into Python needs: the callable, the first exception it raised (the C call is
 * stopped by it and it is raised when the call returns), and whether it asked to stop. */
typedef struct {
	PyObject *fn;
	PyObject *list; /* list calls: where item JSON texts go */
	cicd_kube_client *client;
	PyObject *etype, *evalue, *etb;
	int stopped;
} cicd_py_kube_cb;

#define CICD_PY_KUBE_STOP 1 /* what a callback returns to stop the C call; never a CICD_E* code */

static void cicd_py_kube_cb_init(cicd_py_kube_cb *ctx, PyObject *fn, cicd_kube_client *client)
{
	memset(ctx, 0, sizeof *ctx);
	ctx->fn = fn == Py_None ? NULL : fn;
	ctx->client = client;
}

/* With the GIL: keeps the raised exception (the first one wins); returns the stop code. */
static int cicd_py_kube_cb_fail(cicd_py_kube_cb *ctx)
{
	if (!ctx->etype)
		PyErr_Fetch(&ctx->etype, &ctx->evalue, &ctx->etb);
	else
		PyErr_Clear();
	return CICD_PY_KUBE_STOP;
}

/* With the GIL: raises the kept exception; 1 when there was one. */
static int cicd_py_kube_cb_raise(cicd_py_kube_cb *ctx)
{
	if (!ctx->etype)
		return 0;
	PyErr_Restore(ctx->etype, ctx->evalue, ctx->etb);
	ctx->etype = ctx->evalue = ctx->etb = NULL;
	return 1;
}

static void cicd_py_kube_cancel(void *client)
{
	cicd_kube_client_cancel(client);
}

static void cicd_py_kube_cancel_clear(void *client)
{
	cicd_kube_client_cancel_clear(client);
}

/* With the GIL, before a call that may block: Ctrl-C cancels it (see sigint.i). */
static void cicd_py_kube_arm(cicd_py_sigint_guard *g, cicd_kube_client *client)
{
	cicd_py_sigint_arm(g, cicd_py_kube_cancel, cicd_py_kube_cancel_clear, client);
}

/* With the GIL, after it: 1 with an exception set when Ctrl-C's handler or the callback raised
 * (Ctrl-C wins: the callback's exception is dropped). */
static int cicd_py_kube_finish(cicd_py_sigint_guard *g, cicd_py_kube_cb *ctx)
{
	if (cicd_py_sigint_disarm(g) < 0) {
		if (ctx) {
			Py_CLEAR(ctx->etype);
			Py_CLEAR(ctx->evalue);
			Py_CLEAR(ctx->etb);
		}
		return 1;
	}
	return ctx ? cicd_py_kube_cb_raise(ctx) : 0;
}

/* A node's JSON as str (without the GIL for the rendering); NULL with an exception set. */
static PyObject *cicd_py_kube_node_json(const cicd_node *node, int *rc)
{
	cicd_buf buf = CICD_BUF_INIT;
	PyObject *s;
	*rc = cicd_node_to_json(&buf, node, 0);
	s = PyUnicode_DecodeUTF8(buf.ptr ? buf.ptr : "", (Py_ssize_t)buf.size, "surrogateescape");
	cicd_buf_dispose(&buf);
	return s;
}

static PyObject *cicd_py_kube_str(cicd_buf *buf)
{
	PyObject *s = PyUnicode_DecodeUTF8(buf->ptr ? buf->ptr : "", (Py_ssize_t)buf->size, "surrogateescape");
	cicd_buf_dispose(buf);
	return s;
}

/* [status, text] from a reply's body (consumed); NULL with an exception set. */
static PyObject *cicd_py_kube_result(int rc, cicd_buf *body)
{
	PyObject *s = cicd_py_kube_str(body);
	return s ? Py_BuildValue("[iN]", rc, s) : NULL;
}

/* Called without the GIL: each listed item's JSON goes into ctx->list; Ctrl-C stops the listing. */
static int cicd_py_kube_list_item(const cicd_node *item, void *payload)
{
	cicd_py_kube_cb *ctx = payload;
	cicd_buf buf = CICD_BUF_INIT;
	int rc = cicd_node_to_json(&buf, item, 0);
	PyGILState_STATE g;
	if (rc < 0) {
		cicd_buf_dispose(&buf);
		return rc;
	}
	g = PyGILState_Ensure();
	{
		PyObject *s = cicd_py_kube_str(&buf);
		if (!s || PyList_Append(ctx->list, s) < 0 || PyErr_CheckSignals() < 0)
			rc = cicd_py_kube_cb_fail(ctx);
		Py_XDECREF(s);
	}
	PyGILState_Release(g);
	return rc;
}

/* Called without the GIL: (api_version, kind, namespace, name, action, error, message, file, line). */
static int cicd_py_kube_apply_item(const cicd_kube_apply_item *item, void *payload)
{
	cicd_py_kube_cb *ctx = payload;
	PyGILState_STATE g = PyGILState_Ensure();
	int rc = 0;
	PyObject *r = PyObject_CallFunction(ctx->fn, "(sssszissI)", item->api_version, item->kind, item->namespace_name,
					    item->name, item->error ? NULL : cicd_kube_apply_action_name(item->action),
					    item->error, item->message, item->file, item->line);
	if (!r || PyErr_CheckSignals() < 0)
		rc = cicd_py_kube_cb_fail(ctx);
	Py_XDECREF(r);
	PyGILState_Release(g);
	return rc;
}

/* Called without the GIL: log bytes to the callable; a truthy return stops the stream. */
static int cicd_py_kube_data(const char *data, size_t len, void *payload)
{
	cicd_py_kube_cb *ctx = payload;
	PyGILState_STATE g = PyGILState_Ensure();
	int rc = 0;
	PyObject *b = PyBytes_FromStringAndSize(data, (Py_ssize_t)len);
	PyObject *r = b ? PyObject_CallFunctionObjArgs(ctx->fn, b, NULL) : NULL;
	Py_XDECREF(b);
	if (!r || PyErr_CheckSignals() < 0) {
		rc = cicd_py_kube_cb_fail(ctx);
	} else {
		int truth = PyObject_IsTrue(r);
		if (truth < 0) {
			rc = cicd_py_kube_cb_fail(ctx);
		} else if (truth) {
			ctx->stopped = 1;
			rc = CICD_PY_KUBE_STOP;
		}
	}
	Py_XDECREF(r);
	PyGILState_Release(g);
	return rc;
}

/* Called without the GIL: a rollout's progress message as str; an exception (or Ctrl-C) stops the wait. */
static int cicd_py_kube_progress(const char *data, size_t len, void *payload)
{
	cicd_py_kube_cb *ctx = payload;
	PyGILState_STATE g = PyGILState_Ensure();
	PyObject *r = NULL;
	int rc = 0;
	if (ctx->fn) {
		PyObject *m = PyUnicode_DecodeUTF8(data, (Py_ssize_t)len, "surrogateescape");
		r = m ? PyObject_CallFunctionObjArgs(ctx->fn, m, NULL) : NULL;
		Py_XDECREF(m);
	}
	if ((ctx->fn && !r) || PyErr_CheckSignals() < 0)
		rc = cicd_py_kube_cb_fail(ctx);
	Py_XDECREF(r);
	PyGILState_Release(g);
	return rc;
}
%}

%inline %{
/* [status, object JSON] */
PyObject *cicd_py_kube_get(cicd_kube_client *client, const char *api_version, const char *kind,
			   const char *namespace_name, const char *name)
{
	cicd_buf out = CICD_BUF_INIT;
	cicd_py_sigint_guard g;
	int rc;
	cicd_py_kube_arm(&g, client);
	Py_BEGIN_ALLOW_THREADS
	rc = cicd_kube_get(&out, client, api_version, kind, namespace_name, name);
	Py_END_ALLOW_THREADS
	if (cicd_py_kube_finish(&g, NULL)) {
		cicd_buf_dispose(&out);
		return NULL;
	}
	return cicd_py_kube_result(rc, &out);
}

/* [status, api_version, kind, namespaced] */
PyObject *cicd_py_kube_resolve(cicd_kube_client *client, const char *name)
{
	cicd_buf av = CICD_BUF_INIT, kind = CICD_BUF_INIT;
	int namespaced = 0, rc;
	PyObject *a, *k;
	cicd_py_sigint_guard g;
	cicd_py_kube_arm(&g, client);
	Py_BEGIN_ALLOW_THREADS
	rc = cicd_kube_resolve(&av, &kind, &namespaced, client, name);
	Py_END_ALLOW_THREADS
	if (cicd_py_kube_finish(&g, NULL)) {
		cicd_buf_dispose(&av);
		cicd_buf_dispose(&kind);
		return NULL;
	}
	a = cicd_py_kube_str(&av);
	k = cicd_py_kube_str(&kind);
	if (!a || !k) {
		Py_XDECREF(a);
		Py_XDECREF(k);
		return NULL;
	}
	return Py_BuildValue("[iNNO]", rc, a, k, namespaced ? Py_True : Py_False);
}

/* [status, resource_version, [item JSON]] */
PyObject *cicd_py_kube_list(cicd_kube_client *client, const char *api_version, const char *kind,
			    const char *namespace_name, const char *label_selector, const char *field_selector,
			    unsigned int page_size, int all_namespaces)
{
	cicd_kube_list_options o = CICD_KUBE_LIST_OPTIONS_INIT;
	cicd_buf rv = CICD_BUF_INIT;
	cicd_py_sigint_guard g;
	cicd_py_kube_cb ctx;
	PyObject *s;
	int rc;
	cicd_py_kube_cb_init(&ctx, Py_None, client);
	o.label_selector = label_selector;
	o.field_selector = field_selector;
	o.page_size = page_size;
	o.all_namespaces = all_namespaces;
	if (!(ctx.list = PyList_New(0)))
		return NULL;
	cicd_py_kube_arm(&g, client);
	Py_BEGIN_ALLOW_THREADS
	rc = cicd_kube_list(&rv, client, api_version, kind, namespace_name, &o, cicd_py_kube_list_item, &ctx);
	Py_END_ALLOW_THREADS
	s = cicd_py_kube_str(&rv);
	if (cicd_py_kube_finish(&g, &ctx) || !s) {
		Py_XDECREF(s);
		Py_DECREF(ctx.list);
		return NULL;
	}
	return Py_BuildValue("[iNN]", rc, s, ctx.list);
}

/* [status, stored object JSON] */
PyObject *cicd_py_kube_create(cicd_kube_client *client, const char *buf, size_t len)
{
	cicd_buf out = CICD_BUF_INIT;
	cicd_py_sigint_guard g;
	int rc;
	cicd_py_kube_arm(&g, client);
	Py_BEGIN_ALLOW_THREADS
	rc = cicd_kube_create(&out, client, buf, len);
	Py_END_ALLOW_THREADS
	if (cicd_py_kube_finish(&g, NULL)) {
		cicd_buf_dispose(&out);
		return NULL;
	}
	return cicd_py_kube_result(rc, &out);
}

/* [status] */
PyObject *cicd_py_kube_delete(cicd_kube_client *client, const char *api_version, const char *kind,
			const char *namespace_name, const char *name, int propagation, long grace_period_seconds,
			int dry_run)
{
	cicd_kube_delete_options o = CICD_KUBE_DELETE_OPTIONS_INIT;
	cicd_py_sigint_guard g;
	int rc;
	o.propagation = (cicd_kube_propagation)propagation;
	o.grace_period_seconds = grace_period_seconds;
	o.dry_run = dry_run;
	cicd_py_kube_arm(&g, client);
	Py_BEGIN_ALLOW_THREADS
	rc = cicd_kube_delete(client, api_version, kind, namespace_name, name, &o);
	Py_END_ALLOW_THREADS
	if (cicd_py_kube_finish(&g, NULL))
		return NULL;
	return Py_BuildValue("[i]", rc);
}

/* [status, action name, object JSON] */
PyObject *cicd_py_kube_apply(cicd_kube_client *client, const cicd_node *object, const char *field_manager, int force,
			     int dry_run, const char *namespace_name)
{
	cicd_kube_apply_options o = CICD_KUBE_APPLY_OPTIONS_INIT;
	cicd_kube_apply_action action = 0;
	cicd_buf out = CICD_BUF_INIT;
	cicd_py_sigint_guard g;
	PyObject *s;
	int rc;
	o.field_manager = field_manager;
	o.force = force;
	o.dry_run = dry_run;
	o.namespace_name = namespace_name;
	cicd_py_kube_arm(&g, client);
	Py_BEGIN_ALLOW_THREADS
	rc = cicd_kube_apply(&action, &out, client, object, &o);
	Py_END_ALLOW_THREADS
	if (cicd_py_kube_finish(&g, NULL)) {
		cicd_buf_dispose(&out);
		return NULL;
	}
	s = cicd_py_kube_str(&out);
	if (!s)
		return NULL;
	return Py_BuildValue("[isN]", rc, rc < 0 ? "" : cicd_kube_apply_action_name(action), s);
}

/* [status]; documents: a list of document handles (apply_set) or None with a manifest set. */
PyObject *cicd_py_kube_apply_set(cicd_kube_client *client, PyObject *documents, cicd_manifest_set *set,
				 const char *field_manager, int force, int dry_run, const char *namespace_name,
				 long wait_established_ms, PyObject *on_item)
{
	cicd_kube_apply_options o = CICD_KUBE_APPLY_OPTIONS_INIT;
	const cicd_document **docs = NULL;
	cicd_py_sigint_guard g;
	cicd_py_kube_cb ctx;
	Py_ssize_t i, n = 0;
	int rc;
	cicd_py_kube_cb_init(&ctx, on_item, client);
	o.field_manager = field_manager;
	o.force = force;
	o.dry_run = dry_run;
	o.namespace_name = namespace_name;
	o.wait_established_ms = wait_established_ms;
	if (documents != Py_None) {
		if ((n = PyList_Size(documents)) < 0)
			return NULL;
		if (!(docs = calloc((size_t)n + 1, sizeof *docs)))
			return PyErr_NoMemory();
		for (i = 0; i < n; i++) {
			void *p = NULL;
			if (!SWIG_IsOK(SWIG_ConvertPtr(PyList_GET_ITEM(documents, i), &p, SWIGTYPE_p_cicd_document, 0)) ||
			    !p) {
				free(docs);
				PyErr_SetString(PyExc_TypeError, "expected document handles");
				return NULL;
			}
			docs[i] = p;
		}
	}
	cicd_py_kube_arm(&g, client);
	Py_BEGIN_ALLOW_THREADS
	rc = docs || !set ? cicd_kube_apply_set(client, docs, (size_t)n, &o, ctx.fn ? cicd_py_kube_apply_item : NULL, &ctx)
			  : cicd_kube_apply_manifests(client, set, &o, ctx.fn ? cicd_py_kube_apply_item : NULL, &ctx);
	Py_END_ALLOW_THREADS
	free(docs);
	if (cicd_py_kube_finish(&g, &ctx))
		return NULL;
	return Py_BuildValue("[i]", rc);
}

int cicd_py_kube_watch_new(cicd_kube_watch **out, cicd_kube_client *client, const char *api_version,
			   const char *kind, const char *namespace_name, const char *resource_version,
			   const char *label_selector, const char *field_selector, int bookmarks,
			   long server_timeout_seconds)
{
	cicd_kube_watch_options o = CICD_KUBE_WATCH_OPTIONS_INIT;
	int rc;
	o.resource_version = resource_version;
	o.label_selector = label_selector;
	o.field_selector = field_selector;
	o.bookmarks = bookmarks;
	o.server_timeout_seconds = server_timeout_seconds;
	Py_BEGIN_ALLOW_THREADS
	rc = cicd_kube_watch_new(out, client, api_version, kind, namespace_name, &o);
	Py_END_ALLOW_THREADS
	return rc;
}

/* [status, event type, object JSON]; the object is copied before the watch moves on. */
PyObject *cicd_py_kube_watch_next(cicd_kube_watch *watch, long timeout_ms)
{
	cicd_kube_event_type type = 0;
	const cicd_node *object = NULL;
	cicd_buf json = CICD_BUF_INIT;
	PyObject *s;
	int rc;
	Py_BEGIN_ALLOW_THREADS
	rc = cicd_kube_watch_next(&type, &object, watch, timeout_ms);
	if (!rc && object)
		rc = cicd_node_to_json(&json, object, 0);
	Py_END_ALLOW_THREADS
	s = cicd_py_kube_str(&json);
	return s ? Py_BuildValue("[iiN]", rc, (int)type, s) : NULL;
}

/* [status]; on_data receives bytes and stops the stream with a truthy return. */
PyObject *cicd_py_kube_logs(cicd_kube_client *client, const char *namespace_name, const char *pod,
			    const char *container, int follow, long since_seconds, long tail_lines, int timestamps,
			    int previous, long limit_bytes, PyObject *on_data)
{
	cicd_kube_log_options o = CICD_KUBE_LOG_OPTIONS_INIT;
	cicd_py_sigint_guard g;
	cicd_py_kube_cb ctx;
	int rc;
	cicd_py_kube_cb_init(&ctx, on_data, client);
	o.container = container;
	o.follow = follow;
	o.since_seconds = since_seconds;
	o.tail_lines = tail_lines;
	o.timestamps = timestamps;
	o.previous = previous;
	o.limit_bytes = limit_bytes;
	cicd_py_kube_arm(&g, client);
	Py_BEGIN_ALLOW_THREADS
	rc = cicd_kube_logs(client, namespace_name, pod, &o, cicd_py_kube_data, &ctx);
	Py_END_ALLOW_THREADS
	if (cicd_py_kube_finish(&g, &ctx))
		return NULL;
	return Py_BuildValue("[i]", ctx.stopped && rc == CICD_PY_KUBE_STOP ? 0 : rc);
}

/* [status, final message]; what on_progress raises (or Ctrl-C) stops the wait and is raised. */
PyObject *cicd_py_kube_rollout_wait(cicd_kube_client *client, const char *api_version, const char *kind,
				    const char *namespace_name, const char *name, long timeout_ms, int keep_waiting,
				    unsigned int log_lines, PyObject *on_progress)
{
	cicd_kube_rollout_options o = CICD_KUBE_ROLLOUT_OPTIONS_INIT;
	cicd_buf msg = CICD_BUF_INIT;
	cicd_py_sigint_guard g;
	cicd_py_kube_cb ctx;
	PyObject *s;
	int rc;
	cicd_py_kube_cb_init(&ctx, on_progress, client);
	o.timeout_ms = timeout_ms;
	o.keep_waiting = keep_waiting;
	o.log_lines = log_lines;
	o.progress = cicd_py_kube_progress;
	o.payload = &ctx;
	cicd_py_kube_arm(&g, client);
	Py_BEGIN_ALLOW_THREADS
	rc = cicd_kube_rollout_wait(&msg, client, api_version, kind, namespace_name, name, &o);
	Py_END_ALLOW_THREADS
	if (cicd_py_kube_finish(&g, &ctx)) {
		cicd_buf_dispose(&msg);
		return NULL;
	}
	s = cicd_py_kube_str(&msg);
	return s ? Py_BuildValue("[iN]", rc, s) : NULL;
}

%}

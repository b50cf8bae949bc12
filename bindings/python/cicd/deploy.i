/*
 * deploy: the deploy store. Listings come back as JSON text (parsed by the
 * Python layer). Calls that may block on a cluster or a lock (run, rollback,
 * live diff, log follow, worker) release the GIL; their progress callable
 * takes it back for each line, and the first exception it raises is raised
 * when the call returns. Ctrl-C interrupts the store, so that the call
 * returns soon, and raises once it has (the interrupt is cleared again):
 * from the main thread through sigint.i at once, and in the callables
 * (the signal's handler runs there, or they raise KeyboardInterrupt).
 * cicd_deploy_store_interrupt / _clear are wrapped as they are, for
 * DeployStore.interrupt() from another thread.
 */
%{
#include <cicd/deploy.h>
%}

CICD_OUT(cicd_deploy_store)

%ignore cicd_deploy_store_open;
%ignore cicd_deploy_history_prune;
%ignore cicd_deploy_target_add;
%ignore cicd_deploy_push_paths;
%ignore cicd_deploy_push_buffer;
%ignore cicd_deploy_diff_live;
%ignore cicd_deploy_run;
%ignore cicd_deploy_rollback;
%ignore cicd_deploy_job_state;
%ignore cicd_deploy_log_read;
%ignore cicd_deploy_log_follow;
%ignore cicd_deploy_worker_run;
%ignore cicd_deploy_store_options;
%ignore cicd_deploy_target_options;
%ignore cicd_deploy_push_options;
%ignore cicd_deploy_run_options;
%ignore cicd_deploy_worker_options;

%immutable;
%include <cicd/deploy.h>
%mutable;

%{
typedef struct {
	PyObject *fn; /* callable(level, message, fields_json) or NULL */
	PyObject *etype, *evalue, *etb;
	cicd_deploy_store *store;
	int interrupted; /* a signal interrupted the store: cleared when the call returns */
} cicd_py_progress_ctx;

/*
 * With the GIL, after a callable ran: runs the signal handlers that are due
 * (Ctrl-C) unless the callable raised; a KeyboardInterrupt, or what a
 * handler raised, interrupts the store (when given). The pending exception
 * goes to *etype, *evalue, *etb unless one is there already. 1 when the call
 * must stop.
 */
static int cicd_py_check_signals(cicd_deploy_store *store, int *interrupted, PyObject **etype, PyObject **evalue,
				 PyObject **etb)
{
	int signaled = 0;
	if (PyErr_Occurred())
		signaled = PyErr_ExceptionMatches(PyExc_KeyboardInterrupt);
	else if (PyErr_CheckSignals() < 0)
		signaled = 1;
	if (PyErr_Occurred()) {
		if (!*etype)
			PyErr_Fetch(etype, evalue, etb);
		else
			PyErr_Clear();
	}
	if (signaled && store && !*interrupted) {
		cicd_deploy_store_interrupt(store);
		*interrupted = 1;
	}
	return signaled;
}

/* Called without the GIL (the blocking call released it). */
static void cicd_py_progress(int level, const char *message, const char *fields_json, void *payload)
{
	cicd_py_progress_ctx *ctx = payload;
	PyGILState_STATE g = PyGILState_Ensure();
	if (!ctx->etype) {
		if (ctx->fn) {
			PyObject *r = PyObject_CallFunction(ctx->fn, "iss", level, message ? message : "",
							    fields_json ? fields_json : "{}");
			Py_XDECREF(r);
		}
		cicd_py_check_signals(ctx->store, &ctx->interrupted, &ctx->etype, &ctx->evalue, &ctx->etb);
	}
	PyGILState_Release(g);
}

/* After the call: clears an interrupt the progress made; re-raises what was raised; 1 when something was. */
static int cicd_py_progress_raise(cicd_py_progress_ctx *ctx)
{
	if (ctx->interrupted)
		cicd_deploy_store_interrupt_clear(ctx->store);
	if (!ctx->etype)
		return 0;
	PyErr_Restore(ctx->etype, ctx->evalue, ctx->etb);
	return 1;
}

static void cicd_py_deploy_interrupt(void *store)
{
	cicd_deploy_store_interrupt(store);
}

static void cicd_py_deploy_interrupt_clear(void *store)
{
	cicd_deploy_store_interrupt_clear(store);
}

/* With the GIL, before a call that may block: Ctrl-C interrupts the store (see sigint.i). */
static void cicd_py_deploy_arm(cicd_py_sigint_guard *g, cicd_deploy_store *store)
{
	cicd_py_sigint_arm(g, cicd_py_deploy_interrupt, cicd_py_deploy_interrupt_clear, store);
}

/* After a call with progress: 1 with an exception set when Ctrl-C's handler or the progress raised
 * (Ctrl-C wins); an interrupt the progress made is cleared either way. */
static int cicd_py_deploy_finish(cicd_py_sigint_guard *g, cicd_py_progress_ctx *ctx)
{
	if (cicd_py_sigint_disarm(g) < 0) {
		if (ctx->interrupted)
			cicd_deploy_store_interrupt_clear(ctx->store);
		Py_CLEAR(ctx->etype);
		Py_CLEAR(ctx->evalue);
		Py_CLEAR(ctx->etb);
		return 1;
	}
	return cicd_py_progress_raise(ctx);
}

static PyObject *cicd_py_take_buf(int rc, cicd_buf *buf)
{
	PyObject *s = PyUnicode_DecodeUTF8(buf->ptr ? buf->ptr : "", (Py_ssize_t)buf->size, "surrogateescape");
	cicd_buf_dispose(buf);
	if (!s)
		return NULL;
	return Py_BuildValue("[iN]", rc, s);
}

typedef struct {
	PyObject *lines;
	PyObject *etype, *evalue, *etb; /* what a signal handler raised while lines came */
	int interrupted;
} cicd_py_log_ctx;

static int cicd_py_log_line(long long seq, long long at_ms, int level, const char *message, const char *fields_json,
			    void *payload)
{
	cicd_py_log_ctx *ctx = payload;
	PyGILState_STATE g = PyGILState_Ensure();
	PyObject *t = Py_BuildValue("(LLiss)", seq, at_ms, level, message ? message : "", fields_json ? fields_json : "{}");
	int rc = 0;
	if (!t || PyList_Append(ctx->lines, t) < 0) {
		PyErr_Clear();
		rc = CICD_ENOMEM;
	}
	Py_XDECREF(t);
	/* Ctrl-C while lines come stops the reading here (no interrupt needed: the non-zero value does). */
	if (!rc && cicd_py_check_signals(NULL, &ctx->interrupted, &ctx->etype, &ctx->evalue, &ctx->etb))
		rc = CICD_EUSER;
	if (!rc && ctx->etype)
		rc = CICD_EUSER;
	PyGILState_Release(g);
	return rc;
}
%}

%inline %{
int cicd_py_deploy_store_open(cicd_deploy_store **out, const char *location, unsigned int busy_timeout_ms,
			      size_t max_version_bytes, size_t max_version_objects)
{
	cicd_deploy_store_options o = CICD_DEPLOY_STORE_OPTIONS_INIT;
	int rc;
	o.busy_timeout_ms = busy_timeout_ms;
	o.max_version_bytes = max_version_bytes;
	o.max_version_objects = max_version_objects;
	Py_BEGIN_ALLOW_THREADS
	rc = cicd_deploy_store_open(out, location, &o);
	Py_END_ALLOW_THREADS
	return rc;
}

/* [status, removed] */
PyObject *cicd_py_deploy_history_prune(cicd_deploy_store *store, size_t keep)
{
	long long removed = 0;
	int rc = cicd_deploy_history_prune(&removed, store, keep);
	return Py_BuildValue("[iL]", rc, removed);
}

int cicd_py_deploy_target_add(cicd_deploy_store *store, const char *name, const char *kubeconfig, const char *context,
			      int in_cluster, const char *namespace_name)
{
	cicd_deploy_target_options o = CICD_DEPLOY_TARGET_OPTIONS_INIT;
	o.kubeconfig = kubeconfig;
	o.context = context;
	o.in_cluster = in_cluster;
	o.namespace_name = namespace_name;
	return cicd_deploy_target_add(store, name, &o);
}

/* [status, version JSON]; paths: a list of bytes, or None with data (bytes) and name. */
PyObject *cicd_py_deploy_push(cicd_deploy_store *store, const char *project_set, PyObject *paths, PyObject *data,
			      const char *name, const char *who, const char *commit, const char *pipeline, int recursive)
{
	cicd_deploy_push_options o = CICD_DEPLOY_PUSH_OPTIONS_INIT;
	cicd_buf out = CICD_BUF_INIT;
	int rc;
	o.who = who;
	o.commit = commit;
	o.pipeline = pipeline;
	o.recursive = recursive;
	if (paths != Py_None) {
		Py_ssize_t i, n = PyList_Size(paths);
		const char **list = calloc((size_t)(n < 0 ? 0 : n) + 1, sizeof(*list));
		if (n < 0 || !list) {
			free(list);
			return n < 0 ? NULL : PyErr_NoMemory();
		}
		for (i = 0; i < n; i++)
			list[i] = PyBytes_AsString(PyList_GET_ITEM(paths, i));
		rc = cicd_deploy_push_paths(&out, store, project_set, list, (size_t)n, &o);
		free(list);
	} else {
		char *buf = NULL;
		Py_ssize_t len = 0;
		if (PyBytes_AsStringAndSize(data, &buf, &len) < 0)
			return NULL;
		rc = cicd_deploy_push_buffer(&out, store, project_set, buf, (size_t)len, name, &o);
	}
	return cicd_py_take_buf(rc, &out);
}

/* [status, JSON] of a server-side dry run; blocks on the cluster without the GIL. */
PyObject *cicd_py_deploy_diff_live(cicd_deploy_store *store, const char *ref, const char *target)
{
	cicd_buf out = CICD_BUF_INIT;
	cicd_py_sigint_guard g;
	int rc;
	cicd_py_deploy_arm(&g, store);
	Py_BEGIN_ALLOW_THREADS
	rc = cicd_deploy_diff_live(&out, store, ref, target);
	Py_END_ALLOW_THREADS
	if (cicd_py_sigint_disarm(&g) < 0) {
		cicd_buf_dispose(&out);
		return NULL;
	}
	return cicd_py_take_buf(rc, &out);
}

/* [status, job id] of run (project_set NULL) or rollback. */
PyObject *cicd_py_deploy_run(cicd_deploy_store *store, const char *ref, const char *project_set, const char *target,
			     const char *to_version, const char *who, int prune, long timeout_ms, int wait,
			     int no_queue, long lease_ttl_ms, const char *owner, PyObject *progress)
{
	cicd_deploy_run_options o = CICD_DEPLOY_RUN_OPTIONS_INIT;
	cicd_py_progress_ctx ctx = {NULL, NULL, NULL, NULL, NULL, 0};
	cicd_py_sigint_guard g;
	long long id = 0;
	int rc;
	o.who = who;
	o.prune = prune;
	o.timeout_ms = timeout_ms;
	o.wait = wait;
	o.no_queue = no_queue;
	o.lease_ttl_ms = lease_ttl_ms;
	o.owner = owner;
	/* Always: the progress looks at signals too. */
	ctx.fn = progress != Py_None ? progress : NULL;
	ctx.store = store;
	o.progress = cicd_py_progress;
	o.payload = &ctx;
	cicd_py_deploy_arm(&g, store);
	Py_BEGIN_ALLOW_THREADS
	rc = project_set ? cicd_deploy_rollback(&id, store, project_set, target, to_version, &o)
			 : cicd_deploy_run(&id, store, ref, target, &o);
	Py_END_ALLOW_THREADS
	if (cicd_py_deploy_finish(&g, &ctx))
		return NULL;
	return Py_BuildValue("[iL]", rc, id);
}

/* [status, state name] */
PyObject *cicd_py_deploy_job_state(cicd_deploy_store *store, long long job_id)
{
	const char *state = NULL;
	int rc = cicd_deploy_job_state(&state, store, job_id);
	return Py_BuildValue("[is]", rc, state ? state : "");
}

/* [status, last_seq, [(seq, at_ms, level, message, fields_json)]]; follow polls until the job ended. */
PyObject *cicd_py_deploy_log(cicd_deploy_store *store, long long job_id, long long after, int follow, long poll_ms)
{
	cicd_py_log_ctx ctx = {NULL, NULL, NULL, NULL, 0};
	cicd_py_sigint_guard g;
	long long last = 0;
	int rc;
	ctx.lines = PyList_New(0);
	if (!ctx.lines)
		return NULL;
	cicd_py_deploy_arm(&g, follow ? store : NULL);
	Py_BEGIN_ALLOW_THREADS
	rc = follow ? cicd_deploy_log_follow(&last, store, job_id, after, poll_ms, cicd_py_log_line, &ctx)
		    : cicd_deploy_log_read(&last, store, job_id, after, cicd_py_log_line, &ctx);
	Py_END_ALLOW_THREADS
	if (cicd_py_sigint_disarm(&g) < 0) {
		Py_DECREF(ctx.lines);
		Py_XDECREF(ctx.etype);
		Py_XDECREF(ctx.evalue);
		Py_XDECREF(ctx.etb);
		return NULL;
	}
	if (ctx.etype) {
		Py_DECREF(ctx.lines);
		PyErr_Restore(ctx.etype, ctx.evalue, ctx.etb);
		return NULL;
	}
	return Py_BuildValue("[iLN]", rc, last, ctx.lines);
}

/* [status]; raises what the progress callable raised. */
PyObject *cicd_py_deploy_worker_run(cicd_deploy_store *store, const char *owner, long lease_ttl_ms, long poll_ms,
				    int until_idle, long max_jobs, PyObject *progress)
{
	cicd_deploy_worker_options o = CICD_DEPLOY_WORKER_OPTIONS_INIT;
	cicd_py_progress_ctx ctx = {NULL, NULL, NULL, NULL, NULL, 0};
	cicd_py_sigint_guard g;
	int rc;
	o.owner = owner;
	o.lease_ttl_ms = lease_ttl_ms;
	o.poll_ms = poll_ms;
	o.until_idle = until_idle;
	o.max_jobs = max_jobs;
	ctx.fn = progress != Py_None ? progress : NULL;
	ctx.store = store;
	o.progress = cicd_py_progress;
	o.payload = &ctx;
	cicd_py_deploy_arm(&g, store);
	Py_BEGIN_ALLOW_THREADS
	rc = cicd_deploy_worker_run(store, &o);
	Py_END_ALLOW_THREADS
	if (cicd_py_deploy_finish(&g, &ctx))
		return NULL;
	return Py_BuildValue("[i]", rc);
}
%}

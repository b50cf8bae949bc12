/*
 * kube: kubeconfig loading, a client, and the pure rollout and pod-problem
 * decisions. Calls that may reach the network release the GIL. Options come
 * as arguments; out parameters become Python values in shims.
 */
%{
#include <cicd/kube.h>
%}

CICD_OUT(cicd_kube_config)
CICD_OUT(cicd_kube_client)

/* Bound through the shims below, or not bound: streams, watches and applies need callbacks. */
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
%ignore cicd_kube_watch_free;
%ignore cicd_kube_watch_new;
%ignore cicd_kube_watch_next;
%ignore cicd_kube_watch_options_init;
%ignore cicd_kube_watch_relists;
%ignore cicd_kube_watch_resource_version;
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

/* [status, object JSON] */
PyObject *cicd_py_kube_get(cicd_kube_client *client, const char *api_version, const char *kind,
			   const char *namespace_name, const char *name)
{
	cicd_buf out = CICD_BUF_INIT;
	PyObject *s;
	int rc;
	Py_BEGIN_ALLOW_THREADS
	rc = cicd_kube_get(&out, client, api_version, kind, namespace_name, name);
	Py_END_ALLOW_THREADS
	s = PyUnicode_DecodeUTF8(out.ptr ? out.ptr : "", (Py_ssize_t)out.size, "surrogateescape");
	cicd_buf_dispose(&out);
	return s ? Py_BuildValue("[iN]", rc, s) : NULL;
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

/*
 * pod: job payloads, runner configurations, the rendered Pod and Secrets,
 * stage scripts, exit markers and failure reasons. Options come as
 * arguments; out parameters become Python values in shims.
 */
%{
#include <cicd/pod.h>
%}

CICD_OUT(cicd_job_payload)
CICD_OUT(cicd_runner_config)

%ignore cicd_job_payload_parse;
%ignore cicd_job_payload_load_file;
%ignore cicd_job_payload_variable;
%ignore cicd_job_payload_mask_new;
%ignore cicd_runner_config_load;
%ignore cicd_runner_config_load_file;
%ignore cicd_pod_render;
%ignore cicd_pod_script_render;
%ignore cicd_pod_exit_marker_find;
%ignore cicd_pod_failure_reason;
%ignore cicd_job_payload_options;
%ignore cicd_runner_config_options;
%ignore cicd_pod_render_options;
%ignore cicd_pod_script_options;

%immutable;
%include <cicd/pod.h>
%mutable;

%inline %{
/* path (str or PathLike) or data (bytes). */
int cicd_py_job_payload_load(cicd_job_payload **out, PyObject *path, PyObject *data, const char *name,
			     size_t max_bytes, unsigned int max_depth, size_t max_variables, size_t max_steps,
			     size_t max_services, size_t max_script_lines)
{
	cicd_job_payload_options o = CICD_JOB_PAYLOAD_OPTIONS_INIT;
	o.max_bytes = max_bytes;
	o.max_depth = max_depth;
	o.max_variables = max_variables;
	o.max_steps = max_steps;
	o.max_services = max_services;
	o.max_script_lines = max_script_lines;
	if (path != Py_None) {
		PyObject *bytes;
		int rc;
		if (!PyUnicode_FSConverter(path, &bytes))
			return CICD_EINVALID;
		rc = cicd_job_payload_load_file(out, PyBytes_AS_STRING(bytes), &o);
		Py_DECREF(bytes);
		return rc;
	} else {
		char *buf = NULL;
		Py_ssize_t len = 0;
		if (PyBytes_AsStringAndSize(data, &buf, &len) < 0)
			return CICD_EINVALID;
		return cicd_job_payload_parse(out, buf, (size_t)len, name, &o);
	}
}

/* (key, value as bytes, flags), or None out of range. */
PyObject *cicd_py_job_payload_variable(const cicd_job_payload *job, size_t i)
{
	const char *key = NULL, *value = NULL;
	size_t len = 0;
	unsigned int flags = 0;
	if (cicd_job_payload_variable(job, i, &key, &value, &len, &flags) < 0)
		Py_RETURN_NONE;
	return Py_BuildValue("(sy#I)", key, value, (Py_ssize_t)len, flags);
}

int cicd_py_job_payload_mask_new(cicd_mask **out, const cicd_job_payload *job, unsigned int flags)
{
	cicd_mask_options o = CICD_MASK_OPTIONS_INIT;
	o.flags = flags;
	return cicd_job_payload_mask_new(out, job, &o);
}

int cicd_py_runner_config_load(cicd_runner_config **out, PyObject *path, PyObject *data, const char *name,
			       size_t max_bytes)
{
	cicd_runner_config_options o = CICD_RUNNER_CONFIG_OPTIONS_INIT;
	o.max_bytes = max_bytes;
	if (path != Py_None) {
		PyObject *bytes;
		int rc;
		if (!PyUnicode_FSConverter(path, &bytes))
			return CICD_EINVALID;
		rc = cicd_runner_config_load_file(out, PyBytes_AS_STRING(bytes), &o);
		Py_DECREF(bytes);
		return rc;
	} else {
		char *buf = NULL;
		Py_ssize_t len = 0;
		if (PyBytes_AsStringAndSize(data, &buf, &len) < 0)
			return CICD_EINVALID;
		return cicd_runner_config_load(out, buf, (size_t)len, name, &o);
	}
}

/* [status, text] */
PyObject *cicd_py_pod_render(const cicd_job_payload *job, const cicd_runner_config *cfg, unsigned int format,
			     unsigned int flags, unsigned int slot, const char *name_suffix)
{
	cicd_pod_render_options o = CICD_POD_RENDER_OPTIONS_INIT;
	cicd_buf out = CICD_BUF_INIT;
	PyObject *s;
	int rc;
	o.format = format;
	o.flags = flags;
	o.slot = slot;
	o.name_suffix = name_suffix;
	rc = cicd_pod_render(&out, job, cfg, &o);
	s = PyUnicode_DecodeUTF8(out.ptr ? out.ptr : "", (Py_ssize_t)out.size, "surrogateescape");
	cicd_buf_dispose(&out);
	return s ? Py_BuildValue("[iN]", rc, s) : NULL;
}

/* [status, text] */
PyObject *cicd_py_pod_script_render(const cicd_job_payload *job, const cicd_runner_config *cfg, const char *step,
				    int shell, const char *nonce)
{
	cicd_pod_script_options o = CICD_POD_SCRIPT_OPTIONS_INIT;
	cicd_buf out = CICD_BUF_INIT;
	PyObject *s;
	int rc;
	if (shell)
		o.shell = (cicd_shell)shell;
	o.nonce = nonce;
	rc = cicd_pod_script_render(&out, job, cfg, step, &o);
	s = PyUnicode_DecodeUTF8(out.ptr ? out.ptr : "", (Py_ssize_t)out.size, "surrogateescape");
	cicd_buf_dispose(&out);
	return s ? Py_BuildValue("[iN]", rc, s) : NULL;
}

/* [status, exit code] */
PyObject *cicd_py_pod_exit_marker_find(const char *buf, size_t len, const char *nonce, const char *step)
{
	int code = 0;
	int rc = cicd_pod_exit_marker_find(&code, buf, len, nonce, step);
	return Py_BuildValue("[ii]", rc, code);
}

/* [status, reason or None, message] */
PyObject *cicd_py_pod_failure_reason(const char *buf, size_t len, const char *name)
{
	const char *reason = NULL;
	cicd_buf msg = CICD_BUF_INIT;
	int rc = cicd_pod_failure_reason(&reason, &msg, buf, len, name);
	PyObject *m = PyUnicode_DecodeUTF8(msg.ptr ? msg.ptr : "", (Py_ssize_t)msg.size, "surrogateescape");
	cicd_buf_dispose(&msg);
	if (!m)
		return NULL;
	return Py_BuildValue("[izN]", rc, rc == 0 ? reason : NULL, m);
}
%}

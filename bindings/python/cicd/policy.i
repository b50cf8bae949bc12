/*
 * policy: loading through shims with the options as arguments; a check's
 * result is copied into Python values and freed in the same call.
 */
%{
#include <cicd/policy.h>
%}

CICD_OUT(cicd_policy)

%ignore cicd_policy_load_buffer;
%ignore cicd_policy_load_file;
%ignore cicd_policy_check_push;
%ignore cicd_policy_check_merge_request;
%ignore cicd_policy_check_tag;
%ignore cicd_policy_commit_bump;
%ignore cicd_policy_next_version;
%ignore cicd_policy_options;
%ignore cicd_policy_next_options;

%immutable;
%include <cicd/policy.h>
%mutable;

%{
/* (allowed, [(rule, message)], [(name, value)], kind, json) of a result; frees it. */
static PyObject *cicd_py_take_result(cicd_policy_result *r)
{
	size_t i, nv = cicd_policy_result_violation_count(r), nc = cicd_policy_result_capture_count(r);
	PyObject *violations = PyList_New(0), *captures = PyList_New(0), *json = NULL, *out = NULL;
	cicd_buf buf = CICD_BUF_INIT;
	for (i = 0; violations && i < nv; i++) {
		PyObject *t = Py_BuildValue("(ss)", cicd_policy_result_violation_rule(r, i),
					    cicd_policy_result_violation_message(r, i));
		if (!t || PyList_Append(violations, t) < 0)
			Py_CLEAR(violations);
		Py_XDECREF(t);
	}
	for (i = 0; captures && i < nc; i++) {
		PyObject *t = Py_BuildValue("(ss)", cicd_policy_result_capture_name(r, i),
					    cicd_policy_result_capture_value(r, i));
		if (!t || PyList_Append(captures, t) < 0)
			Py_CLEAR(captures);
		Py_XDECREF(t);
	}
	if (cicd_policy_result_to_json(&buf, r) == 0)
		json = PyUnicode_DecodeUTF8(buf.ptr ? buf.ptr : "", (Py_ssize_t)buf.size, "surrogateescape");
	else
		json = PyErr_NoMemory();
	cicd_buf_dispose(&buf);
	if (violations && captures && json)
		out = Py_BuildValue("(NOOsO)", PyBool_FromLong(cicd_policy_result_allowed(r)), violations, captures,
				    cicd_policy_result_kind(r), json);
	Py_XDECREF(violations);
	Py_XDECREF(captures);
	Py_XDECREF(json);
	cicd_policy_result_free(r);
	return out;
}
%}

%inline %{
int cicd_py_policy_load(cicd_policy **out, PyObject *path, PyObject *text, const char *name,
			size_t max_bytes, size_t max_branch_kinds, size_t max_name_length)
{
	cicd_policy_options o = CICD_POLICY_OPTIONS_INIT;
	int rc;
	if (max_bytes)
		o.max_bytes = max_bytes;
	if (max_branch_kinds)
		o.max_branch_kinds = max_branch_kinds;
	if (max_name_length)
		o.max_name_length = max_name_length;
	if (path != Py_None) {
		PyObject *bytes;
		if (!PyUnicode_FSConverter(path, &bytes))
			return CICD_EINVALID;
		rc = cicd_policy_load_file(out, PyBytes_AS_STRING(bytes), &o);
		Py_DECREF(bytes);
	} else {
		char *buf = NULL;
		Py_ssize_t len = 0;
		if (PyBytes_AsStringAndSize(text, &buf, &len) < 0)
			return CICD_EINVALID;
		rc = cicd_policy_load_buffer(out, buf, (size_t)len, name, &o);
	}
	return rc;
}

/* [status, (allowed, violations, captures, kind, json) or None]; kind: 0 push, 1 merge request, 2 tag. */
PyObject *cicd_py_policy_check(const cicd_policy *policy, int what, const char *a, const char *b,
			       PyObject *existing)
{
	cicd_policy_result *r = NULL;
	PyObject *res;
	int rc;
	if (what == 0) {
		rc = cicd_policy_check_push(&r, policy, a);
	} else if (what == 1) {
		rc = cicd_policy_check_merge_request(&r, policy, a, b);
	} else {
		Py_ssize_t i, n = PyList_Size(existing);
		const char **tags = calloc((size_t)(n < 0 ? 0 : n) + 1, sizeof(*tags));
		if (n < 0 || !tags) {
			free(tags);
			return n < 0 ? NULL : PyErr_NoMemory();
		}
		for (i = 0; i < n; i++)
			tags[i] = PyBytes_AsString(PyList_GET_ITEM(existing, i));
		rc = cicd_policy_check_tag(&r, policy, a, b, tags, (size_t)n);
		free(tags);
	}
	if (rc < 0)
		return Py_BuildValue("[iO]", rc, Py_None);
	res = cicd_py_take_result(r);
	if (!res)
		return NULL;
	return Py_BuildValue("[iN]", rc, res);
}

int cicd_py_policy_commit_bump(const char *buf, size_t len)
{
	return (int)cicd_policy_commit_bump(buf, len);
}

/* [status, version or None, bump]; messages: a list of bytes. pre_number < 0: the number of commits. */
PyObject *cicd_py_policy_next_version(const cicd_semver *last, PyObject *messages, const char *pre_id,
				      long long pre_number)
{
	cicd_policy_next_options o = CICD_POLICY_NEXT_OPTIONS_INIT;
	Py_ssize_t i, n = PyList_Size(messages);
	const char **msgs;
	size_t *lens;
	cicd_semver *out = NULL;
	cicd_semver_release bump = CICD_SEMVER_NONE;
	int rc;
	if (n < 0)
		return NULL;
	msgs = calloc((size_t)n + 1, sizeof(*msgs));
	lens = calloc((size_t)n + 1, sizeof(*lens));
	if (!msgs || !lens) {
		free(msgs);
		free(lens);
		return PyErr_NoMemory();
	}
	for (i = 0; i < n; i++) {
		char *s = NULL;
		Py_ssize_t len = 0;
		PyBytes_AsStringAndSize(PyList_GET_ITEM(messages, i), &s, &len);
		msgs[i] = s;
		lens[i] = (size_t)len;
	}
	o.pre_id = pre_id;
	if (pre_number >= 0)
		o.pre_number = (unsigned long long)pre_number;
	rc = cicd_policy_next_version(&out, &bump, last, msgs, lens, (size_t)n, &o);
	free(msgs);
	free(lens);
	if (!out)
		return Py_BuildValue("[iOi]", rc, Py_None, (int)bump);
	return Py_BuildValue("[iNi]", rc, SWIG_NewPointerObj(SWIG_as_voidptr(out), SWIGTYPE_p_cicd_semver, 0), (int)bump);
}
%}

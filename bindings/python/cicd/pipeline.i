/*
 * pipeline: loading through shims that take the options as arguments, copy
 * the diagnostics into a Python list (and free them) in the same call, and
 * call a Python include resolver. Getters are wrapped as they are; the
 * Python layer keeps the pipeline alive while anything borrowed from it is.
 */
%{
#include <cicd/pipeline.h>
#include <cicd/plan.h>

/* In plan.i: 1 with the exception set when one of the trigger's callables (its capsule) raised. */
static int cicd_py_trigger_reraise(PyObject *callbacks);
%}

CICD_OUT(cicd_pipeline)
CICD_OUT(cicd_job_iterator)
CICD_OUT_CONST(cicd_job)

%ignore cicd_pipeline_load_file;
%ignore cicd_pipeline_load_buffer;
%ignore cicd_include_result_set;
%ignore cicd_include_result_fail;
%ignore cicd_pipeline_options;
%ignore cicd_include_request;
%ignore cicd_job_instance_variable;

%immutable;
%include <cicd/pipeline.h>
%mutable;

%{
/* The diagnostics as a list of (severity, code, message, file, line, column); frees them. */
static PyObject *cicd_py_take_diagnostics(cicd_diagnostics *d)
{
	size_t i, n = cicd_diagnostics_count(d);
	PyObject *list = PyList_New(0);
	for (i = 0; list && i < n; i++) {
		const cicd_diagnostic *x = cicd_diagnostics_get(d, i);
		PyObject *t = Py_BuildValue("(iisNII)", (int)x->severity, x->code, x->message ? x->message : "",
					    PyUnicode_DecodeFSDefault(x->file ? x->file : ""), x->line, x->column);
		if (!t || PyList_Append(list, t) < 0)
			Py_CLEAR(list);
		Py_XDECREF(t);
	}
	cicd_diagnostics_free(d);
	return list;
}

typedef struct {
	PyObject *resolver; /* callable(kind, location, project, ref, parent, depth) */
	PyObject *etype, *evalue, *etb; /* the first exception it raised, re-raised after loading */
} cicd_py_resolver_ctx;

static int cicd_py_resolve(cicd_include_result *result, const cicd_include_request *req, void *payload)
{
	cicd_py_resolver_ctx *ctx = payload;
	PyObject *r, *content, *name = Py_None;
	const char *data, *cname = NULL;
	Py_ssize_t len;
	int rc;
	if (ctx->etype)
		return CICD_EUSER;
	r = PyObject_CallFunction(ctx->resolver, "iszzzI", (int)req->kind, req->location, req->project, req->ref,
				  req->parent, req->depth);
	if (!r)
		goto raised;
	if (r == Py_None) {
		Py_DECREF(r);
		return CICD_ENOTFOUND;
	}
	content = r;
	if (PyTuple_Check(r) && PyTuple_GET_SIZE(r) == 2) {
		content = PyTuple_GET_ITEM(r, 0);
		name = PyTuple_GET_ITEM(r, 1);
	}
	if (PyUnicode_Check(content)) {
		data = PyUnicode_AsUTF8AndSize(content, &len);
	} else if (PyBytes_Check(content)) {
		data = PyBytes_AS_STRING(content);
		len = PyBytes_GET_SIZE(content);
	} else {
		PyErr_Format(PyExc_TypeError, "include resolver: expected str, bytes, (content, name) or None, not %.100s",
			     Py_TYPE(r)->tp_name);
		data = NULL;
	}
	if (data && name != Py_None) {
		cname = PyUnicode_Check(name) ? PyUnicode_AsUTF8(name) : NULL;
		if (!cname && !PyErr_Occurred())
			PyErr_SetString(PyExc_TypeError, "include resolver: the name must be a str");
		if (!cname)
			data = NULL;
	}
	if (!data) {
		Py_DECREF(r);
		goto raised;
	}
	rc = cicd_include_result_set(result, data, (size_t)len, cname);
	Py_DECREF(r);
	return rc;
raised:
	PyErr_Fetch(&ctx->etype, &ctx->evalue, &ctx->etb);
	cicd_include_result_fail(result, "the include resolver raised an exception");
	return CICD_EUSER;
}
%}

%inline %{
/*
 * [status, pipeline or None, diagnostics] of loading the file at path, or
 * text (str or bytes) when path is None; raises what the resolver raised.
 */
PyObject *cicd_py_pipeline_load(PyObject *path, PyObject *text, const char *name, const char *project_root,
				PyObject *resolver, unsigned int flags, unsigned int max_includes,
				unsigned int max_include_depth, unsigned int max_extends_depth,
				unsigned int max_reference_depth, size_t max_file_bytes, unsigned int max_yaml_depth,
				size_t max_diagnostics, cicd_trigger *trigger, PyObject *callbacks)
{
	cicd_pipeline_options o = CICD_PIPELINE_OPTIONS_INIT;
	cicd_py_resolver_ctx ctx = {NULL, NULL, NULL, NULL};
	cicd_pipeline *p = NULL;
	cicd_diagnostics *d = NULL;
	PyObject *diags, *ptr;
	int rc;
	o.flags = flags;
	o.project_root = project_root;
	o.max_includes = max_includes;
	o.max_include_depth = max_include_depth;
	o.max_extends_depth = max_extends_depth;
	o.max_reference_depth = max_reference_depth;
	o.max_file_bytes = max_file_bytes;
	o.max_yaml_depth = max_yaml_depth;
	o.max_diagnostics = max_diagnostics;
	if (resolver != Py_None) {
		ctx.resolver = resolver;
		o.resolver = cicd_py_resolve;
		o.resolver_payload = &ctx;
	}
	if (trigger) { /* the includes GitLab reads for the trigger */
		o.include_variables = cicd_trigger_lookup;
		o.include_variables_payload = trigger;
		o.include_rules = cicd_trigger_include_rules;
		o.include_rules_payload = trigger;
		o.masked_values = cicd_trigger_masked_values(trigger, &o.masked_value_count);
	}
	if (path != Py_None) {
		PyObject *bytes;
		if (!PyUnicode_FSConverter(path, &bytes))
			return NULL;
		rc = cicd_pipeline_load_file(&p, &d, PyBytes_AS_STRING(bytes), &o);
		Py_DECREF(bytes);
	} else {
		const char *buf;
		Py_ssize_t len;
		if (PyUnicode_Check(text)) {
			buf = PyUnicode_AsUTF8AndSize(text, &len);
			if (!buf)
				return NULL;
		} else if (PyBytes_Check(text)) {
			buf = PyBytes_AS_STRING(text);
			len = PyBytes_GET_SIZE(text);
		} else {
			PyErr_SetString(PyExc_TypeError, "expected str or bytes");
			return NULL;
		}
		rc = cicd_pipeline_load_buffer(&p, &d, buf, (size_t)len, name, &o);
	}
	if (ctx.etype) {
		cicd_pipeline_free(p);
		cicd_diagnostics_free(d);
		PyErr_Restore(ctx.etype, ctx.evalue, ctx.etb);
		return NULL;
	}
	if (callbacks != Py_None && cicd_py_trigger_reraise(callbacks)) {
		cicd_pipeline_free(p);
		cicd_diagnostics_free(d);
		return NULL;
	}
	diags = d ? cicd_py_take_diagnostics(d) : PyList_New(0);
	if (!diags) {
		cicd_pipeline_free(p);
		return NULL;
	}
	ptr = p ? SWIG_NewPointerObj(SWIG_as_voidptr(p), SWIGTYPE_p_cicd_pipeline, 0) : (Py_INCREF(Py_None), Py_None);
	return Py_BuildValue("[iNN]", rc, ptr, diags);
}

/* (name, value) of variable v of instance i. */
PyObject *cicd_py_job_instance_variable(const cicd_job *job, size_t i, size_t v)
{
	const char *name = NULL, *value = NULL;
	if (cicd_job_instance_variable(&name, &value, job, i, v) < 0)
		Py_RETURN_NONE;
	return Py_BuildValue("(ss)", name, value);
}
%}

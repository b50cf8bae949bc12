/*
 * expr: compile with a shim (options from arguments), evaluate and expand
 * with a lookup that reads a Python mapping. Values the lookup hands out
 * are kept referenced in a list until the C call returns, as the library
 * borrows them until then. A Python exception raised by the mapping stops
 * the evaluation with CICD_EUSER and propagates as itself.
 */
CICD_OUT(cicd_expr)

%ignore cicd_expr_compile;
%ignore cicd_expr_eval;
%ignore cicd_expand;

%immutable;
%include <cicd/expr.h>
%mutable;

%{
typedef struct {
	PyObject *vars; /* a mapping, or Py_None for "every variable undefined" */
	PyObject *keep; /* values handed to the library, alive until the call returns */
} cicd_py_lookup_ctx;

static int cicd_py_lookup(const char **value, size_t *len, const char *name, void *payload)
{
	cicd_py_lookup_ctx *ctx = (cicd_py_lookup_ctx *)payload;
	PyObject *key, *v;
	const char *s;
	Py_ssize_t n;
	if (ctx->vars == Py_None)
		return 0;
	key = PyUnicode_DecodeUTF8(name, (Py_ssize_t)strlen(name), "surrogateescape");
	if (!key)
		return CICD_EUSER;
	v = PyObject_GetItem(ctx->vars, key);
	Py_DECREF(key);
	if (!v) {
		if (!PyErr_ExceptionMatches(PyExc_KeyError))
			return CICD_EUSER;
		PyErr_Clear();
		return 0;
	}
	if (PyList_Append(ctx->keep, v) < 0) {
		Py_DECREF(v);
		return CICD_EUSER;
	}
	Py_DECREF(v); /* the list holds it now */
	if (v == Py_None)
		return 0;
	if (PyUnicode_Check(v)) {
		s = PyUnicode_AsUTF8AndSize(v, &n);
		if (!s)
			return CICD_EUSER;
	} else if (PyBytes_Check(v)) {
		if (PyBytes_AsStringAndSize(v, (char **)&s, &n) < 0)
			return CICD_EUSER;
	} else {
		PyErr_Format(PyExc_TypeError, "variable %s: expected str, bytes or None, not %.100s", name,
			     Py_TYPE(v)->tp_name);
		return CICD_EUSER;
	}
	*value = s;
	*len = (size_t)n;
	return 1;
}

/* (status, result) of a call that used the lookup, or NULL when the mapping raised. */
static PyObject *cicd_py_lookup_result(cicd_py_lookup_ctx *ctx, int rc, PyObject *result)
{
	Py_DECREF(ctx->keep);
	if (rc == CICD_EUSER && PyErr_Occurred()) {
		Py_XDECREF(result);
		return NULL;
	}
	if (!result)
		return NULL;
	return Py_BuildValue("[iN]", rc, result);
}
%}

%inline %{
int cicd_py_expr_compile(cicd_expr **out, const char *buf, size_t len, const char *file, unsigned int line,
			 unsigned int column, unsigned int max_tokens, size_t max_bytes)
{
	cicd_expr_options o = CICD_EXPR_OPTIONS_INIT;
	o.file = file;
	o.line = line;
	o.column = column;
	o.max_tokens = max_tokens;
	o.max_bytes = max_bytes;
	return cicd_expr_compile(out, buf, len, &o);
}

/* [status, bool]; raises what the mapping raised. */
PyObject *cicd_py_expr_eval(const cicd_expr *expr, PyObject *vars)
{
	cicd_py_lookup_ctx ctx;
	int result = 0, rc;
	ctx.vars = vars;
	ctx.keep = PyList_New(0);
	if (!ctx.keep)
		return NULL;
	rc = cicd_expr_eval(&result, expr, cicd_py_lookup, &ctx);
	return cicd_py_lookup_result(&ctx, rc, PyBool_FromLong(result));
}

/* [status, str]; raises what the mapping raised. */
PyObject *cicd_py_expand(const char *buf, size_t len, unsigned int flags, PyObject *vars)
{
	cicd_py_lookup_ctx ctx;
	cicd_buf out = CICD_BUF_INIT;
	PyObject *s;
	int rc;
	ctx.vars = vars;
	ctx.keep = PyList_New(0);
	if (!ctx.keep)
		return NULL;
	rc = cicd_expand(&out, buf, len, flags, cicd_py_lookup, &ctx);
	s = PyUnicode_DecodeUTF8(out.ptr ? out.ptr : "", (Py_ssize_t)out.size, "surrogateescape");
	cicd_buf_dispose(&out);
	return cicd_py_lookup_result(&ctx, rc, s);
}
%}

/*
 * The SWIG layer: the C API as it is, plus typemaps that turn out
 * parameters into return values and cicd_buf outputs into str. Status codes
 * come back as ints; the Python layer in __init__.py turns failures into
 * exceptions right after the call, on the same thread, before any other
 * libcicd call can replace the thread-local error. Option structs are
 * filled by small shims here, so Python never sets a C string field.
 */
%module(package="cicd") cicd_c

%{
#include <cicd/cicd.h>
%}

%include <stdint.i>

/* Every public header declares with CICD_EXTERN(type) and these guards. */
#define CICD_EXTERN(type) type
#define CICD_BEGIN_DECL
#define CICD_END_DECL
#define CICD_DEPRECATED(version, message)

/* (const char *buf, size_t len) takes str (as UTF-8) or bytes. */
%typemap(in) (const char *buf, size_t len) (Py_buffer view, int has_view = 0, PyObject *utf8 = NULL) {
	if (PyUnicode_Check($input)) {
		Py_ssize_t n;
		const char *s = PyUnicode_AsUTF8AndSize($input, &n);
		if (!s) SWIG_fail;
		$1 = (char *)s;
		$2 = (size_t)n;
	} else if (PyObject_GetBuffer($input, &view, PyBUF_SIMPLE) == 0) {
		has_view = 1;
		$1 = (char *)view.buf;
		$2 = (size_t)view.len;
	} else {
		SWIG_exception_fail(SWIG_TypeError, "expected str or bytes");
	}
}
%typemap(freearg) (const char *buf, size_t len) {
	if (has_view$argnum) PyBuffer_Release(&view$argnum);
	(void)utf8$argnum;
}

/* Out parameters of opaque types become extra return values. */
%define CICD_OUT(TYPE)
%typemap(in, numinputs=0) TYPE **out (TYPE *tmp = NULL) { $1 = &tmp; }
%typemap(argout) TYPE **out {
	$result = SWIG_Python_AppendOutput($result, SWIG_NewPointerObj(SWIG_as_voidptr(tmp$argnum), $descriptor(TYPE *), 0));
}
%enddef

/* cicd_buf outputs become str (or bytes when not valid UTF-8). */
%typemap(in, numinputs=0) cicd_buf *out (cicd_buf tmp = CICD_BUF_INIT) { $1 = &tmp; }
%typemap(argout) cicd_buf *out {
	PyObject *s = tmp$argnum.ptr ? PyUnicode_DecodeUTF8(tmp$argnum.ptr, (Py_ssize_t)tmp$argnum.size, "surrogateescape")
				     : PyUnicode_FromString("");
	cicd_buf_dispose(&tmp$argnum);
	if (!s) SWIG_fail;
	$result = SWIG_Python_AppendOutput($result, s);
}

/* The same for getters that hand out a borrowed const pointer. */
%define CICD_OUT_CONST(TYPE)
%typemap(in, numinputs=0) const TYPE **out (const TYPE *tmp = NULL) { $1 = &tmp; }
%typemap(argout) const TYPE **out {
	$result = SWIG_Python_AppendOutput($result, SWIG_NewPointerObj(SWIG_as_voidptr((TYPE *)tmp$argnum), $descriptor(TYPE *), 0));
}
%enddef

CICD_OUT(cicd_document)
CICD_OUT(cicd_error)

/* Replaced by the shims below: raw C pointers or callbacks that Python cannot use safely. */
%ignore cicd_node_scalar;
%ignore cicd_allocator_set;
%ignore cicd_allocator_reset;
%ignore cicd_log_set;
%ignore cicd_version_numbers;
%ignore cicd_error_dup;
%ignore cicd_error_free;

%immutable;
%include <cicd/errors.h>
%include <cicd/core.h>
%include <cicd/buffer.h>
%include <cicd/diagnostics.h>
%include <cicd/document.h>
%mutable;

%inline %{
/* The scalar's text as str, keeping embedded NULs; None for non-scalars. */
PyObject *cicd_py_node_scalar(const cicd_node *node)
{
	size_t len = 0;
	const char *s = cicd_node_scalar(node, &len);
	if (!s)
		Py_RETURN_NONE;
	return PyUnicode_DecodeUTF8(s, (Py_ssize_t)len, "surrogateescape");
}

int cicd_py_document_load_buffer(cicd_document **out, const char *buf, size_t len, const char *name, int json,
				 unsigned int flags, size_t max_bytes, unsigned int max_depth, size_t max_nodes,
				 size_t max_alias_expansion)
{
	cicd_document_options o = CICD_DOCUMENT_OPTIONS_INIT;
	o.flags = flags;
	o.max_bytes = max_bytes;
	o.max_depth = max_depth;
	o.max_nodes = max_nodes;
	o.max_alias_expansion = max_alias_expansion;
	return json ? cicd_document_load_json(out, buf, len, name, &o) : cicd_document_load_buffer(out, buf, len, name, &o);
}

int cicd_py_document_load_file(cicd_document **out, const char *path, unsigned int flags, size_t max_bytes,
			       unsigned int max_depth, size_t max_nodes, size_t max_alias_expansion)
{
	cicd_document_options o = CICD_DOCUMENT_OPTIONS_INIT;
	o.flags = flags;
	o.max_bytes = max_bytes;
	o.max_depth = max_depth;
	o.max_nodes = max_nodes;
	o.max_alias_expansion = max_alias_expansion;
	return cicd_document_load_file(out, path, &o);
}

/* (major, minor, patch) */
PyObject *cicd_py_version_numbers(void)
{
	int major = 0, minor = 0, patch = 0;
	cicd_version_numbers(&major, &minor, &patch);
	return Py_BuildValue("(iii)", major, minor, patch);
}

/* The last error as a tuple (code, message, file, line, column), copied at once. */
PyObject *cicd_py_error_last(void)
{
	const cicd_error *e = cicd_error_last();
	return Py_BuildValue("(isNII)", e->code, e->message,
			     PyUnicode_DecodeFSDefault(e->file), e->line, e->column);
}
%}

/* One file per module. */
%include "sigint.i"
%include "expr.i"
%include "mask.i"
%include "pipeline.i"
%include "plan.i"
%include "semver.i"
%include "policy.i"
%include "manifest.i"
%include "deploy.i"
%include "pod.i"
%include "kaniko.i"
%include "kube.i"
%include "log.i"

/*
 * manifest: sets of Kubernetes objects. Options come as arguments; outputs
 * through out parameters (validation diagnostics, hashes, diff entries) are
 * turned into Python values by shims.
 */
%{
#include <cicd/manifest.h>
%}

CICD_OUT(cicd_manifest_set)
CICD_OUT(cicd_manifest_diff)
CICD_OUT_CONST(cicd_manifest)

%ignore cicd_manifest_set_add_buffer;
%ignore cicd_manifest_set_add_path;
%ignore cicd_manifest_set_validate;
%ignore cicd_manifest_set_image;
%ignore cicd_manifest_hash;
%ignore cicd_manifest_set_hash;
%ignore cicd_manifest_diff_get;
%ignore cicd_manifest_options;
%ignore cicd_manifest_validate_options;

%immutable;
%include <cicd/manifest.h>
%mutable;

%inline %{
int cicd_py_manifest_add(cicd_manifest_set *set, PyObject *path, PyObject *text, const char *name, int format,
			 unsigned int flags, size_t max_objects, size_t max_files)
{
	cicd_manifest_options o = CICD_MANIFEST_OPTIONS_INIT;
	int rc;
	o.flags = flags;
	o.format = (cicd_manifest_format)format;
	o.max_objects = max_objects;
	o.max_files = max_files;
	if (path != Py_None) {
		PyObject *bytes;
		if (!PyUnicode_FSConverter(path, &bytes))
			return CICD_EINVALID;
		rc = cicd_manifest_set_add_path(set, PyBytes_AS_STRING(bytes), &o);
		Py_DECREF(bytes);
	} else {
		char *buf = NULL;
		Py_ssize_t len = 0;
		if (PyBytes_AsStringAndSize(text, &buf, &len) < 0)
			return CICD_EINVALID;
		rc = cicd_manifest_set_add_buffer(set, buf, (size_t)len, name, &o);
	}
	return rc;
}

/* [status, diagnostics as tuples]; openapi: bytes or None. */
PyObject *cicd_py_manifest_validate(const cicd_manifest_set *set, PyObject *openapi, size_t max_diagnostics)
{
	cicd_manifest_validate_options o = CICD_MANIFEST_VALIDATE_OPTIONS_INIT;
	cicd_diagnostics *d = NULL;
	PyObject *list;
	int rc;
	if (openapi != Py_None) {
		char *buf = NULL;
		Py_ssize_t len = 0;
		if (PyBytes_AsStringAndSize(openapi, &buf, &len) < 0)
			return NULL;
		o.openapi = buf;
		o.openapi_len = (size_t)len;
	}
	o.max_diagnostics = max_diagnostics;
	rc = cicd_manifest_set_validate(&d, set, &o);
	list = d ? cicd_py_take_diagnostics(d) : PyList_New(0);
	if (!list)
		return NULL;
	return Py_BuildValue("[iN]", rc, list);
}

/* [status, number of images set] */
PyObject *cicd_py_manifest_set_image(cicd_manifest_set *set, const char *name, const char *new_name,
				     const char *new_tag, const char *digest)
{
	size_t changed = 0;
	int rc = cicd_manifest_set_image(&changed, set, name, new_name, new_tag, digest);
	return Py_BuildValue("[in]", rc, (Py_ssize_t)changed);
}

/* [status, hex digest] of an object (obj) or of the whole set. */
PyObject *cicd_py_manifest_hash(const cicd_manifest *obj, const cicd_manifest_set *set)
{
	char hash[CICD_MANIFEST_HASH_SIZE] = "";
	int rc = obj ? cicd_manifest_hash(hash, sizeof hash, obj) : cicd_manifest_set_hash(hash, sizeof hash, set);
	return Py_BuildValue("[is]", rc, hash);
}

/* (change, old object or None, new object or None) of entry i, or None out of range. */
PyObject *cicd_py_manifest_diff_get(const cicd_manifest_diff *diff, size_t i)
{
	cicd_manifest_change change = CICD_MANIFEST_CHANGED;
	const cicd_manifest *o = NULL, *n = NULL;
	if (cicd_manifest_diff_get(&change, &o, &n, diff, i) < 0)
		Py_RETURN_NONE;
	return Py_BuildValue("(iNN)", (int)change,
			     o ? SWIG_NewPointerObj(SWIG_as_voidptr((cicd_manifest *)o), SWIGTYPE_p_cicd_manifest, 0)
			       : (Py_INCREF(Py_None), Py_None),
			     n ? SWIG_NewPointerObj(SWIG_as_voidptr((cicd_manifest *)n), SWIGTYPE_p_cicd_manifest, 0)
			       : (Py_INCREF(Py_None), Py_None));
}
%}

/*
 * semver: parsing through shims that take the options as arguments; arrays
 * of versions are Python lists of the wrapped pointers, and sorting returns
 * the permutation, so Python never frees or reorders a pointer it owns.
 */
%{
#include <cicd/semver.h>
%}

CICD_OUT(cicd_semver)
CICD_OUT(cicd_semver_range)

%ignore cicd_semver_parse;
%ignore cicd_semver_coerce;
%ignore cicd_semver_range_parse;
%ignore cicd_semver_inc;
%ignore cicd_semver_compare_str;
%ignore cicd_semver_satisfies;
%ignore cicd_semver_sort;
%ignore cicd_semver_max_satisfying;
%ignore cicd_semver_min_satisfying;
%ignore cicd_semver_release_parse;
%ignore cicd_semver_range_test_str;
%ignore cicd_semver_options;

%immutable;
%include <cicd/semver.h>
%mutable;

%{
static cicd_semver_options cicd_py_semver_options(unsigned int flags, size_t max_length, size_t max_range_length)
{
	cicd_semver_options o = CICD_SEMVER_OPTIONS_INIT;
	o.flags = flags;
	o.max_length = max_length;
	o.max_range_length = max_range_length;
	return o;
}

/* The versions of a list as a C array (malloc'd), or NULL with a Python error set. */
static cicd_semver **cicd_py_semver_array(PyObject *list, size_t *count)
{
	Py_ssize_t i, n = PyList_Size(list);
	cicd_semver **items;
	if (n < 0)
		return NULL;
	items = malloc(((size_t)n + 1) * sizeof(*items));
	if (!items) {
		PyErr_NoMemory();
		return NULL;
	}
	for (i = 0; i < n; i++) {
		void *p = NULL;
		if (!SWIG_IsOK(SWIG_ConvertPtr(PyList_GET_ITEM(list, i), &p, SWIGTYPE_p_cicd_semver, 0)) || !p) {
			free(items);
			PyErr_SetString(PyExc_TypeError, "expected a list of versions");
			return NULL;
		}
		items[i] = p;
	}
	*count = (size_t)n;
	return items;
}
%}

%inline %{
int cicd_py_semver_parse(cicd_semver **out, const char *buf, size_t len, int coerce, unsigned int flags,
			 size_t max_length)
{
	cicd_semver_options o = cicd_py_semver_options(flags, max_length, CICD_SEMVER_DEFAULT_MAX_RANGE_LENGTH);
	return coerce ? cicd_semver_coerce(out, buf, len, &o) : cicd_semver_parse(out, buf, len, &o);
}

int cicd_py_semver_range_parse(cicd_semver_range **out, const char *buf, size_t len, unsigned int flags,
			       size_t max_range_length)
{
	cicd_semver_options o = cicd_py_semver_options(flags, CICD_SEMVER_DEFAULT_MAX_LENGTH, max_range_length);
	return cicd_semver_range_parse(out, buf, len, &o);
}

int cicd_py_semver_inc(cicd_semver **out, const cicd_semver *v, int kind, const char *preid, unsigned int flags)
{
	cicd_semver_options o = cicd_py_semver_options(flags, CICD_SEMVER_DEFAULT_MAX_LENGTH,
						       CICD_SEMVER_DEFAULT_MAX_RANGE_LENGTH);
	return cicd_semver_inc(out, v, (cicd_semver_release)kind, preid, &o);
}

/* [status, -1/0/1] */
PyObject *cicd_py_semver_compare_str(const char *a, const char *b, unsigned int flags)
{
	cicd_semver_options o = cicd_py_semver_options(flags, CICD_SEMVER_DEFAULT_MAX_LENGTH,
						       CICD_SEMVER_DEFAULT_MAX_RANGE_LENGTH);
	int out = 0, rc = cicd_semver_compare_str(&out, a, b, &o);
	return Py_BuildValue("[ii]", rc, out);
}

/* [status, bool] */
PyObject *cicd_py_semver_satisfies(const char *range, const char *version, unsigned int flags)
{
	cicd_semver_options o = cicd_py_semver_options(flags, CICD_SEMVER_DEFAULT_MAX_LENGTH,
						       CICD_SEMVER_DEFAULT_MAX_RANGE_LENGTH);
	int out = 0, rc = cicd_semver_satisfies(&out, range, version, &o);
	return Py_BuildValue("[iN]", rc, PyBool_FromLong(out));
}

/* [status, bool]: the version text parsed with the range's own options. */
PyObject *cicd_py_semver_range_test_str(const cicd_semver_range *r, const char *buf, size_t len)
{
	int out = 0, rc = cicd_semver_range_test_str(&out, r, buf, len);
	return Py_BuildValue("[iN]", rc, PyBool_FromLong(out));
}

/* [status, kind] */
PyObject *cicd_py_semver_release_parse(const char *name)
{
	cicd_semver_release kind = CICD_SEMVER_NONE;
	int rc = cicd_semver_release_parse(&kind, name);
	return Py_BuildValue("[ii]", rc, (int)kind);
}

/* [status, permutation]: the positions of the versions in sorted order (stable). */
PyObject *cicd_py_semver_sort(PyObject *list, unsigned int flags)
{
	size_t i, j, n = 0;
	cicd_semver **items = cicd_py_semver_array(list, &n), **sorted;
	PyObject *perm;
	int rc;
	if (!items)
		return NULL;
	sorted = malloc((n + 1) * sizeof(*sorted));
	if (!sorted) {
		free(items);
		return PyErr_NoMemory();
	}
	memcpy(sorted, items, n * sizeof(*items));
	rc = cicd_semver_sort(sorted, n, flags);
	perm = PyList_New(0);
	/* Positions by identity; a version listed twice takes its positions in order. */
	for (i = 0; perm && rc == 0 && i < n; i++) {
		for (j = 0; j < n; j++) {
			if (items[j] == sorted[i]) {
				PyObject *x = PyLong_FromSize_t(j);
				items[j] = NULL;
				if (!x || PyList_Append(perm, x) < 0)
					Py_CLEAR(perm);
				Py_XDECREF(x);
				break;
			}
		}
	}
	free(items);
	free(sorted);
	if (!perm)
		return NULL;
	return Py_BuildValue("[iN]", rc, perm);
}

/* [status, index] of the highest (max) or lowest satisfying version. */
PyObject *cicd_py_semver_satisfying(PyObject *list, const cicd_semver_range *r, int max)
{
	size_t n = 0, index = 0;
	cicd_semver **items = cicd_py_semver_array(list, &n);
	int rc;
	if (!items)
		return NULL;
	rc = max ? cicd_semver_max_satisfying(&index, items, n, r) : cicd_semver_min_satisfying(&index, items, n, r);
	free(items);
	return Py_BuildValue("[in]", rc, (Py_ssize_t)index);
}
%}

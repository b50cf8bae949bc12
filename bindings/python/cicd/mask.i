/*
 * mask: the masker takes its values as a list of bytes and gives bytes back
 * (a trace is bytes, not text). The Python layer checks the argument types.
 */
CICD_OUT(cicd_mask)

%ignore cicd_mask_new;
%ignore cicd_mask_write;
%ignore cicd_mask_finish;
%ignore cicd_crc32;

%immutable;
%include <cicd/mask.h>
%mutable;

%{
static PyObject *cicd_py_mask_output(int rc, cicd_buf *out)
{
	PyObject *b = PyBytes_FromStringAndSize(out->ptr ? out->ptr : "", (Py_ssize_t)out->size);
	cicd_buf_dispose(out);
	if (!b)
		return NULL;
	return Py_BuildValue("[iN]", rc, b);
}
%}

%inline %{
/* values and prefixes: lists of bytes. */
int cicd_py_mask_new(cicd_mask **out, PyObject *values, unsigned int flags, PyObject *prefixes, size_t max_phrases,
		     size_t max_phrase_len)
{
	cicd_mask_options o = CICD_MASK_OPTIONS_INIT;
	Py_ssize_t nv = PyList_Size(values), np = PyList_Size(prefixes), i;
	const char **v = calloc((size_t)nv + 1, sizeof(*v));
	size_t *lens = calloc((size_t)nv + 1, sizeof(*lens));
	const char **p = calloc((size_t)np + 1, sizeof(*p));
	int rc = CICD_ENOMEM;
	if (!v || !lens || !p)
		goto done;
	for (i = 0; i < nv; i++) {
		Py_ssize_t n = 0;
		char *s = NULL;
		PyBytes_AsStringAndSize(PyList_GET_ITEM(values, i), &s, &n);
		v[i] = s;
		lens[i] = (size_t)n;
	}
	for (i = 0; i < np; i++)
		p[i] = PyBytes_AsString(PyList_GET_ITEM(prefixes, i));
	o.flags = flags;
	o.extra_prefixes = p;
	o.extra_prefix_count = (size_t)np;
	o.max_phrases = max_phrases;
	o.max_phrase_len = max_phrase_len;
	rc = cicd_mask_new(out, v, lens, (size_t)nv, &o);
done:
	free(v);
	free(lens);
	free(p);
	return rc;
}

/* [status, bytes]: what can be decided of buf. */
PyObject *cicd_py_mask_write(cicd_mask *mask, const char *buf, size_t len)
{
	cicd_buf out = CICD_BUF_INIT;
	int rc = cicd_mask_write(mask, &out, buf, len);
	return cicd_py_mask_output(rc, &out);
}

/* [status, bytes]: everything held back. */
PyObject *cicd_py_mask_finish(cicd_mask *mask)
{
	cicd_buf out = CICD_BUF_INIT;
	int rc = cicd_mask_finish(mask, &out);
	return cicd_py_mask_output(rc, &out);
}

unsigned long cicd_py_crc32(unsigned long crc, const char *buf, size_t len)
{
	return cicd_crc32((uint32_t)crc, buf, len);
}
%}

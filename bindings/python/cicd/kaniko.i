/*
 * kaniko: the build Pod or Job, its docker-config Secret and CA ConfigMap.
 * The build spec comes as arguments; its string lists are Python lists of
 * str, held by the caller for the duration of the call.
 */
%{
#include <cicd/kaniko.h>
%}

%ignore cicd_kaniko_build;
%ignore cicd_kaniko_build_init;
%ignore cicd_kaniko_render;

%immutable;
%include <cicd/kaniko.h>
%mutable;

%{
/* The list's items as UTF-8 pointers borrowed from the list (malloc'd array); -1 with a Python error set. */
static int cicd_py_kaniko_strings(const char ***out, size_t *n, PyObject *list)
{
	Py_ssize_t i, len;
	*out = NULL;
	*n = 0;
	if (!PyList_Check(list)) {
		PyErr_SetString(PyExc_TypeError, "expected a list of str");
		return -1;
	}
	len = PyList_GET_SIZE(list);
	if (len == 0)
		return 0;
	*out = (const char **)calloc((size_t)len, sizeof **out);
	if (!*out) {
		PyErr_NoMemory();
		return -1;
	}
	for (i = 0; i < len; i++) {
		Py_ssize_t slen;
		const char *s = PyUnicode_AsUTF8AndSize(PyList_GET_ITEM(list, i), &slen);
		if (!s || (size_t)slen != strlen(s)) {
			if (s)
				PyErr_SetString(PyExc_ValueError, "embedded NUL character");
			free((void *)*out);
			*out = NULL;
			return -1;
		}
		(*out)[i] = s;
	}
	*n = (size_t)len;
	return 0;
}
%}

%inline %{
/* [status, text]; ca_bundle is bytes or None. */
PyObject *cicd_py_kaniko_render(unsigned int flags, unsigned int format, const char *name, const char *ns,
				const char *image, const char *context, const char *dockerfile, PyObject *destinations,
				PyObject *build_args, const char *target, const char *cache_repo,
				const char *snapshot_mode, PyObject *ca_bundle, PyObject *registries,
				PyObject *usernames, PyObject *passwords, const char *context_claim,
				const char *service_account, const char *cpu_request, const char *cpu_limit,
				const char *memory_request, const char *memory_limit, long long active_deadline_seconds)
{
	cicd_kaniko_build b = CICD_KANIKO_BUILD_INIT;
	cicd_buf out = CICD_BUF_INIT;
	const char **dest = NULL, **args = NULL, **regs = NULL, **users = NULL, **pws = NULL;
	size_t nregs = 0, nusers = 0, npws = 0;
	PyObject *s = NULL;
	int rc;
	b.flags = flags;
	b.format = format;
	b.name = name;
	b.ns = ns;
	b.image = image;
	b.context = context;
	b.dockerfile = dockerfile;
	b.target = target;
	b.cache_repo = cache_repo;
	b.snapshot_mode = snapshot_mode;
	b.context_claim = context_claim;
	b.service_account = service_account;
	b.cpu_request = cpu_request;
	b.cpu_limit = cpu_limit;
	b.memory_request = memory_request;
	b.memory_limit = memory_limit;
	b.active_deadline_seconds = active_deadline_seconds;
	if (ca_bundle != Py_None) {
		char *buf = NULL;
		Py_ssize_t len = 0;
		if (PyBytes_AsStringAndSize(ca_bundle, &buf, &len) < 0)
			return NULL;
		if (len > 0) {
			b.ca_bundle = buf;
			b.ca_bundle_len = (size_t)len;
		}
	}
	if (cicd_py_kaniko_strings(&dest, &b.destination_count, destinations) < 0 ||
	    cicd_py_kaniko_strings(&args, &b.build_arg_count, build_args) < 0 ||
	    cicd_py_kaniko_strings(&regs, &nregs, registries) < 0 ||
	    cicd_py_kaniko_strings(&users, &nusers, usernames) < 0 ||
	    cicd_py_kaniko_strings(&pws, &npws, passwords) < 0)
		goto done;
	if (nusers != nregs || npws != nregs) {
		PyErr_SetString(PyExc_ValueError, "registries, usernames and passwords differ in length");
		goto done;
	}
	b.destinations = dest;
	b.build_args = args;
	b.registries = regs;
	b.usernames = users;
	b.passwords = pws;
	b.credential_count = nregs;
	rc = cicd_kaniko_render(&out, &b);
	s = PyUnicode_DecodeUTF8(out.ptr ? out.ptr : "", (Py_ssize_t)out.size, "surrogateescape");
	if (s)
		s = Py_BuildValue("[iN]", rc, s);
done:
	cicd_buf_dispose(&out);
	free((void *)dest);
	free((void *)args);
	free((void *)regs);
	free((void *)users);
	free((void *)pws);
	return s;
}
%}

/*
 * log: cicd_log_set with a Python callable. The callable (and the LogLevel
 * type that wraps the level) are kept here while installed, guarded by the
 * GIL; the C callback takes the GIL itself, since it runs on whichever
 * thread logs, often inside a call that released the GIL. An exception in
 * the handler is reported as unraisable and never reaches the library.
 */
%{
static PyObject *cicd_py_log_handler = NULL;
static PyObject *cicd_py_log_level_type = NULL;

static void cicd_py_log_cb(cicd_log_level level, const char *message, void *payload)
{
	PyGILState_STATE gil = PyGILState_Ensure();
	PyObject *handler = cicd_py_log_handler, *type = cicd_py_log_level_type;
	PyObject *etype, *evalue, *etb;
	(void)payload;
	if (!handler) { /* turned off while this line was on its way */
		PyGILState_Release(gil);
		return;
	}
	/* keep whatever error the thread had: the handler must not clear or replace it */
	PyErr_Fetch(&etype, &evalue, &etb);
	Py_INCREF(handler);
	Py_INCREF(type);
	{
		PyObject *lvl = PyObject_CallFunction(type, "i", (int)level);
		PyObject *msg = PyUnicode_DecodeUTF8(message, (Py_ssize_t)strlen(message), "replace");
		PyObject *r = lvl && msg ? PyObject_CallFunctionObjArgs(handler, lvl, msg, NULL) : NULL;
		if (!r)
			PyErr_WriteUnraisable(handler);
		Py_XDECREF(r);
		Py_XDECREF(lvl);
		Py_XDECREF(msg);
	}
	Py_DECREF(type);
	Py_DECREF(handler);
	PyErr_Restore(etype, evalue, etb);
	PyGILState_Release(gil);
}
%}

%inline %{
/* Installs handler(level_type(level), message) for lines at or above level; None or level 0 turns logging off. */
void cicd_py_log_set(PyObject *handler, PyObject *level_type, int level)
{
	PyObject *old_handler = cicd_py_log_handler, *old_type = cicd_py_log_level_type;
	if (handler == Py_None || level <= CICD_LOG_NONE) {
		/* the library stops calling first; a line already past its check finds no handler */
		cicd_log_set(CICD_LOG_NONE, NULL, NULL);
		cicd_py_log_handler = NULL;
		cicd_py_log_level_type = NULL;
	} else {
		Py_INCREF(handler);
		Py_INCREF(level_type);
		cicd_py_log_handler = handler;
		cicd_py_log_level_type = level_type;
		cicd_log_set((cicd_log_level)level, cicd_py_log_cb, NULL);
	}
	Py_XDECREF(old_handler);
	Py_XDECREF(old_type);
}

/* The installed handler, or None. */
PyObject *cicd_py_log_handler_get(void)
{
	PyObject *h = cicd_py_log_handler ? cicd_py_log_handler : Py_None;
	Py_INCREF(h);
	return h;
}
%}

/*
 * plan: triggers, planners and plans. A trigger's `exists` and `compare`
 * callbacks call Python callables; their context lives in a capsule the
 * Python Trigger keeps, and an exception one raises is re-raised by the
 * plan or load call.
 */
%{
#include <cicd/plan.h>
%}

CICD_OUT(cicd_trigger)
CICD_OUT(cicd_planner)
CICD_OUT(cicd_plan)

%ignore cicd_trigger_set_exists;
%ignore cicd_trigger_set_compare;
%ignore cicd_path_list_add;
%ignore cicd_plan_create;
%ignore cicd_planner_new;
%ignore cicd_plan_variable;
%ignore cicd_plan_job_variable;
%ignore cicd_planner_options;

%immutable;
%include <cicd/plan.h>
%mutable;

%{
typedef struct {
	PyObject *fn;      /* callable(glob) -> bool, or NULL; a reference held by the capsule */
	PyObject *compare; /* callable(ref) -> iterable of str, or None for no such ref; or NULL */
	PyObject *etype, *evalue, *etb;
} cicd_py_trigger_ctx;

static int cicd_py_exists(int *found, const char *glob, void *payload)
{
	cicd_py_trigger_ctx *ctx = payload;
	PyObject *r;
	int truth;
	if (ctx->etype)
		return CICD_EUSER;
	r = PyObject_CallFunction(ctx->fn, "s", glob);
	truth = r ? PyObject_IsTrue(r) : -1;
	Py_XDECREF(r);
	if (truth < 0) {
		PyErr_Fetch(&ctx->etype, &ctx->evalue, &ctx->etb);
		return CICD_EUSER;
	}
	*found = truth;
	return 0;
}

/* The paths the compare callable gives for ref; CICD_ENOTFOUND when it gives None. */
static int cicd_py_compare(cicd_path_list *changed, const char *ref, void *payload)
{
	cicd_py_trigger_ctx *ctx = payload;
	PyObject *r, *it, *item;
	int rc = 0;
	if (ctx->etype)
		return CICD_EUSER;
	if (!(r = PyObject_CallFunction(ctx->compare, "s", ref)))
		goto raised;
	if (r == Py_None) {
		Py_DECREF(r);
		return CICD_ENOTFOUND;
	}
	it = PyObject_GetIter(r);
	Py_DECREF(r);
	if (!it)
		goto raised;
	while (!rc && (item = PyIter_Next(it))) {
		const char *path = PyUnicode_Check(item) ? PyUnicode_AsUTF8(item) : NULL;
		if (!path && !PyErr_Occurred())
			PyErr_Format(PyExc_TypeError, "compare must give paths as str, not %.100s", Py_TYPE(item)->tp_name);
		rc = path ? cicd_path_list_add(changed, path) : CICD_EUSER;
		Py_DECREF(item);
	}
	Py_DECREF(it);
	if (PyErr_Occurred())
		goto raised;
	return rc;
raised:
	PyErr_Fetch(&ctx->etype, &ctx->evalue, &ctx->etb);
	return CICD_EUSER;
}

static int cicd_py_trigger_reraise(PyObject *callbacks)
{
	cicd_py_trigger_ctx *ctx = PyCapsule_GetPointer(callbacks, "cicd.trigger");
	if (!ctx)
		return 1;
	if (!ctx->etype)
		return 0;
	PyErr_Restore(ctx->etype, ctx->evalue, ctx->etb);
	ctx->etype = ctx->evalue = ctx->etb = NULL;
	return 1;
}

static void cicd_py_trigger_ctx_free(PyObject *capsule)
{
	cicd_py_trigger_ctx *ctx = PyCapsule_GetPointer(capsule, "cicd.trigger");
	if (!ctx)
		return;
	Py_XDECREF(ctx->fn);
	Py_XDECREF(ctx->compare);
	Py_XDECREF(ctx->etype);
	Py_XDECREF(ctx->evalue);
	Py_XDECREF(ctx->etb);
	free(ctx);
}
%}

%inline %{
/* [status, capsule]: the trigger calls exists for `exists` and compare for
 * `changes:compare_to` (None: not set); keep the capsule as long as the trigger. */
PyObject *cicd_py_trigger_set_callbacks(cicd_trigger *trigger, PyObject *exists, PyObject *compare)
{
	cicd_py_trigger_ctx *ctx = calloc(1, sizeof(*ctx));
	PyObject *capsule;
	int rc = 0;
	if (!ctx)
		return PyErr_NoMemory();
	capsule = PyCapsule_New(ctx, "cicd.trigger", cicd_py_trigger_ctx_free);
	if (!capsule) {
		free(ctx);
		return NULL;
	}
	if (exists != Py_None) {
		Py_INCREF(exists);
		ctx->fn = exists;
		rc = cicd_trigger_set_exists(trigger, cicd_py_exists, ctx);
	}
	if (!rc && compare != Py_None) {
		Py_INCREF(compare);
		ctx->compare = compare;
		rc = cicd_trigger_set_compare(trigger, cicd_py_compare, ctx);
	}
	return Py_BuildValue("[iN]", rc, capsule);
}

int cicd_py_planner_new(cicd_planner **out, const cicd_pipeline *pipeline, size_t max_jobs)
{
	cicd_planner_options o = CICD_PLANNER_OPTIONS_INIT;
	o.max_jobs = max_jobs;
	return cicd_planner_new(out, pipeline, &o);
}

/* [status, plan or None]; re-raises what the trigger's exists or compare callable raised. */
PyObject *cicd_py_plan_create(const cicd_planner *planner, const cicd_trigger *trigger, PyObject *callbacks)
{
	cicd_plan *plan = NULL;
	cicd_py_trigger_ctx *ctx = callbacks != Py_None ? PyCapsule_GetPointer(callbacks, "cicd.trigger") : NULL;
	int rc;
	if (callbacks != Py_None && !ctx)
		return NULL;
	rc = cicd_plan_create(&plan, planner, trigger);
	if (ctx && ctx->etype) {
		cicd_plan_free(plan);
		PyErr_Restore(ctx->etype, ctx->evalue, ctx->etb);
		ctx->etype = ctx->evalue = ctx->etb = NULL;
		return NULL;
	}
	if (!plan) {
		Py_INCREF(Py_None);
		return Py_BuildValue("[iN]", rc, Py_None);
	}
	return Py_BuildValue("[iN]", rc, SWIG_NewPointerObj(SWIG_as_voidptr(plan), SWIGTYPE_p_cicd_plan, 0));
}

/* The variable's value, or None when undefined. */
PyObject *cicd_py_plan_variable(const cicd_plan *plan, const char *name)
{
	const char *value = NULL;
	if (cicd_plan_variable(&value, plan, name) < 0)
		Py_RETURN_NONE;
	return PyUnicode_DecodeUTF8(value, (Py_ssize_t)strlen(value), "surrogateescape");
}

/* The job's variables as a list of (name, value). */
PyObject *cicd_py_plan_job_variables(const cicd_plan_job *job)
{
	size_t i, n = cicd_plan_job_variable_count(job);
	PyObject *list = PyList_New(0);
	for (i = 0; list && i < n; i++) {
		const char *name = NULL, *value = NULL;
		PyObject *t;
		if (cicd_plan_job_variable(&name, &value, job, i) < 0)
			continue;
		t = Py_BuildValue("(ss)", name, value);
		if (!t || PyList_Append(list, t) < 0)
			Py_CLEAR(list);
		Py_XDECREF(t);
	}
	return list;
}
%}

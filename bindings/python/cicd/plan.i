/*
 * plan: triggers, planners and plans. A trigger's `exists` callback calls a
 * Python callable; its context lives in a capsule the Python Trigger keeps,
 * and an exception it raises is re-raised by the plan call.
 */
%{
#include <cicd/plan.h>
%}

CICD_OUT(cicd_trigger)
CICD_OUT(cicd_planner)
CICD_OUT(cicd_plan)

%ignore cicd_trigger_set_exists;
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
	PyObject *fn; /* callable(glob) -> bool; a reference held by the capsule */
	PyObject *etype, *evalue, *etb;
} cicd_py_exists_ctx;

static int cicd_py_exists(int *found, const char *glob, void *payload)
{
	cicd_py_exists_ctx *ctx = payload;
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

static int cicd_py_exists_reraise(PyObject *exists)
{
	cicd_py_exists_ctx *ctx = PyCapsule_GetPointer(exists, "cicd.exists");
	if (!ctx)
		return 1;
	if (!ctx->etype)
		return 0;
	PyErr_Restore(ctx->etype, ctx->evalue, ctx->etb);
	ctx->etype = ctx->evalue = ctx->etb = NULL;
	return 1;
}

static void cicd_py_exists_free(PyObject *capsule)
{
	cicd_py_exists_ctx *ctx = PyCapsule_GetPointer(capsule, "cicd.exists");
	if (!ctx)
		return;
	Py_XDECREF(ctx->fn);
	Py_XDECREF(ctx->etype);
	Py_XDECREF(ctx->evalue);
	Py_XDECREF(ctx->etb);
	free(ctx);
}
%}

%inline %{
/* [status, capsule]: the trigger calls fn for `exists`; keep the capsule as long as the trigger. */
PyObject *cicd_py_trigger_set_exists(cicd_trigger *trigger, PyObject *fn)
{
	cicd_py_exists_ctx *ctx = calloc(1, sizeof(*ctx));
	PyObject *capsule;
	int rc;
	if (!ctx)
		return PyErr_NoMemory();
	capsule = PyCapsule_New(ctx, "cicd.exists", cicd_py_exists_free);
	if (!capsule) {
		free(ctx);
		return NULL;
	}
	Py_INCREF(fn);
	ctx->fn = fn;
	rc = cicd_trigger_set_exists(trigger, cicd_py_exists, ctx);
	return Py_BuildValue("[iN]", rc, capsule);
}

int cicd_py_planner_new(cicd_planner **out, const cicd_pipeline *pipeline, size_t max_jobs)
{
	cicd_planner_options o = CICD_PLANNER_OPTIONS_INIT;
	o.max_jobs = max_jobs;
	return cicd_planner_new(out, pipeline, &o);
}

/* [status, plan or None]; re-raises what the exists callable raised. */
PyObject *cicd_py_plan_create(const cicd_planner *planner, const cicd_trigger *trigger, PyObject *exists)
{
	cicd_plan *plan = NULL;
	cicd_py_exists_ctx *ctx = exists != Py_None ? PyCapsule_GetPointer(exists, "cicd.exists") : NULL;
	int rc;
	if (exists != Py_None && !ctx)
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

package cicd

/*
#include <stdint.h>
#include <stdlib.h>
#include <cicd/cicd.h>
#include <cicd/plan.h>

extern int cicdGoExists(int *found, char *glob, uintptr_t handle);
extern int cicdGoCompare(cicd_path_list *changed, char *ref, uintptr_t handle);

static int shim_exists(int *found, const char *glob, void *payload)
{
	return cicdGoExists(found, (char *)glob, (uintptr_t)payload);
}

static int shim_compare(cicd_path_list *changed, const char *ref, void *payload)
{
	return cicdGoCompare(changed, (char *)ref, (uintptr_t)payload);
}

static int shim_planner_new(cicd_planner **out, const cicd_pipeline *p, size_t max_jobs, cicd_error **err)
{
	cicd_planner_options o = CICD_PLANNER_OPTIONS_INIT;
	int rc;
	o.max_jobs = max_jobs;
	rc = cicd_planner_new(out, p, &o);
	if (rc < 0)
		cicd_error_dup(err);
	return rc;
}

static int shim_trigger_new(cicd_trigger **out, int kind, const char *ref, cicd_error **err)
{
	int rc = cicd_trigger_new(out, (cicd_trigger_kind)kind, ref);
	if (rc < 0)
		cicd_error_dup(err);
	return rc;
}

enum { SET_SOURCE, SET_DEFAULT_BRANCH, SET_PROJECT, SET_SHA, SET_MERGE_REQUEST, SET_OPEN_MRS, SET_VARIABLE,
       ADD_CHANGED, SET_CHANGES_KNOWN, SET_EXISTS, SET_MASKED_VARIABLE, SET_COMPARE };

// One setter of a trigger: which picks it, a..e are its string arguments, n its number.
static int shim_trigger_set(cicd_trigger *t, int which, const char *a, const char *b, const char *c,
			    const char *d, unsigned n, uintptr_t handle, cicd_error **err)
{
	int rc = CICD_EINVALID;
	switch (which) {
	case SET_SOURCE: rc = cicd_trigger_set_source(t, a); break;
	case SET_DEFAULT_BRANCH: rc = cicd_trigger_set_default_branch(t, a); break;
	case SET_PROJECT: rc = cicd_trigger_set_project(t, a); break;
	case SET_SHA: rc = cicd_trigger_set_sha(t, a); break;
	case SET_MERGE_REQUEST: rc = cicd_trigger_set_merge_request(t, a, n, b, c, d); break;
	case SET_OPEN_MRS: rc = cicd_trigger_set_open_merge_requests(t, a); break;
	case SET_VARIABLE: rc = cicd_trigger_set_variable(t, a, b); break;
	case ADD_CHANGED: rc = cicd_trigger_add_changed(t, a); break;
	case SET_CHANGES_KNOWN: rc = cicd_trigger_set_changes_known(t); break;
	case SET_EXISTS: rc = cicd_trigger_set_exists(t, shim_exists, (void *)handle); break;
	case SET_MASKED_VARIABLE: rc = cicd_trigger_set_masked_variable(t, a, b); break;
	case SET_COMPARE: rc = cicd_trigger_set_compare(t, shim_compare, (void *)handle); break;
	}
	if (rc < 0)
		cicd_error_dup(err);
	return rc;
}

static int shim_plan_create(cicd_plan **out, const cicd_planner *planner, const cicd_trigger *t, cicd_error **err)
{
	int rc = cicd_plan_create(out, planner, t);
	if (rc < 0)
		cicd_error_dup(err);
	return rc;
}

static int shim_plan_json(cicd_buf *out, const cicd_plan *plan, unsigned flags, cicd_error **err)
{
	int rc = cicd_plan_to_json(out, plan, flags);
	if (rc < 0)
		cicd_error_dup(err);
	return rc;
}
*/
import "C"

import (
	"runtime"
	"runtime/cgo"
	"sort"
	"strings"
)

// TriggerKind is what a pipeline is created for.
type TriggerKind int

const (
	TriggerBranch       TriggerKind = C.CICD_TRIGGER_BRANCH
	TriggerTag          TriggerKind = C.CICD_TRIGGER_TAG
	TriggerMergeRequest TriggerKind = C.CICD_TRIGGER_MERGE_REQUEST
)

// MergeRequest details of a merge-request trigger.
type MergeRequest struct {
	TargetBranch string
	IID          int
	EventType    string // "detached" (""), "merged_result" or "merge_train"
	Labels       []string
	Title        string
}

// Trigger describes what a pipeline is created for. Empty fields keep the
// library's defaults (source "push", default branch "main", project
// "group/project").
type Trigger struct {
	Kind              TriggerKind
	Ref               string // branch, tag, or the merge request's source branch
	Source            string // CI_PIPELINE_SOURCE: push, web, api, schedule, ...
	DefaultBranch     string
	Project           string
	SHA               string // 40 lower-case hex digits
	MergeRequest      *MergeRequest
	OpenMergeRequests string
	Variables         map[string]string // pipeline variables; they win over the file's
	// MaskedVariables are pipeline variables whose values are secrets: a
	// pipeline loaded with the trigger shows [MASKED] for them in include
	// errors. A name in both maps takes the masked value.
	MaskedVariables map[string]string
	// Changed are the paths a push changed; nil means unknown (`changes`
	// always holds), an empty non-nil slice means nothing changed.
	Changed []string
	// Exists answers `rules:exists` for a glob; nil means no file exists.
	Exists func(glob string) (bool, error)
	// Compare answers `changes:compare_to`: the paths changed since ref's
	// merge base with the pipeline's commit (`git diff --name-only
	// REF...SHA`), or an error wrapping ErrNotFound when ref names no
	// commit. nil: compare_to compares with Changed like plain `changes`.
	Compare func(ref string) ([]string, error)
}

// PlannerOptions limit planning; zero values are the library's defaults
// (50,000 job instances in one plan).
type PlannerOptions struct {
	MaxJobs int
}

// Planner compiles every expression of a pipeline once; Plan then works per
// trigger, from several goroutines at once if need be. It keeps its
// Pipeline reachable; close the Pipeline only after the Planner and its Plans.
type Planner struct {
	ptr *C.cicd_planner
	p   *Pipeline
}

// NewPlanner compiles the pipeline's expressions; an invalid one is an
// *Error with ErrCodeParse and its file, line and column.
func NewPlanner(p *Pipeline, o *PlannerOptions) (*Planner, error) {
	if o == nil {
		o = &PlannerOptions{}
	}
	var out *C.cicd_planner
	var cerr *C.cicd_error
	rc := C.shim_planner_new(&out, p.live(), C.size_t(o.MaxJobs), &cerr)
	runtime.KeepAlive(p)
	if err := fromC(rc, cerr); err != nil {
		return nil, err
	}
	pl := &Planner{ptr: out, p: p}
	runtime.SetFinalizer(pl, (*Planner).Close)
	return pl, nil
}

// Close frees the planner. Safe to call twice.
func (pl *Planner) Close() error {
	if pl.ptr != nil {
		C.cicd_planner_free(pl.ptr)
		pl.ptr = nil
		runtime.SetFinalizer(pl, nil)
	}
	return nil
}

func (pl *Planner) live() *C.cicd_planner {
	if pl.ptr == nil {
		panic("cicd: use of a closed Planner")
	}
	pl.p.live()
	return pl.ptr
}

type triggerSetter int

const (
	setSource triggerSetter = iota
	setDefaultBranch
	setProject
	setSHA
	setMergeRequest
	setOpenMRs
	setVariable
	addChanged
	setChangesKnown
	setExists
	setMaskedVariable
	setCompare
)

// state is what the trigger's Go functions share with their callbacks, or nil when it has none.
func (t *Trigger) state() *triggerState {
	if t.Exists == nil && t.Compare == nil {
		return nil
	}
	return &triggerState{exists: t.Exists, compare: t.Compare}
}

func (t *Trigger) build(state cgo.Handle) (*C.cicd_trigger, error) {
	var out *C.cicd_trigger
	var cerr *C.cicd_error
	cref := cstring(t.Ref)
	defer free(cref)
	if err := fromC(C.shim_trigger_new(&out, C.int(t.Kind), cref, &cerr), cerr); err != nil {
		return nil, err
	}
	set := func(which triggerSetter, n int, args ...string) error {
		var c [4]*C.char
		for i, a := range args {
			if a == "" && which == setMergeRequest && i > 0 {
				continue // NULL: the default event type, no labels, no title
			}
			c[i] = cstring(a)
			defer free(c[i])
		}
		var cerr *C.cicd_error
		rc := C.shim_trigger_set(out, C.int(which), c[0], c[1], c[2], c[3], C.uint(n), C.uintptr_t(state), &cerr)
		return fromC(rc, cerr)
	}
	steps := []func() error{}
	add := func(cond bool, which triggerSetter, args ...string) {
		if cond {
			steps = append(steps, func() error { return set(which, 0, args...) })
		}
	}
	add(t.Source != "", setSource, t.Source)
	add(t.DefaultBranch != "", setDefaultBranch, t.DefaultBranch)
	add(t.Project != "", setProject, t.Project)
	add(t.SHA != "", setSHA, t.SHA)
	add(t.OpenMergeRequests != "", setOpenMRs, t.OpenMergeRequests)
	if mr := t.MergeRequest; mr != nil {
		steps = append(steps, func() error {
			return set(setMergeRequest, mr.IID, mr.TargetBranch, mr.EventType, strings.Join(mr.Labels, ","), mr.Title)
		})
	}
	names := make([]string, 0, len(t.Variables))
	for k := range t.Variables {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		add(true, setVariable, k, t.Variables[k])
	}
	names = names[:0]
	for k := range t.MaskedVariables {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		add(true, setMaskedVariable, k, t.MaskedVariables[k])
	}
	add(t.Changed != nil, setChangesKnown)
	for _, path := range t.Changed {
		add(true, addChanged, path)
	}
	add(t.Exists != nil, setExists)
	add(t.Compare != nil, setCompare)
	for _, step := range steps {
		if err := step(); err != nil {
			C.cicd_trigger_free(out)
			return nil, err
		}
	}
	return out, nil
}

// Plan plans the pipeline for a trigger: a Plan that is created or not, or
// an *Error with ErrCodeValidate (and the offending keyword's position) when
// GitLab would fail to create the pipeline, ErrCodeInvalid for a bad
// trigger, or the error t.Exists or t.Compare returned.
func (pl *Planner) Plan(t *Trigger) (*Plan, error) {
	var handle cgo.Handle
	state := t.state()
	if state != nil {
		handle = cgo.NewHandle(state)
		defer handle.Delete()
	}
	ct, err := t.build(handle)
	if err != nil {
		return nil, err
	}
	defer C.cicd_trigger_free(ct)
	var out *C.cicd_plan
	var cerr *C.cicd_error
	rc := C.shim_plan_create(&out, pl.live(), ct, &cerr)
	runtime.KeepAlive(pl)
	if state != nil && state.err != nil {
		C.cicd_plan_free(out)
		fromC(0, cerr)
		return nil, state.err
	}
	if err := fromC(rc, cerr); err != nil {
		return nil, err
	}
	return pl.newPlan(out), nil
}

// PlanPipeline is NewPlanner and Plan in one call, for a single trigger.
func PlanPipeline(p *Pipeline, t *Trigger) (*Plan, error) {
	pl, err := NewPlanner(p, nil)
	if err != nil {
		return nil, err
	}
	return pl.Plan(t)
}

// PlanJob is a job of a plan, copied out of it.
type PlanJob struct {
	Index        int
	Name         string // an instance name for parallel jobs: "test 1/3", "build: [amd64]"
	Stage        string
	When         string // on_success, on_failure, always, manual or delayed
	AllowFailure bool
	StartIn      string
	Needs        []string    // nil when the job waits for the earlier stages
	Variables    []NameValue // the job's own variables, unexpanded, in definition order
	// Prerequisites are indices into Plan.Jobs: the needed jobs or, without
	// needs, every job of the earlier stages.
	Prerequisites []int
	Source        *Job // the pipeline job it comes from
}

// Plan is the pipeline GitLab would create for a trigger. Its fields are
// copies; Variable and JSON read the plan and need it open. Close it when done.
type Plan struct {
	ptr     *C.cicd_plan
	planner *Planner

	Created      bool
	Reason       string // why no pipeline is created
	Name         string // workflow:name expanded
	Stages       []string
	Jobs         []PlanJob
	Topological  []int // a topological order of Jobs (indices)
	CriticalPath []int // the longest chain of prerequisites (indices)
}

func (pl *Planner) newPlan(h *C.cicd_plan) *Plan {
	p := &Plan{
		ptr:     h,
		planner: pl,
		Created: C.cicd_plan_created(h) != 0,
		Reason:  gostr(C.cicd_plan_reason(h)),
		Name:    gostr(C.cicd_plan_name(h)),
		Stages:  cstrings(C.cicd_plan_stage_count(h), func(i C.size_t) *C.char { return C.cicd_plan_stage(h, i) }),
	}
	count := C.cicd_plan_job_count(h)
	for i := C.size_t(0); i < count; i++ {
		j := C.cicd_plan_job_at(h, i)
		job := PlanJob{
			Index:        int(i),
			Name:         gostr(C.cicd_plan_job_name(j)),
			Stage:        gostr(C.cicd_plan_job_stage(j)),
			When:         gostr(C.cicd_plan_job_when(j)),
			AllowFailure: C.cicd_plan_job_allow_failure(j) != 0,
			StartIn:      gostr(C.cicd_plan_job_start_in(j)),
			Source:       pl.p.job(C.cicd_plan_job_source(j)),
		}
		if n := C.cicd_plan_job_need_count(j); n >= 0 {
			job.Needs = cstrings(C.size_t(n), func(k C.size_t) *C.char { return C.cicd_plan_job_need(j, k) })
		}
		for v, nv := C.size_t(0), C.cicd_plan_job_variable_count(j); v < nv; v++ {
			var name, value *C.char
			if C.cicd_plan_job_variable(&name, &value, j, v) == 0 {
				job.Variables = append(job.Variables, NameValue{gostr(name), gostr(value)})
			}
		}
		job.Prerequisites = []int{}
		for k, nk := C.size_t(0), C.cicd_plan_job_prerequisite_count(h, i); k < nk; k++ {
			job.Prerequisites = append(job.Prerequisites, int(C.cicd_plan_job_prerequisite(h, i, k)))
		}
		p.Jobs = append(p.Jobs, job)
		p.Topological = append(p.Topological, int(C.cicd_plan_topological(h, i)))
	}
	for k, nk := C.size_t(0), C.cicd_plan_critical_path_count(h); k < nk; k++ {
		p.CriticalPath = append(p.CriticalPath, int(C.cicd_plan_critical_path(h, k)))
	}
	runtime.SetFinalizer(p, (*Plan).Close)
	return p
}

// Close frees the plan. Safe to call twice.
func (p *Plan) Close() error {
	if p.ptr != nil {
		C.cicd_plan_free(p.ptr)
		p.ptr = nil
		runtime.SetFinalizer(p, nil)
	}
	return nil
}

func (p *Plan) live() *C.cicd_plan {
	if p.ptr == nil {
		panic("cicd: use of a closed Plan")
	}
	p.planner.live()
	return p.ptr
}

// Job is the plan's job called name, or nil.
func (p *Plan) Job(name string) *PlanJob {
	for i := range p.Jobs {
		if p.Jobs[i].Name == name {
			return &p.Jobs[i]
		}
	}
	return nil
}

// Variable is a pipeline-level variable (predefined, global, workflow,
// pipeline) as the plan saw it; false when undefined.
func (p *Plan) Variable(name string) (string, bool) {
	cname := cstring(name)
	defer free(cname)
	var value *C.char
	rc := C.cicd_plan_variable(&value, p.live(), cname)
	runtime.KeepAlive(p)
	if rc < 0 {
		return "", false
	}
	return gostr(value), true
}

// JSON is the plan as JSON (docs/plan.md).
func (p *Plan) JSON(pretty bool) (string, error) {
	var buf C.cicd_buf
	var cerr *C.cicd_error
	flags := C.uint(0)
	if pretty {
		flags = C.CICD_FORMAT_PRETTY
	}
	rc := C.shim_plan_json(&buf, p.live(), flags, &cerr)
	runtime.KeepAlive(p)
	defer C.cicd_buf_dispose(&buf)
	if err := fromC(rc, cerr); err != nil {
		return "", err
	}
	return C.GoStringN(buf.ptr, C.int(buf.size)), nil
}

// GlobMatch reports whether path matches glob as GitLab matches `changes` and `exists`.
func GlobMatch(glob, path string) bool {
	cg, cp := cstring(glob), cstring(path)
	defer free(cg)
	defer free(cp)
	return C.cicd_plan_glob_match(cg, cp) != 0
}

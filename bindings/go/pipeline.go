package cicd

/*
#include <stdint.h>
#include <stdlib.h>
#include <cicd/cicd.h>
#include <cicd/pipeline.h>
#include <cicd/plan.h>

extern int cicdGoResolve(cicd_include_result *result, cicd_include_request *req, uintptr_t handle);

static int shim_resolve(cicd_include_result *result, const cicd_include_request *req, void *payload)
{
	return cicdGoResolve(result, (cicd_include_request *)req, (uintptr_t)payload);
}

static int shim_pipeline_load(cicd_pipeline **out, cicd_diagnostics **diags, const char *path, const char *buf,
			      size_t len, const char *name, const char *root, uintptr_t resolver, unsigned flags,
			      unsigned max_includes, unsigned max_include_depth, unsigned max_extends_depth,
			      unsigned max_reference_depth, size_t max_file_bytes, unsigned max_yaml_depth,
			      size_t max_diagnostics, cicd_trigger *trigger, cicd_error **err)
{
	cicd_pipeline_options o = CICD_PIPELINE_OPTIONS_INIT;
	int rc;
	o.flags = flags;
	if (trigger) {
		o.include_variables = cicd_trigger_lookup;
		o.include_variables_payload = trigger;
		o.include_rules = cicd_trigger_include_rules;
		o.include_rules_payload = trigger;
		o.masked_values = cicd_trigger_masked_values(trigger, &o.masked_value_count);
	}
	o.project_root = root;
	if (resolver) {
		o.resolver = shim_resolve;
		o.resolver_payload = (void *)resolver;
	}
	o.max_includes = max_includes;
	o.max_include_depth = max_include_depth;
	o.max_extends_depth = max_extends_depth;
	o.max_reference_depth = max_reference_depth;
	o.max_file_bytes = max_file_bytes;
	o.max_yaml_depth = max_yaml_depth;
	o.max_diagnostics = max_diagnostics;
	rc = path ? cicd_pipeline_load_file(out, diags, path, &o)
		  : cicd_pipeline_load_buffer(out, diags, buf, len, name, &o);
	if (rc < 0)
		cicd_error_dup(err);
	return rc;
}

static int shim_pipeline_json(cicd_buf *out, const cicd_pipeline *p, unsigned flags, cicd_error **err)
{
	int rc = cicd_pipeline_to_json(out, p, flags);
	if (rc < 0)
		cicd_error_dup(err);
	return rc;
}

static int shim_job_by_name(const cicd_job **out, const cicd_pipeline *p, const char *name, cicd_error **err)
{
	int rc = cicd_pipeline_job_by_name(out, p, name);
	if (rc < 0)
		cicd_error_dup(err);
	return rc;
}

static int shim_job_iterator_new(cicd_job_iterator **out, const cicd_pipeline *p, cicd_error **err)
{
	int rc = cicd_job_iterator_new(out, p);
	if (rc < 0)
		cicd_error_dup(err);
	return rc;
}

static int shim_job_iterator_next(const cicd_job **out, cicd_job_iterator *it, cicd_error **err)
{
	int rc = cicd_job_iterator_next(out, it);
	if (rc < 0 && rc != CICD_ITEROVER)
		cicd_error_dup(err);
	return rc;
}
*/
import "C"

import (
	"runtime"
	"runtime/cgo"
)

// IncludeKind is the kind of an `include` entry.
type IncludeKind int

const (
	IncludeLocal     IncludeKind = C.CICD_INCLUDE_LOCAL
	IncludeProject   IncludeKind = C.CICD_INCLUDE_PROJECT
	IncludeRemote    IncludeKind = C.CICD_INCLUDE_REMOTE
	IncludeTemplate  IncludeKind = C.CICD_INCLUDE_TEMPLATE
	IncludeComponent IncludeKind = C.CICD_INCLUDE_COMPONENT
)

// IncludeRequest is what an include asks for.
type IncludeRequest struct {
	Kind     IncludeKind
	Location string // path, URL, template or component
	Project  string // include:project, or ""
	Ref      string // include:ref, or ""
	Parent   string // the including file
	Depth    int    // 1 for an include of the main file
}

// IncludeResolver returns an included file's content and a display name for
// positions ("" for the location). Return an error that errors.Is
// ErrNotFound when the file does not exist (reported GitLab's way); any
// other error stops loading and is returned by the load as it is. A
// resolver that fetches should honor its caller's context itself.
type IncludeResolver func(req IncludeRequest) (content []byte, name string, err error)

// PipelineOptions tune loading; zero values are the library's defaults
// (GitLab's: 150 includes, 100 include levels, 11 extends levels, 10
// !reference levels, 4 MiB per file, 100 levels of YAML nesting, 1,000
// diagnostics kept).
type PipelineOptions struct {
	// ProjectRoot confines include:local ("": the file's directory; no local
	// includes for LoadPipelineBytes unless the resolver takes them).
	ProjectRoot       string
	Resolver          IncludeResolver
	ResolveLocal      bool // local includes go to Resolver too
	StrictKeys        bool // duplicate keys are errors
	MaxIncludes       int
	MaxIncludeDepth   int
	MaxExtendsDepth   int
	MaxReferenceDepth int
	MaxFileBytes      int
	MaxYAMLDepth      int
	MaxDiagnostics    int
	// Trigger, when set, makes the includes those GitLab reads for it: its
	// variables expanded in include locations (ci/$CI_COMMIT_REF_NAME.yml)
	// and include:rules decided with its variables, changes, Exists and Compare.
	// Without it locations are used as written and every include is read.
	Trigger *Trigger
}

// Pipeline is a loaded, resolved and validated .gitlab-ci.yml. It is
// immutable and may be read from several goroutines. Close it when done;
// nodes taken from it are valid until then, while the Job, Rule, Need and
// Variable values copied out of it stay valid.
type Pipeline struct {
	ptr *C.cicd_pipeline
	// Warnings found while loading.
	Warnings []Diagnostic
}

func (p *Pipeline) checkLive() { p.live() }

func (p *Pipeline) live() *C.cicd_pipeline {
	if p.ptr == nil {
		panic("cicd: use of a closed Pipeline")
	}
	return p.ptr
}

// Close frees the pipeline. Safe to call twice; not concurrently with reads.
func (p *Pipeline) Close() error {
	if p.ptr != nil {
		C.cicd_pipeline_free(p.ptr)
		p.ptr = nil
		runtime.SetFinalizer(p, nil)
	}
	return nil
}

func takeDiagnostics(list *C.cicd_diagnostics) []Diagnostic {
	if list == nil {
		return nil
	}
	defer C.cicd_diagnostics_free(list)
	count := int(C.cicd_diagnostics_count(list))
	out := make([]Diagnostic, 0, count)
	for i := 0; i < count; i++ {
		x := C.cicd_diagnostics_get(list, C.size_t(i))
		out = append(out, Diagnostic{
			Warning: x.severity == C.CICD_SEVERITY_WARNING,
			Code:    Code(x.code),
			Message: C.GoString(x.message),
			File:    C.GoString(x.file),
			Line:    int(x.line),
			Column:  int(x.column),
		})
	}
	return out
}

func loadPipeline(path *string, data []byte, name string, o *PipelineOptions) (*Pipeline, error) {
	if o == nil {
		o = &PipelineOptions{}
	}
	var cpath, cname, croot *C.char
	if path != nil {
		cpath = cstring(*path)
		defer free(cpath)
	}
	if name != "" {
		cname = cstring(name)
		defer free(cname)
	}
	if o.ProjectRoot != "" {
		croot = cstring(o.ProjectRoot)
		defer free(croot)
	}
	var state *resolveState
	var handle cgo.Handle
	if o.Resolver != nil {
		state = &resolveState{resolver: o.Resolver}
		handle = cgo.NewHandle(state)
		defer handle.Delete()
	}
	var ctrigger *C.cicd_trigger
	var callbacks *triggerState
	if t := o.Trigger; t != nil {
		var callbacksHandle cgo.Handle
		if callbacks = t.state(); callbacks != nil {
			callbacksHandle = cgo.NewHandle(callbacks)
			defer callbacksHandle.Delete()
		}
		var err error
		if ctrigger, err = t.build(callbacksHandle); err != nil {
			return nil, err
		}
		defer C.cicd_trigger_free(ctrigger)
	}
	flags := C.uint(0)
	if o.StrictKeys {
		flags |= C.CICD_PIPELINE_STRICT_KEYS
	}
	if o.ResolveLocal {
		flags |= C.CICD_PIPELINE_RESOLVE_LOCAL
	}
	var out *C.cicd_pipeline
	var diags *C.cicd_diagnostics
	var cerr *C.cicd_error
	rc := C.shim_pipeline_load(&out, &diags, cpath, bytesPtr(data), C.size_t(len(data)), cname, croot,
		C.uintptr_t(handle), flags, C.uint(o.MaxIncludes), C.uint(o.MaxIncludeDepth), C.uint(o.MaxExtendsDepth),
		C.uint(o.MaxReferenceDepth), C.size_t(o.MaxFileBytes), C.uint(o.MaxYAMLDepth), C.size_t(o.MaxDiagnostics),
		ctrigger, &cerr)
	runtime.KeepAlive(data)
	warnings := takeDiagnostics(diags)
	if state != nil && state.err != nil {
		C.cicd_pipeline_free(out)
		fromC(0, cerr)
		return nil, state.err
	}
	if callbacks != nil && callbacks.err != nil {
		C.cicd_pipeline_free(out)
		fromC(0, cerr)
		return nil, callbacks.err
	}
	if err := fromC(rc, cerr); err != nil {
		if e, ok := err.(*Error); ok {
			e.Diagnostics = warnings
		}
		return nil, err
	}
	p := &Pipeline{ptr: out, Warnings: warnings}
	runtime.SetFinalizer(p, (*Pipeline).Close)
	return p, nil
}

// LoadPipeline loads, resolves and validates a configuration file. An
// invalid configuration is an *Error with ErrCodeValidate, the first error's
// position, and every diagnostic in Diagnostics.
func LoadPipeline(path string, o *PipelineOptions) (*Pipeline, error) {
	return loadPipeline(&path, nil, "", o)
}

// LoadPipelineBytes loads a configuration from memory; name labels positions
// ("" for ".gitlab-ci.yml").
func LoadPipelineBytes(data []byte, name string, o *PipelineOptions) (*Pipeline, error) {
	return loadPipeline(nil, data, name, o)
}

// Name is the main file's name.
func (p *Pipeline) Name() string {
	s := C.GoString(C.cicd_pipeline_name(p.live()))
	runtime.KeepAlive(p)
	return s
}

// Files are the main file and every distinct include read.
func (p *Pipeline) Files() []string {
	h := p.live()
	out := make([]string, int(C.cicd_pipeline_file_count(h)))
	for i := range out {
		out[i] = C.GoString(C.cicd_pipeline_file(h, C.size_t(i)))
	}
	runtime.KeepAlive(p)
	return out
}

// Stages in order, with .pre first and .post last.
func (p *Pipeline) Stages() []string {
	h := p.live()
	out := make([]string, int(C.cicd_pipeline_stage_count(h)))
	for i := range out {
		out[i] = C.GoString(C.cicd_pipeline_stage(h, C.size_t(i)))
	}
	runtime.KeepAlive(p)
	return out
}

// Variables are the global `variables`, in file order.
func (p *Pipeline) Variables() []Variable {
	h := p.live()
	out := make([]Variable, int(C.cicd_pipeline_variable_count(h)))
	for i := range out {
		out[i] = p.variable(C.cicd_pipeline_variable(h, C.size_t(i)))
	}
	runtime.KeepAlive(p)
	return out
}

func (p *Pipeline) node(n *C.cicd_node) *Node {
	if n == nil {
		return nil
	}
	return &Node{ptr: n, doc: p}
}

// Config is the fully merged configuration.
func (p *Pipeline) Config() *Node { return p.node(C.cicd_pipeline_config(p.live())) }

// Default is the `default` section, or nil.
func (p *Pipeline) Default() *Node { return p.node(C.cicd_pipeline_default(p.live())) }

// JSON is the merged configuration as JSON.
func (p *Pipeline) JSON(pretty bool) (string, error) {
	var buf C.cicd_buf
	var cerr *C.cicd_error
	flags := C.uint(0)
	if pretty {
		flags = C.CICD_FORMAT_PRETTY
	}
	rc := C.shim_pipeline_json(&buf, p.live(), flags, &cerr)
	runtime.KeepAlive(p)
	defer C.cicd_buf_dispose(&buf)
	if err := fromC(rc, cerr); err != nil {
		return "", err
	}
	return C.GoStringN(buf.ptr, C.int(buf.size)), nil
}

// Workflow is `workflow`: Rules is nil when the file has no workflow:rules.
type Workflow struct {
	Rules                  []Rule
	Name                   string
	AutoCancelOnNewCommit  string
	AutoCancelOnJobFailure string
}

// Workflow is the `workflow` section.
func (p *Pipeline) Workflow() Workflow {
	h := p.live()
	w := Workflow{
		Name:                   C.GoString(C.cicd_pipeline_workflow_name(h)),
		AutoCancelOnNewCommit:  C.GoString(C.cicd_pipeline_auto_cancel_on_new_commit(h)),
		AutoCancelOnJobFailure: C.GoString(C.cicd_pipeline_auto_cancel_on_job_failure(h)),
	}
	if C.cicd_pipeline_has_workflow_rules(h) != 0 {
		w.Rules = make([]Rule, int(C.cicd_pipeline_workflow_rule_count(h)))
		for i := range w.Rules {
			w.Rules[i] = p.rule(C.cicd_pipeline_workflow_rule(h, C.size_t(i)))
		}
	}
	runtime.KeepAlive(p)
	return w
}

// Len is the number of visible jobs.
func (p *Pipeline) Len() int {
	n := int(C.cicd_pipeline_job_count(p.live()))
	runtime.KeepAlive(p)
	return n
}

// JobAt is the i-th job, or nil out of range.
func (p *Pipeline) JobAt(i int) *Job {
	if i < 0 || i >= p.Len() {
		return nil
	}
	return p.job(C.cicd_pipeline_job(p.live(), C.size_t(i)))
}

// Jobs are the visible jobs in the order of the merged configuration.
func (p *Pipeline) Jobs() ([]*Job, error) {
	var it *C.cicd_job_iterator
	var cerr *C.cicd_error
	if err := fromC(C.shim_job_iterator_new(&it, p.live(), &cerr), cerr); err != nil {
		return nil, err
	}
	defer C.cicd_job_iterator_free(it)
	var jobs []*Job
	for {
		var j *C.cicd_job
		rc := C.shim_job_iterator_next(&j, it, &cerr)
		if rc == C.CICD_ITEROVER {
			break
		}
		if err := fromC(rc, cerr); err != nil {
			return nil, err
		}
		jobs = append(jobs, p.job(j))
	}
	runtime.KeepAlive(p)
	return jobs, nil
}

// Job looks a job up by name; an error that errors.Is ErrNotFound when
// there is none.
func (p *Pipeline) Job(name string) (*Job, error) {
	cname := cstring(name)
	defer free(cname)
	var j *C.cicd_job
	var cerr *C.cicd_error
	if err := fromC(C.shim_job_by_name(&j, p.live(), cname, &cerr), cerr); err != nil {
		return nil, err
	}
	return p.job(j), nil
}

package cicd

/*
#include <stdlib.h>
#include <cicd/pipeline.h>
*/
import "C"

import "runtime"

// The values below are copied out of a Pipeline (Go strings and slices) and
// stay valid after it is closed; their *Node fields and the methods that
// return nodes need the Pipeline open.

// Variable is a `variables` entry.
type Variable struct {
	Name        string
	Value       string // as written; "" for a variable with only a description
	Description string
	Expand      bool
	Options     []string
	Node        *Node
}

// Need is a `needs` entry.
type Need struct {
	Job       string
	Optional  bool
	Artifacts bool
	Project   string // cross-project needs
	Ref       string
	Pipeline  string // parent-pipeline needs
	Matrix    *Node  // parallel:matrix selecting instances, or nil
	Node      *Node
}

// Rule is a rule of `rules` or `workflow:rules`, as written.
type Rule struct {
	If               string
	IfNode           *Node // position of the expression, or nil
	When             string
	StartIn          string
	AllowFailure     *bool    // nil when the rule does not set it
	Changes          []string // nil when there is no `changes` clause
	ChangesCompareTo string
	Exists           []string // nil when there is no `exists` clause
	ExistsProject    string
	ExistsRef        string
	Variables        []Variable
	Needs            []Need // nil when the rule sets none
	Node             *Node
}

// JobPolicy is `only` or `except` in full form.
type JobPolicy struct {
	Default       bool // GitLab's implicit only: [branches, tags]
	Refs          []string
	Variables     []string
	VariableNodes []*Node
	Changes       []string // nil when absent
	Kubernetes    string
}

// Downstream is a trigger job's downstream pipeline.
type Downstream struct {
	Project  string
	Branch   string
	Strategy string
}

// NameValue is one variable of a parallel:matrix instance.
type NameValue struct {
	Name  string
	Value string
}

// Instance is a job that `parallel` makes.
type Instance struct {
	Name      string
	Variables []NameValue // matrix values in key order
}

// Job is a visible job with `default` and `extends` applied.
type Job struct {
	p   *Pipeline
	ptr *C.cicd_job

	Name                  string
	File                  string
	Line, Column          int
	Stage                 string
	When                  string
	StartIn               string
	AllowFailure          *bool // as written; nil when not written
	AllowFailureExitCodes []int
	Trigger               *Downstream // nil unless a trigger job
	Script                []string
	BeforeScript          []string
	AfterScript           []string
	Rules                 []Rule     // nil when the job has no `rules`
	Only, Except          *JobPolicy // nil when absent (see cicd_job_only for the default)
	Needs                 []Need     // nil when `needs` is not written; empty for `needs: []`
	Dependencies          []string
	HasDependencies       bool
	Variables             []Variable
	Parallel              int
	Instances             []Instance
	Image                 string
	ResourceGroup         string
	Environment           string
	EnvironmentAction     string
	Timeout               string
	Coverage              string
	Tags                  []string
	Interruptible         *bool
	RetryMax              int
	RetryWhen             []string
	Extends               []string
}

var (
	cScript       = C.CString("script")
	cBeforeScript = C.CString("before_script")
	cAfterScript  = C.CString("after_script")
)

func gostr(s *C.char) string { return C.GoString(s) }

func tri(v C.int) *bool {
	if v < 0 {
		return nil
	}
	b := v != 0
	return &b
}

func cstrings(count C.size_t, item func(C.size_t) *C.char) []string {
	out := make([]string, int(count))
	for i := range out {
		out[i] = gostr(item(C.size_t(i)))
	}
	return out
}

func (p *Pipeline) variable(v *C.cicd_variable) Variable {
	return Variable{
		Name:        gostr(C.cicd_variable_name(v)),
		Value:       gostr(C.cicd_variable_value(v)),
		Description: gostr(C.cicd_variable_description(v)),
		Expand:      C.cicd_variable_expand(v) != 0,
		Options: cstrings(C.cicd_variable_option_count(v), func(i C.size_t) *C.char {
			return C.cicd_variable_option(v, i)
		}),
		Node: p.node(C.cicd_variable_node(v)),
	}
}

func (p *Pipeline) needs(count C.long, item func(C.size_t) *C.cicd_need) []Need {
	if count < 0 {
		return nil
	}
	out := make([]Need, int(count))
	for i := range out {
		n := item(C.size_t(i))
		out[i] = Need{
			Job:       gostr(C.cicd_need_job(n)),
			Optional:  C.cicd_need_optional(n) != 0,
			Artifacts: C.cicd_need_artifacts(n) != 0,
			Project:   gostr(C.cicd_need_project(n)),
			Ref:       gostr(C.cicd_need_ref(n)),
			Pipeline:  gostr(C.cicd_need_pipeline(n)),
			Matrix:    p.node(C.cicd_need_matrix(n)),
			Node:      p.node(C.cicd_need_node(n)),
		}
	}
	return out
}

func (p *Pipeline) rule(r *C.cicd_rule) Rule {
	out := Rule{
		If:               gostr(C.cicd_rule_if(r)),
		IfNode:           p.node(C.cicd_rule_if_node(r)),
		When:             gostr(C.cicd_rule_when(r)),
		StartIn:          gostr(C.cicd_rule_start_in(r)),
		AllowFailure:     tri(C.cicd_rule_allow_failure(r)),
		ChangesCompareTo: gostr(C.cicd_rule_changes_compare_to(r)),
		ExistsProject:    gostr(C.cicd_rule_exists_project(r)),
		ExistsRef:        gostr(C.cicd_rule_exists_ref(r)),
		Needs: p.needs(C.cicd_rule_need_count(r), func(i C.size_t) *C.cicd_need {
			return C.cicd_rule_need(r, i)
		}),
		Node: p.node(C.cicd_rule_node(r)),
	}
	if C.cicd_rule_has_changes(r) != 0 {
		out.Changes = cstrings(C.cicd_rule_changes_count(r), func(i C.size_t) *C.char { return C.cicd_rule_changes(r, i) })
	}
	if C.cicd_rule_has_exists(r) != 0 {
		out.Exists = cstrings(C.cicd_rule_exists_count(r), func(i C.size_t) *C.char { return C.cicd_rule_exists(r, i) })
	}
	out.Variables = make([]Variable, int(C.cicd_rule_variable_count(r)))
	for i := range out.Variables {
		out.Variables[i] = p.variable(C.cicd_rule_variable(r, C.size_t(i)))
	}
	return out
}

func (p *Pipeline) policy(x *C.cicd_job_policy) *JobPolicy {
	if x == nil {
		return nil
	}
	out := &JobPolicy{
		Default:    C.cicd_job_policy_is_default(x) != 0,
		Refs:       cstrings(C.cicd_job_policy_ref_count(x), func(i C.size_t) *C.char { return C.cicd_job_policy_ref(x, i) }),
		Variables:  cstrings(C.cicd_job_policy_variable_count(x), func(i C.size_t) *C.char { return C.cicd_job_policy_variable(x, i) }),
		Kubernetes: gostr(C.cicd_job_policy_kubernetes(x)),
	}
	for i := range out.Variables {
		out.VariableNodes = append(out.VariableNodes, p.node(C.cicd_job_policy_variable_node(x, C.size_t(i))))
	}
	if C.cicd_job_policy_has_changes(x) != 0 {
		out.Changes = cstrings(C.cicd_job_policy_changes_count(x), func(i C.size_t) *C.char { return C.cicd_job_policy_changes(x, i) })
	}
	return out
}

func (p *Pipeline) job(j *C.cicd_job) *Job {
	defer runtime.KeepAlive(p)
	out := &Job{
		p:                 p,
		ptr:               j,
		Name:              gostr(C.cicd_job_name(j)),
		File:              gostr(C.cicd_job_file(j)),
		Line:              int(C.cicd_job_line(j)),
		Column:            int(C.cicd_job_column(j)),
		Stage:             gostr(C.cicd_job_stage(j)),
		When:              gostr(C.cicd_job_when(j)),
		StartIn:           gostr(C.cicd_job_start_in(j)),
		AllowFailure:      tri(C.cicd_job_allow_failure(j)),
		Script:            cstrings(C.cicd_job_script_count(j, cScript), func(i C.size_t) *C.char { return C.cicd_job_script(j, cScript, i) }),
		BeforeScript:      cstrings(C.cicd_job_script_count(j, cBeforeScript), func(i C.size_t) *C.char { return C.cicd_job_script(j, cBeforeScript, i) }),
		AfterScript:       cstrings(C.cicd_job_script_count(j, cAfterScript), func(i C.size_t) *C.char { return C.cicd_job_script(j, cAfterScript, i) }),
		Only:              p.policy(C.cicd_job_only(j)),
		Except:            p.policy(C.cicd_job_except(j)),
		Needs:             p.needs(C.cicd_job_need_count(j), func(i C.size_t) *C.cicd_need { return C.cicd_job_need(j, i) }),
		Parallel:          int(C.cicd_job_parallel(j)),
		Image:             gostr(C.cicd_job_image(j)),
		ResourceGroup:     gostr(C.cicd_job_resource_group(j)),
		Environment:       gostr(C.cicd_job_environment(j)),
		EnvironmentAction: gostr(C.cicd_job_environment_action(j)),
		Timeout:           gostr(C.cicd_job_timeout(j)),
		Coverage:          gostr(C.cicd_job_coverage(j)),
		Tags:              cstrings(C.cicd_job_tag_count(j), func(i C.size_t) *C.char { return C.cicd_job_tag(j, i) }),
		Interruptible:     tri(C.cicd_job_interruptible(j)),
		RetryMax:          int(C.cicd_job_retry_max(j)),
		RetryWhen:         cstrings(C.cicd_job_retry_when_count(j), func(i C.size_t) *C.char { return C.cicd_job_retry_when(j, i) }),
		Extends:           cstrings(C.cicd_job_extends_count(j), func(i C.size_t) *C.char { return C.cicd_job_extends(j, i) }),
	}
	for i, n := 0, int(C.cicd_job_allow_failure_exit_code_count(j)); i < n; i++ {
		out.AllowFailureExitCodes = append(out.AllowFailureExitCodes, int(C.cicd_job_allow_failure_exit_code(j, C.size_t(i))))
	}
	if C.cicd_job_is_trigger(j) != 0 {
		out.Trigger = &Downstream{
			Project:  gostr(C.cicd_job_trigger_project(j)),
			Branch:   gostr(C.cicd_job_trigger_branch(j)),
			Strategy: gostr(C.cicd_job_trigger_strategy(j)),
		}
	}
	if C.cicd_job_has_rules(j) != 0 {
		out.Rules = make([]Rule, int(C.cicd_job_rule_count(j)))
		for i := range out.Rules {
			out.Rules[i] = p.rule(C.cicd_job_rule(j, C.size_t(i)))
		}
	}
	if n := C.cicd_job_dependency_count(j); n >= 0 {
		out.HasDependencies = true
		out.Dependencies = cstrings(C.size_t(n), func(i C.size_t) *C.char { return C.cicd_job_dependency(j, i) })
	}
	out.Variables = make([]Variable, int(C.cicd_job_variable_count(j)))
	for i := range out.Variables {
		out.Variables[i] = p.variable(C.cicd_job_variable(j, C.size_t(i)))
	}
	for i, n := C.size_t(0), C.cicd_job_instance_count(j); i < n; i++ {
		inst := Instance{Name: gostr(C.cicd_job_instance_name(j, i))}
		for v, nv := C.size_t(0), C.cicd_job_instance_variable_count(j, i); v < nv; v++ {
			var name, value *C.char
			if C.cicd_job_instance_variable(&name, &value, j, i, v) == 0 {
				inst.Variables = append(inst.Variables, NameValue{gostr(name), gostr(value)})
			}
		}
		out.Instances = append(out.Instances, inst)
	}
	return out
}

// Config is the job's effective configuration (nil after the pipeline is closed panics).
func (j *Job) Config() *Node { return j.p.node(C.cicd_job_config(j.live())) }

// Get is the node of one keyword of the effective configuration, or nil.
func (j *Job) Get(key string) *Node {
	ckey := cstring(key)
	defer free(ckey)
	return j.p.node(C.cicd_job_get(j.live(), ckey))
}

// ParallelMatrix is the parallel:matrix node, or nil.
func (j *Job) ParallelMatrix() *Node { return j.p.node(C.cicd_job_parallel_matrix(j.live())) }

// InheritsDefault reports whether the global default key (such as "image") reaches the job.
func (j *Job) InheritsDefault(key string) bool {
	ckey := cstring(key)
	defer free(ckey)
	r := C.cicd_job_inherits_default(j.live(), ckey) != 0
	runtime.KeepAlive(j.p)
	return r
}

// InheritsVariable reports whether the global variable name reaches the job.
func (j *Job) InheritsVariable(name string) bool {
	cname := cstring(name)
	defer free(cname)
	r := C.cicd_job_inherits_variable(j.live(), cname) != 0
	runtime.KeepAlive(j.p)
	return r
}

func (j *Job) live() *C.cicd_job {
	j.p.live()
	return j.ptr
}

package cicd

/*
#include <stdlib.h>
#include <cicd/cicd.h>
#include <cicd/pod.h>

static int shim_job_payload_load(cicd_job_payload **out, const char *path, const char *data, size_t len,
				 const char *name, size_t max_bytes, unsigned max_depth, size_t max_variables,
				 size_t max_steps, size_t max_services, size_t max_script_lines, cicd_error **err)
{
	cicd_job_payload_options o = CICD_JOB_PAYLOAD_OPTIONS_INIT;
	int rc;
	o.max_bytes = max_bytes;
	o.max_depth = max_depth;
	o.max_variables = max_variables;
	o.max_steps = max_steps;
	o.max_services = max_services;
	o.max_script_lines = max_script_lines;
	rc = path ? cicd_job_payload_load_file(out, path, &o) : cicd_job_payload_parse(out, data, len, name, &o);
	if (rc < 0)
		cicd_error_dup(err);
	return rc;
}

static int shim_job_payload_mask(cicd_mask **out, const cicd_job_payload *job, unsigned flags, cicd_error **err)
{
	cicd_mask_options o = CICD_MASK_OPTIONS_INIT;
	int rc;
	o.flags = flags;
	rc = cicd_job_payload_mask_new(out, job, &o);
	if (rc < 0)
		cicd_error_dup(err);
	return rc;
}

static int shim_runner_config_load(cicd_runner_config **out, const char *path, const char *data, size_t len,
				   const char *name, size_t max_bytes, cicd_error **err)
{
	cicd_runner_config_options o = CICD_RUNNER_CONFIG_OPTIONS_INIT;
	int rc;
	o.max_bytes = max_bytes;
	rc = path ? cicd_runner_config_load_file(out, path, &o) : cicd_runner_config_load(out, data, len, name, &o);
	if (rc < 0)
		cicd_error_dup(err);
	return rc;
}

static int shim_pod_render(cicd_buf *out, const cicd_job_payload *job, const cicd_runner_config *cfg, unsigned format,
			   unsigned flags, unsigned slot, const char *suffix, cicd_error **err)
{
	cicd_pod_render_options o = CICD_POD_RENDER_OPTIONS_INIT;
	int rc;
	o.format = format;
	o.flags = flags;
	o.slot = slot;
	o.name_suffix = suffix;
	rc = cicd_pod_render(out, job, cfg, &o);
	if (rc < 0)
		cicd_error_dup(err);
	return rc;
}

static int shim_pod_script(cicd_buf *out, const cicd_job_payload *job, const cicd_runner_config *cfg, const char *step,
			   int shell, const char *nonce, cicd_error **err)
{
	cicd_pod_script_options o = CICD_POD_SCRIPT_OPTIONS_INIT;
	int rc;
	if (shell)
		o.shell = (cicd_shell)shell;
	o.nonce = nonce;
	rc = cicd_pod_script_render(out, job, cfg, step, &o);
	if (rc < 0)
		cicd_error_dup(err);
	return rc;
}

static int shim_exit_marker(int *code, const char *log, size_t len, const char *nonce, const char *step, cicd_error **err)
{
	int rc = cicd_pod_exit_marker_find(code, log, len, nonce, step);
	if (rc < 0 && rc != CICD_ENOTFOUND)
		cicd_error_dup(err);
	return rc;
}

static int shim_pod_failure(const char **reason, cicd_buf *msg, const char *json, size_t len, const char *name,
			    cicd_error **err)
{
	int rc = cicd_pod_failure_reason(reason, msg, json, len, name);
	if (rc < 0 && rc != CICD_ENOTFOUND)
		cicd_error_dup(err);
	return rc;
}
*/
import "C"

import (
	"runtime"
)

// JobPayloadLimits: zero values are the library's defaults (16 MiB of JSON,
// depth 64, 10,000 variables, 64 steps, 64 services, 100,000 script lines).
type JobPayloadLimits struct {
	MaxBytes, MaxDepth, MaxVariables, MaxSteps, MaxServices, MaxScriptLines int
}

// JobPayload is a job as POST /api/v4/jobs/request returns it. Close it when done.
type JobPayload struct {
	ptr *C.cicd_job_payload
}

func (j *JobPayload) checkLive() { j.live() }

func (j *JobPayload) live() *C.cicd_job_payload {
	if j.ptr == nil {
		panic("cicd: use of a closed JobPayload")
	}
	return j.ptr
}

func loadJobPayload(path *string, data []byte, name string, l *JobPayloadLimits) (*JobPayload, error) {
	if l == nil {
		l = &JobPayloadLimits{}
	}
	var cpath, cname *C.char
	if path != nil {
		cpath = cstring(*path)
		defer free(cpath)
	}
	if name != "" {
		cname = cstring(name)
		defer free(cname)
	}
	cdata := bytesPtr(data)
	if path == nil && cdata == nil {
		cdata = C.CString("")
		defer free(cdata)
	}
	var out *C.cicd_job_payload
	var cerr *C.cicd_error
	rc := C.shim_job_payload_load(&out, cpath, cdata, C.size_t(len(data)), cname, C.size_t(l.MaxBytes), C.uint(l.MaxDepth),
		C.size_t(l.MaxVariables), C.size_t(l.MaxSteps), C.size_t(l.MaxServices), C.size_t(l.MaxScriptLines), &cerr)
	runtime.KeepAlive(data)
	if err := fromC(rc, cerr); err != nil {
		return nil, err
	}
	j := &JobPayload{ptr: out}
	runtime.SetFinalizer(j, (*JobPayload).Close)
	return j, nil
}

// LoadJobPayload reads a job payload file.
func LoadJobPayload(path string, l *JobPayloadLimits) (*JobPayload, error) {
	return loadJobPayload(&path, nil, "", l)
}

// ParseJobPayload parses a job payload; name labels positions in errors.
func ParseJobPayload(data []byte, name string, l *JobPayloadLimits) (*JobPayload, error) {
	return loadJobPayload(nil, data, name, l)
}

// Close frees the payload. Safe to call twice.
func (j *JobPayload) Close() error {
	if j.ptr != nil {
		C.cicd_job_payload_free(j.ptr)
		j.ptr = nil
		runtime.SetFinalizer(j, nil)
	}
	return nil
}

func (j *JobPayload) num(f func(*C.cicd_job_payload) C.longlong) int64 {
	v := int64(f(j.live()))
	runtime.KeepAlive(j)
	return v
}

func (j *JobPayload) text(f func(*C.cicd_job_payload) *C.char) string {
	v := gostr(f(j.live()))
	runtime.KeepAlive(j)
	return v
}

// ID, ProjectID and Timeout (seconds; 7200 when not given).
func (j *JobPayload) ID() int64 {
	return j.num(func(p *C.cicd_job_payload) C.longlong { return C.cicd_job_payload_id(p) })
}
func (j *JobPayload) ProjectID() int64 {
	return j.num(func(p *C.cicd_job_payload) C.longlong { return C.cicd_job_payload_project_id(p) })
}
func (j *JobPayload) Timeout() int64 {
	return j.num(func(p *C.cicd_job_payload) C.longlong { return C.cicd_job_payload_timeout(p) })
}

// Name, Stage and Image; "" when absent.
func (j *JobPayload) Name() string {
	return j.text(func(p *C.cicd_job_payload) *C.char { return C.cicd_job_payload_name(p) })
}
func (j *JobPayload) Stage() string {
	return j.text(func(p *C.cicd_job_payload) *C.char { return C.cicd_job_payload_stage(p) })
}
func (j *JobPayload) Image() string {
	return j.text(func(p *C.cicd_job_payload) *C.char { return C.cicd_job_payload_image(p) })
}

// PayloadVariable is a job variable.
type PayloadVariable struct {
	Key                       string
	Value                     []byte
	Public, Masked, File, Raw bool
}

// Variables in payload order.
func (j *JobPayload) Variables() []PayloadVariable {
	p := j.live()
	defer runtime.KeepAlive(j)
	var out []PayloadVariable
	for i, n := C.size_t(0), C.cicd_job_payload_variable_count(p); i < n; i++ {
		var key, value *C.char
		var vlen C.size_t
		var flags C.uint
		if C.cicd_job_payload_variable(p, i, &key, &value, &vlen, &flags) < 0 {
			continue
		}
		out = append(out, PayloadVariable{gostr(key), C.GoBytes(unsafePointer(value), C.int(vlen)),
			flags&C.CICD_JOB_PAYLOAD_VAR_PUBLIC != 0, flags&C.CICD_JOB_PAYLOAD_VAR_MASKED != 0,
			flags&C.CICD_JOB_PAYLOAD_VAR_FILE != 0, flags&C.CICD_JOB_PAYLOAD_VAR_RAW != 0})
	}
	return out
}

// Services are (image name, alias) pairs; alias "" when none.
func (j *JobPayload) Services() [][2]string {
	p := j.live()
	defer runtime.KeepAlive(j)
	var out [][2]string
	for i, n := C.size_t(0), C.cicd_job_payload_service_count(p); i < n; i++ {
		out = append(out, [2]string{gostr(C.cicd_job_payload_service_name(p, i)), gostr(C.cicd_job_payload_service_alias(p, i))})
	}
	return out
}

// Steps are the step names ("script", "after_script", ...).
func (j *JobPayload) Steps() []string {
	p := j.live()
	defer runtime.KeepAlive(j)
	return cstrings(C.cicd_job_payload_step_count(p), func(i C.size_t) *C.char { return C.cicd_job_payload_step_name(p, i) })
}

// UnknownKeys are top-level keys the model does not know (kept in Raw).
func (j *JobPayload) UnknownKeys() []string {
	p := j.live()
	defer runtime.KeepAlive(j)
	return cstrings(C.cicd_job_payload_unknown_count(p), func(i C.size_t) *C.char { return C.cicd_job_payload_unknown_key(p, i) })
}

// Raw is the whole payload as loaded, valid until Close.
func (j *JobPayload) Raw() *Node { return &Node{ptr: C.cicd_job_payload_raw(j.live()), doc: j} }

// Masker is a trace masker for the job's masked variables, token and credentials.
func (j *JobPayload) Masker(o *MaskOptions) (*Masker, error) {
	flags := C.uint(0)
	if o != nil && o.NoTokenPrefixes {
		flags |= C.CICD_MASK_NO_TOKEN_PREFIXES
	}
	if o != nil && o.NoURLParams {
		flags |= C.CICD_MASK_NO_URL_PARAMS
	}
	var out *C.cicd_mask
	var cerr *C.cicd_error
	rc := C.shim_job_payload_mask(&out, j.live(), flags, &cerr)
	runtime.KeepAlive(j)
	if err := fromC(rc, cerr); err != nil {
		return nil, err
	}
	m := &Masker{ptr: out}
	runtime.SetFinalizer(m, (*Masker).Close)
	return m, nil
}

// FailureReason is the failure_reason to send for reason ("": script_failure).
func (j *JobPayload) FailureReason(reason string) string {
	var cr *C.char
	if reason != "" {
		cr = cstring(reason)
		defer free(cr)
	}
	v := gostr(C.cicd_job_payload_failure_reason(j.live(), cr))
	runtime.KeepAlive(j)
	return v
}

// RunnerConfig is a runner configuration ([runners.kubernetes] keys). Close it when done.
type RunnerConfig struct {
	ptr *C.cicd_runner_config
	// Warnings are the unknown keys found while loading.
	Warnings []Diagnostic
}

func loadRunnerConfig(path *string, data []byte, name string, maxBytes int) (*RunnerConfig, error) {
	var cpath, cname *C.char
	if path != nil {
		cpath = cstring(*path)
		defer free(cpath)
	}
	if name != "" {
		cname = cstring(name)
		defer free(cname)
	}
	cdata := bytesPtr(data)
	if path == nil && cdata == nil {
		cdata = C.CString("")
		defer free(cdata)
	}
	var out *C.cicd_runner_config
	var cerr *C.cicd_error
	rc := C.shim_runner_config_load(&out, cpath, cdata, C.size_t(len(data)), cname, C.size_t(maxBytes), &cerr)
	runtime.KeepAlive(data)
	if err := fromC(rc, cerr); err != nil {
		return nil, err
	}
	c := &RunnerConfig{ptr: out}
	list := C.cicd_runner_config_diagnostics(out)
	for i, n := C.size_t(0), C.cicd_diagnostics_count(list); i < n; i++ {
		x := C.cicd_diagnostics_get(list, i)
		c.Warnings = append(c.Warnings, Diagnostic{Warning: x.severity == C.CICD_SEVERITY_WARNING, Code: Code(x.code),
			Message: gostr(x.message), File: gostr(x.file), Line: int(x.line), Column: int(x.column)})
	}
	runtime.SetFinalizer(c, (*RunnerConfig).Close)
	return c, nil
}

// LoadRunnerConfig reads a runner configuration file (maxBytes 0: 1 MiB).
func LoadRunnerConfig(path string, maxBytes int) (*RunnerConfig, error) {
	return loadRunnerConfig(&path, nil, "", maxBytes)
}

// ParseRunnerConfig parses a runner configuration; name labels positions.
func ParseRunnerConfig(data []byte, name string, maxBytes int) (*RunnerConfig, error) {
	return loadRunnerConfig(nil, data, name, maxBytes)
}

// Close frees the configuration. Safe to call twice.
func (c *RunnerConfig) Close() error {
	if c.ptr != nil {
		C.cicd_runner_config_free(c.ptr)
		c.ptr = nil
		runtime.SetFinalizer(c, nil)
	}
	return nil
}

func (c *RunnerConfig) live() *C.cicd_runner_config {
	if c.ptr == nil {
		panic("cicd: use of a closed RunnerConfig")
	}
	return c.ptr
}

// PodRenderOptions: JSON renders a v1 List instead of a YAML stream.
type PodRenderOptions struct {
	JSON                     bool
	IgnoreDisabledOverwrites bool
	Slot                     int
	NameSuffix               string // "": derived from the job
}

func takeText(rc C.int, buf *C.cicd_buf, cerr *C.cicd_error) (string, error) {
	defer C.cicd_buf_dispose(buf)
	if err := fromC(rc, cerr); err != nil {
		return "", err
	}
	return C.GoStringN(buf.ptr, C.int(buf.size)), nil
}

// RenderPod renders the job's Secret(s) and Pod.
func RenderPod(j *JobPayload, c *RunnerConfig, o *PodRenderOptions) (string, error) {
	if o == nil {
		o = &PodRenderOptions{}
	}
	format, flags := C.uint(C.CICD_POD_FORMAT_YAML), C.uint(0)
	if o.JSON {
		format = C.CICD_POD_FORMAT_JSON
	}
	if o.IgnoreDisabledOverwrites {
		flags = C.CICD_POD_IGNORE_DISABLED_OVERWRITES
	}
	var suffix *C.char
	if o.NameSuffix != "" {
		suffix = cstring(o.NameSuffix)
		defer free(suffix)
	}
	var buf C.cicd_buf
	var cerr *C.cicd_error
	rc := C.shim_pod_render(&buf, j.live(), c.live(), format, flags, C.uint(o.Slot), suffix, &cerr)
	runtime.KeepAlive(j)
	runtime.KeepAlive(c)
	return takeText(rc, &buf, cerr)
}

// RenderScript renders the script of one step; shell is "bash" ("" too) or "sh".
func RenderScript(j *JobPayload, c *RunnerConfig, step, shell, nonce string) (string, error) {
	sh := C.int(0)
	switch shell {
	case "sh":
		sh = C.CICD_SHELL_SH
	case "bash":
		sh = C.CICD_SHELL_BASH
	case "":
	default:
		return "", &Error{Code: ErrCodeInvalid, Message: "shell must be sh or bash"}
	}
	cstep := cstring(step)
	defer free(cstep)
	var cnonce *C.char
	if nonce != "" {
		cnonce = cstring(nonce)
		defer free(cnonce)
	}
	var buf C.cicd_buf
	var cerr *C.cicd_error
	rc := C.shim_pod_script(&buf, j.live(), c.live(), cstep, sh, cnonce, &cerr)
	runtime.KeepAlive(j)
	runtime.KeepAlive(c)
	return takeText(rc, &buf, cerr)
}

// FindExitCode is the exit code of the last marker with this nonce and step
// in a log, and false when there is none.
func FindExitCode(log []byte, nonce, step string) (int, bool, error) {
	cn, cs := cstring(nonce), cstring(step)
	defer free(cn)
	defer free(cs)
	var code C.int
	var cerr *C.cicd_error
	rc := C.shim_exit_marker(&code, bytesPtr(log), C.size_t(len(log)), cn, cs, &cerr)
	runtime.KeepAlive(log)
	if rc == C.CICD_ENOTFOUND {
		return 0, false, nil
	}
	if err := fromC(rc, cerr); err != nil {
		return 0, false, err
	}
	return int(code), true, nil
}

// PodFailureReason reads a Pod (JSON) and says why the job failed: a
// GitLab failure_reason and a message, or "" when the Pod shows no failure.
func PodFailureReason(podJSON []byte, name string) (reason, message string, err error) {
	var cname *C.char
	if name != "" {
		cname = cstring(name)
		defer free(cname)
	}
	var creason *C.char
	var buf C.cicd_buf
	var cerr *C.cicd_error
	rc := C.shim_pod_failure(&creason, &buf, bytesPtr(podJSON), C.size_t(len(podJSON)), cname, &cerr)
	runtime.KeepAlive(podJSON)
	defer C.cicd_buf_dispose(&buf)
	if rc == C.CICD_ENOTFOUND {
		return "", "", nil
	}
	if err := fromC(rc, cerr); err != nil {
		return "", "", err
	}
	return gostr(creason), C.GoStringN(buf.ptr, C.int(buf.size)), nil
}

package cicd

/*
#include <stdint.h>
#include <stdlib.h>
#include <cicd/cicd.h>
#include <cicd/deploy.h>

extern void cicdGoProgress(int level, char *message, char *fields, uintptr_t handle);
extern int cicdGoLogLine(long long seq, long long at_ms, int level, char *message, char *fields, uintptr_t handle);

static void shim_progress(int level, const char *message, const char *fields, void *payload)
{
	cicdGoProgress(level, (char *)message, (char *)fields, (uintptr_t)payload);
}

static int shim_log_line(long long seq, long long at_ms, int level, const char *message, const char *fields,
			 void *payload)
{
	return cicdGoLogLine(seq, at_ms, level, (char *)message, (char *)fields, (uintptr_t)payload);
}

#define SHIM_END(rc) do { if ((rc) < 0) cicd_error_dup(err); return (rc); } while (0)

static int shim_deploy_open(cicd_deploy_store **out, const char *location, unsigned busy, size_t max_bytes,
			    size_t max_objects, cicd_error **err)
{
	cicd_deploy_store_options o = CICD_DEPLOY_STORE_OPTIONS_INIT;
	int rc;
	o.busy_timeout_ms = busy;
	o.max_version_bytes = max_bytes;
	o.max_version_objects = max_objects;
	rc = cicd_deploy_store_open(out, location, &o);
	SHIM_END(rc);
}

static int shim_deploy_default_location(cicd_buf *out, cicd_error **err)
{
	int rc = cicd_deploy_store_default_location(out);
	SHIM_END(rc);
}

static int shim_deploy_setting(cicd_deploy_store *s, const char *k, const char *v, cicd_error **err)
{
	int rc = cicd_deploy_setting_set(s, k, v);
	SHIM_END(rc);
}

static int shim_deploy_prune(long long *removed, cicd_deploy_store *s, size_t keep, cicd_error **err)
{
	int rc = cicd_deploy_history_prune(removed, s, keep);
	SHIM_END(rc);
}

static int shim_deploy_target_add(cicd_deploy_store *s, const char *name, const char *kubeconfig, const char *context,
				  int in_cluster, const char *ns, cicd_error **err)
{
	cicd_deploy_target_options o = CICD_DEPLOY_TARGET_OPTIONS_INIT;
	int rc;
	o.kubeconfig = kubeconfig;
	o.context = context;
	o.in_cluster = in_cluster;
	o.namespace_name = ns;
	rc = cicd_deploy_target_add(s, name, &o);
	SHIM_END(rc);
}

static int shim_deploy_target_remove(cicd_deploy_store *s, const char *name, cicd_error **err)
{
	int rc = cicd_deploy_target_remove(s, name);
	SHIM_END(rc);
}

// what: 0 targets, 1 versions(a), 2 diff versions(a, b, n = format), 3 diff live(a, b), 4 jobs(a, n = limit), 5 job(id)
static int shim_deploy_json(cicd_buf *out, cicd_deploy_store *s, int what, const char *a, const char *b, size_t n,
			    long long id, cicd_error **err)
{
	int rc = CICD_EINVALID;
	switch (what) {
	case 0: rc = cicd_deploy_targets_json(out, s); break;
	case 1: rc = cicd_deploy_versions_json(out, s, a); break;
	case 2: rc = cicd_deploy_diff_versions(out, s, a, b, (cicd_deploy_diff_format)n); break;
	case 3: rc = cicd_deploy_diff_live(out, s, a, b); break;
	case 4: rc = cicd_deploy_jobs_json(out, s, a, n); break;
	case 5: rc = cicd_deploy_job_json(out, s, id); break;
	}
	SHIM_END(rc);
}

// paths packed by Go (blob, offsets) when count > 0 or data == NULL; else the buffer.
static int shim_deploy_push(cicd_buf *out, cicd_deploy_store *s, const char *project_set, const void *blob,
			    const void *offs, size_t count, const char *data, size_t len, const char *name,
			    const char *who, const char *commit, const char *pipeline, int recursive, cicd_error **err)
{
	cicd_deploy_push_options o = CICD_DEPLOY_PUSH_OPTIONS_INIT;
	int rc;
	o.who = who;
	o.commit = commit;
	o.pipeline = pipeline;
	o.recursive = recursive;
	if (!data) {
		const char **paths = calloc(count + 1, sizeof(*paths));
		const size_t *off = offs;
		size_t i;
		if (!paths)
			return CICD_ENOMEM;
		for (i = 0; i < count; i++)
			paths[i] = (const char *)blob + off[2 * i];
		rc = cicd_deploy_push_paths(out, s, project_set, paths, count, &o);
		free(paths);
	} else {
		rc = cicd_deploy_push_buffer(out, s, project_set, data, len, name, &o);
	}
	SHIM_END(rc);
}

static int shim_deploy_set_prune(cicd_deploy_store *s, const char *project_set, int prune, cicd_error **err)
{
	int rc = cicd_deploy_set_prune(s, project_set, prune);
	SHIM_END(rc);
}

static int shim_deploy_run(long long *id, cicd_deploy_store *s, const char *ref, const char *project_set,
			   const char *target, const char *to_version, const char *who, int prune, long timeout_ms,
			   int wait, int no_queue, long lease_ttl_ms, const char *owner, uintptr_t progress,
			   cicd_error **err)
{
	cicd_deploy_run_options o = CICD_DEPLOY_RUN_OPTIONS_INIT;
	int rc;
	o.who = who;
	o.prune = prune;
	o.timeout_ms = timeout_ms;
	o.wait = wait;
	o.no_queue = no_queue;
	o.lease_ttl_ms = lease_ttl_ms;
	o.owner = owner;
	if (progress) {
		o.progress = shim_progress;
		o.payload = (void *)progress;
	}
	rc = project_set ? cicd_deploy_rollback(id, s, project_set, target, to_version, &o)
			 : cicd_deploy_run(id, s, ref, target, &o);
	SHIM_END(rc);
}

static int shim_deploy_cancel(cicd_deploy_store *s, long long id, const char *who, cicd_error **err)
{
	int rc = cicd_deploy_cancel(s, id, who);
	SHIM_END(rc);
}

static int shim_deploy_job_state(const char **state, cicd_deploy_store *s, long long id, cicd_error **err)
{
	int rc = cicd_deploy_job_state(state, s, id);
	SHIM_END(rc);
}

static int shim_deploy_log(long long *last, cicd_deploy_store *s, long long id, long long after, int follow,
			   long poll_ms, uintptr_t handle, cicd_error **err)
{
	int rc = follow ? cicd_deploy_log_follow(last, s, id, after, poll_ms, shim_log_line, (void *)handle)
			: cicd_deploy_log_read(last, s, id, after, shim_log_line, (void *)handle);
	if (rc < 0 && rc != CICD_EUSER)
		cicd_error_dup(err);
	return rc;
}

static int shim_deploy_worker(cicd_deploy_store *s, const char *owner, long lease_ttl_ms, long poll_ms, int until_idle,
			      long max_jobs, uintptr_t progress, cicd_error **err)
{
	cicd_deploy_worker_options o = CICD_DEPLOY_WORKER_OPTIONS_INIT;
	int rc;
	o.owner = owner;
	o.lease_ttl_ms = lease_ttl_ms;
	o.poll_ms = poll_ms;
	o.until_idle = until_idle;
	o.max_jobs = max_jobs;
	if (progress) {
		o.progress = shim_progress;
		o.payload = (void *)progress;
	}
	rc = cicd_deploy_worker_run(s, &o);
	SHIM_END(rc);
}
*/
import "C"

import (
	"context"
	"encoding/json"
	"runtime"
	"runtime/cgo"
	"strings"
	"sync"
	"time"
)

// DeployStoreOptions: zero values are the library's defaults (wait 5 s for
// a locked store; versions of at most 16 MiB and 5,000 objects).
type DeployStoreOptions struct {
	BusyTimeoutMS     int
	MaxVersionBytes   int
	MaxVersionObjects int
}

// DeployStore is a store of resource-set versions, targets and deploy jobs:
// a SQLite file or a postgresql:// URL. Calls are serialized (the library
// uses a store from one thread at a time). Close it when done.
//
// Blocking calls (Run and Rollback with Wait, Follow, RunWorker, DiffLive)
// take a context whose end interrupts the call under way through
// cicd_deploy_store_interrupt: it returns ctx.Err() within about 100 ms of
// the cluster request in flight. A job the call was running ends canceled
// ("interrupted during step 2 (wait wave 0); 1 created, ..."), as does a job
// it created that was still waiting for its turn; Run and Rollback return
// that job's id with the error.
type DeployStore struct {
	mu  sync.Mutex
	ptr *C.cicd_deploy_store
}

// OpenDeployStore opens (creating or migrating) a store; "" is the default location.
func OpenDeployStore(location string, o *DeployStoreOptions) (*DeployStore, error) {
	if o == nil {
		o = &DeployStoreOptions{}
	}
	var cloc *C.char
	if location != "" {
		cloc = cstring(location)
		defer free(cloc)
	}
	var out *C.cicd_deploy_store
	var cerr *C.cicd_error
	rc := C.shim_deploy_open(&out, cloc, C.uint(o.BusyTimeoutMS), C.size_t(o.MaxVersionBytes), C.size_t(o.MaxVersionObjects), &cerr)
	if err := fromC(rc, cerr); err != nil {
		return nil, err
	}
	s := &DeployStore{ptr: out}
	runtime.SetFinalizer(s, (*DeployStore).Close)
	return s, nil
}

// DefaultDeployStoreLocation is $CICD_STORE, else $XDG_DATA_HOME/cicd/store.db,
// else $HOME/.local/share/cicd/store.db.
func DefaultDeployStoreLocation() (string, error) {
	var buf C.cicd_buf
	var cerr *C.cicd_error
	defer C.cicd_buf_dispose(&buf)
	if err := fromC(C.shim_deploy_default_location(&buf, &cerr), cerr); err != nil {
		return "", err
	}
	return C.GoStringN(buf.ptr, C.int(buf.size)), nil
}

// Close frees the store. Safe to call twice.
func (s *DeployStore) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ptr != nil {
		C.cicd_deploy_store_free(s.ptr)
		s.ptr = nil
		runtime.SetFinalizer(s, nil)
	}
	return nil
}

// with runs f with the store locked; it panics when the store is closed.
func (s *DeployStore) with(f func(p *C.cicd_deploy_store) error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ptr == nil {
		panic("cicd: use of a closed DeployStore")
	}
	return f(s.ptr)
}

// interruptible is with for a blocking call: the store's interrupt is
// cleared first and set when ctx ends while f runs (the store outlives
// that: the AfterFunc is awaited before the lock is released), and an
// interrupt that ctx caused comes back as ctx.Err().
func (s *DeployStore) interruptible(ctx context.Context, f func(p *C.cicd_deploy_store) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return s.with(func(p *C.cicd_deploy_store) error {
		return underContext(ctx, func() { C.cicd_deploy_store_interrupt_clear(p) },
			func() { C.cicd_deploy_store_interrupt(p) }, func() error { return f(p) })
	})
}

func optStr(v string) *C.char {
	if v == "" {
		return nil
	}
	return cstring(v)
}

// SetSetting sets a store setting ("history_keep").
func (s *DeployStore) SetSetting(key, value string) error {
	ck, cv := cstring(key), cstring(value)
	defer free(ck)
	defer free(cv)
	return s.with(func(p *C.cicd_deploy_store) error {
		var cerr *C.cicd_error
		return fromC(C.shim_deploy_setting(p, ck, cv, &cerr), cerr)
	})
}

// PruneHistory deletes finished jobs beyond the newest keep per target and says how many.
func (s *DeployStore) PruneHistory(keep int) (int64, error) {
	var removed C.longlong
	err := s.with(func(p *C.cicd_deploy_store) error {
		var cerr *C.cicd_error
		return fromC(C.shim_deploy_prune(&removed, p, C.size_t(keep), &cerr), cerr)
	})
	return int64(removed), err
}

// DeployTarget is a cluster and a namespace.
type DeployTarget struct {
	Name       string `json:"name"`
	Kubeconfig string `json:"kubeconfig"` // "": $KUBECONFIG or ~/.kube/config at deploy time
	Context    string `json:"context"`    // "": the kubeconfig's current context
	InCluster  bool   `json:"in_cluster"`
	Namespace  string `json:"namespace"`
	CreatedAt  int64  `json:"created_at"` // ms since the epoch; set by the store
}

// AddTarget adds a target; ErrExists when the name is taken.
func (s *DeployStore) AddTarget(t DeployTarget) error {
	cn, ck, cc, cns := cstring(t.Name), optStr(t.Kubeconfig), optStr(t.Context), optStr(t.Namespace)
	for _, c := range []*C.char{cn, ck, cc, cns} {
		if c != nil {
			defer free(c)
		}
	}
	in := C.int(0)
	if t.InCluster {
		in = 1
	}
	return s.with(func(p *C.cicd_deploy_store) error {
		var cerr *C.cicd_error
		return fromC(C.shim_deploy_target_add(p, cn, ck, cc, in, cns, &cerr), cerr)
	})
}

// RemoveTarget removes a target without jobs in its history (ErrConflict otherwise).
func (s *DeployStore) RemoveTarget(name string) error {
	cn := cstring(name)
	defer free(cn)
	return s.with(func(p *C.cicd_deploy_store) error {
		var cerr *C.cicd_error
		return fromC(C.shim_deploy_target_remove(p, cn, &cerr), cerr)
	})
}

func (s *DeployStore) json(what int, a, b string, n int, id int64) (string, error) {
	return s.jsonWith(s.with, what, a, b, n, id)
}

// jsonWith is json with the store held by lock (with, or interruptible for a call that blocks).
func (s *DeployStore) jsonWith(lock func(func(p *C.cicd_deploy_store) error) error, what int, a, b string, n int, id int64) (string, error) {
	ca, cb := optStr(a), optStr(b)
	if ca != nil {
		defer free(ca)
	}
	if cb != nil {
		defer free(cb)
	}
	var out string
	f := func(p *C.cicd_deploy_store) error {
		var buf C.cicd_buf
		var cerr *C.cicd_error
		defer C.cicd_buf_dispose(&buf)
		if err := fromC(C.shim_deploy_json(&buf, p, C.int(what), ca, cb, C.size_t(n), C.longlong(id), &cerr), cerr); err != nil {
			return err
		}
		out = C.GoStringN(buf.ptr, C.int(buf.size))
		return nil
	}
	err := lock(f)
	return out, err
}

func decode[T any](text string, err error) (T, error) {
	var v T
	if err != nil {
		return v, err
	}
	return v, json.Unmarshal([]byte(text), &v)
}

// Targets lists the targets.
func (s *DeployStore) Targets() ([]DeployTarget, error) {
	return decode[[]DeployTarget](s.json(0, "", "", 0, 0))
}

// DeployVersion is a stored version of a resource set.
type DeployVersion struct {
	Project   string `json:"project"`
	Set       string `json:"set"`
	Number    int    `json:"number"`
	Hash      string `json:"hash"`
	Objects   int    `json:"objects"`
	Bytes     int64  `json:"bytes"`
	Who       string `json:"who"`
	Commit    string `json:"commit"`
	Pipeline  string `json:"pipeline"`
	CreatedAt int64  `json:"created_at"`
	Existed   bool   `json:"existed"` // identical content was pushed before
}

// PushOptions describe a push.
type PushOptions struct {
	Who, Commit, Pipeline string
	Recursive             bool
}

func (s *DeployStore) push(projectSet string, paths []string, data []byte, name string, o *PushOptions) (*DeployVersion, error) {
	if o == nil {
		o = &PushOptions{}
	}
	cps, cname, cwho, ccommit, cpipe := cstring(projectSet), optStr(name), optStr(o.Who), optStr(o.Commit), optStr(o.Pipeline)
	for _, c := range []*C.char{cps, cname, cwho, ccommit, cpipe} {
		if c != nil {
			defer free(c)
		}
	}
	for _, p := range paths {
		if strings.IndexByte(p, 0) >= 0 {
			return nil, &Error{Code: ErrCodeInvalid, Message: "path contains a NUL byte"}
		}
	}
	packed := packStrings(paths...)
	blob, offs := packed.ptrs()
	rec := C.int(0)
	if o.Recursive {
		rec = 1
	}
	cdata := bytesPtr(data)
	if paths == nil && cdata == nil {
		cdata = (*C.char)(blob) // an empty buffer, not a list of paths
	}
	var out string
	err := s.with(func(p *C.cicd_deploy_store) error {
		var buf C.cicd_buf
		var cerr *C.cicd_error
		defer C.cicd_buf_dispose(&buf)
		if paths != nil {
			cdata = nil
		}
		rc := C.shim_deploy_push(&buf, p, cps, blob, offs, C.size_t(len(paths)), cdata, C.size_t(len(data)), cname, cwho,
			ccommit, cpipe, rec, &cerr)
		runtime.KeepAlive(packed)
		runtime.KeepAlive(data)
		if err := fromC(rc, cerr); err != nil {
			return err
		}
		out = C.GoStringN(buf.ptr, C.int(buf.size))
		return nil
	})
	v, err := decode[DeployVersion](out, err)
	if err != nil {
		return nil, err
	}
	return &v, nil
}

// Push stores the manifests of files and directories as a version of
// "PROJECT/SET"; invalid objects are an ErrValidate error with file:line:col.
func (s *DeployStore) Push(projectSet string, paths []string, o *PushOptions) (*DeployVersion, error) {
	if paths == nil {
		paths = []string{}
	}
	return s.push(projectSet, paths, nil, "", o)
}

// PushBytes stores the manifests of a YAML stream; name labels positions.
func (s *DeployStore) PushBytes(projectSet string, data []byte, name string, o *PushOptions) (*DeployVersion, error) {
	return s.push(projectSet, nil, data, name, o)
}

// Versions of "PROJECT/SET", newest first.
func (s *DeployStore) Versions(projectSet string) ([]DeployVersion, error) {
	return decode[[]DeployVersion](s.json(1, projectSet, "", 0, 0))
}

// SetPrune turns pruning on or off for a resource set.
func (s *DeployStore) SetPrune(projectSet string, prune bool) error {
	cps := cstring(projectSet)
	defer free(cps)
	pr := C.int(0)
	if prune {
		pr = 1
	}
	return s.with(func(p *C.cicd_deploy_store) error {
		var cerr *C.cicd_error
		return fromC(C.shim_deploy_set_prune(p, cps, pr, &cerr), cerr)
	})
}

// DiffVersions is the change from "P/S@A" to "P/S@B" as text, or as JSON
// with asJSON; Secret values are hidden.
func (s *DeployStore) DiffVersions(from, to string, asJSON bool) (string, error) {
	format := C.CICD_DEPLOY_DIFF_TEXT
	if asJSON {
		format = C.CICD_DEPLOY_DIFF_JSON
	}
	return s.json(2, from, to, int(format), 0)
}

// LiveChange is what deploying would do to one object.
type LiveChange struct {
	Action    string          `json:"action"` // create, update, unchanged, delete
	Kind      string          `json:"kind"`
	Namespace string          `json:"namespace"`
	Name      string          `json:"name"`
	Diff      json.RawMessage `json:"diff"`
}

// DiffLive is what deploying ref to target would change (a server-side dry
// run); the end of ctx interrupts it and it returns ctx.Err().
func (s *DeployStore) DiffLive(ctx context.Context, ref, target string) ([]LiveChange, error) {
	lock := func(f func(p *C.cicd_deploy_store) error) error { return s.interruptible(ctx, f) }
	return decode[[]LiveChange](s.jsonWith(lock, 3, ref, target, 0, 0))
}

// RunOptions describe a deploy job. Progress receives each log line of a
// job that runs in this call (Wait, or RunWorker) as it is written.
type RunOptions struct {
	Who        string
	Prune      bool
	TimeoutMS  int  // the job's deadline from its start; 0: 300,000
	Wait       bool // run the job in this call instead of queueing it for a worker
	NoQueue    bool // ErrConflict when the target is busy
	LeaseTTLMS int
	Owner      string
	Progress   func(level int, message string, fields map[string]any)
}

type progressState struct {
	fn func(level int, message string, fields map[string]any)
}

func (s *DeployStore) run(ctx context.Context, ref, projectSet, target, toVersion string, o *RunOptions) (int64, error) {
	if o == nil {
		o = &RunOptions{}
	}
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	cref, cps, ct, cto, cwho, cowner := optStr(ref), optStr(projectSet), cstring(target), optStr(toVersion), optStr(o.Who), optStr(o.Owner)
	for _, c := range []*C.char{cref, cps, ct, cto, cwho, cowner} {
		if c != nil {
			defer free(c)
		}
	}
	var handle cgo.Handle
	if o.Progress != nil {
		handle = cgo.NewHandle(&progressState{fn: o.Progress})
		defer handle.Delete()
	}
	b := func(v bool) C.int {
		if v {
			return 1
		}
		return 0
	}
	var id C.longlong
	f := func(p *C.cicd_deploy_store) error {
		var cerr *C.cicd_error
		rc := C.shim_deploy_run(&id, p, cref, cps, ct, cto, cwho, b(o.Prune), C.long(o.TimeoutMS), b(o.Wait), b(o.NoQueue),
			C.long(o.LeaseTTLMS), cowner, C.uintptr_t(handle), &cerr)
		return fromC(rc, cerr)
	}
	var err error
	if o.Wait {
		err = s.interruptible(ctx, f)
	} else {
		err = s.with(f)
	}
	return int64(id), err
}

// Run creates a deploy job of "P/S@V" to target and returns its id. The
// job's own failure is not an error: read it with Job or JobState. With
// Wait, the end of ctx interrupts the job: it ends canceled and Run returns
// its id with ctx.Err().
func (s *DeployStore) Run(ctx context.Context, ref, target string, o *RunOptions) (int64, error) {
	return s.run(ctx, ref, "", target, "", o)
}

// Rollback rolls "P/S" on target forward to toVersion ("": the last version
// that succeeded before the current one).
func (s *DeployStore) Rollback(ctx context.Context, projectSet, target, toVersion string, o *RunOptions) (int64, error) {
	return s.run(ctx, "", projectSet, target, toVersion, o)
}

// Cancel cancels a job; ErrConflict when it has finished.
func (s *DeployStore) Cancel(id int64, who string) error {
	cwho := optStr(who)
	if cwho != nil {
		defer free(cwho)
	}
	return s.with(func(p *C.cicd_deploy_store) error {
		var cerr *C.cicd_error
		return fromC(C.shim_deploy_cancel(p, C.longlong(id), cwho, &cerr), cerr)
	})
}

// DeployJob is a job as listed; Job adds transitions and the change set (in Raw).
type DeployJob struct {
	ID      int64  `json:"id"`
	Project string `json:"project"`
	Set     string `json:"set"`
	Version int    `json:"version"`
	Target  string `json:"target"`
	Who     string `json:"who"`
	State   string `json:"state"`
	Reason  string `json:"reason"`
	Message string `json:"message"`
}

// Jobs lists jobs, newest first (target "": all; limit 0: all).
func (s *DeployStore) Jobs(target string, limit int) ([]DeployJob, error) {
	return decode[[]DeployJob](s.json(4, target, "", limit, 0))
}

// Job is one job; the full JSON (transitions, change set) is returned too.
func (s *DeployStore) Job(id int64) (*DeployJob, json.RawMessage, error) {
	text, err := s.json(5, "", "", 0, id)
	if err != nil {
		return nil, nil, err
	}
	var j DeployJob
	if err := json.Unmarshal([]byte(text), &j); err != nil {
		return nil, nil, err
	}
	return &j, json.RawMessage(text), nil
}

// JobState is "queued", "running", "canceling", "succeeded", "failed", "canceled" or "timed_out".
func (s *DeployStore) JobState(id int64) (string, error) {
	var state string
	err := s.with(func(p *C.cicd_deploy_store) error {
		var cs *C.char
		var cerr *C.cicd_error
		if err := fromC(C.shim_deploy_job_state(&cs, p, C.longlong(id), &cerr), cerr); err != nil {
			return err
		}
		state = C.GoString(cs)
		return nil
	})
	return state, err
}

// LogLine is one committed line of a job's log.
type LogLine struct {
	Seq     int64
	AtMS    int64
	Level   int
	Message string
	Fields  map[string]any
}

type logState struct {
	fn  func(LogLine) error
	err error
}

// Log calls fn for each committed line after sequence number after and
// returns the number to resume from. An error from fn stops the reading
// and is returned.
func (s *DeployStore) Log(id, after int64, fn func(LogLine) error) (int64, error) {
	return s.log(s.with, id, after, false, 0, fn)
}

func (s *DeployStore) log(lock func(func(p *C.cicd_deploy_store) error) error, id, after int64, follow bool, poll time.Duration,
	fn func(LogLine) error) (int64, error) {
	st := &logState{fn: fn}
	handle := cgo.NewHandle(st)
	defer handle.Delete()
	last := C.longlong(after)
	fl := C.int(0)
	if follow {
		fl = 1
	}
	err := lock(func(p *C.cicd_deploy_store) error {
		var cerr *C.cicd_error
		rc := C.shim_deploy_log(&last, p, C.longlong(id), C.longlong(after), fl, C.long(poll/time.Millisecond), C.uintptr_t(handle), &cerr)
		if st.err != nil {
			fromC(0, cerr)
			return st.err
		}
		return fromC(rc, cerr)
	})
	return int64(last), err
}

// Follow reads the log as Log does, then polls every poll (0: 500 ms)
// until the job has ended and every line was read. The end of ctx stops it
// within about 100 ms (ctx.Err(), with the number to resume from).
func (s *DeployStore) Follow(ctx context.Context, id, after int64, poll time.Duration, fn func(LogLine) error) (int64, error) {
	if poll > 0 && poll < time.Millisecond {
		poll = time.Millisecond
	}
	lock := func(f func(p *C.cicd_deploy_store) error) error { return s.interruptible(ctx, f) }
	return s.log(lock, id, after, true, poll, fn)
}

// WorkerOptions tune RunWorker.
type WorkerOptions struct {
	Owner      string
	LeaseTTLMS int
	PollMS     int  // 0: 1000
	UntilIdle  bool // return when no job is queued or running
	MaxJobs    int  // return after this many jobs; 0: no limit
	Progress   func(level int, message string, fields map[string]any)
}

// RunWorker runs jobs (those whose worker was lost first, then the oldest
// queued job of each free target) one at a time until ctx is done, or as
// UntilIdle and MaxJobs say. The end of ctx interrupts the job under way,
// which ends canceled, and RunWorker returns ctx.Err().
func (s *DeployStore) RunWorker(ctx context.Context, o *WorkerOptions) error {
	if o == nil {
		o = &WorkerOptions{}
	}
	cowner := optStr(o.Owner)
	if cowner != nil {
		defer free(cowner)
	}
	var handle cgo.Handle
	if o.Progress != nil {
		handle = cgo.NewHandle(&progressState{fn: o.Progress})
		defer handle.Delete()
	}
	idle := C.int(0)
	if o.UntilIdle {
		idle = 1
	}
	return s.interruptible(ctx, func(p *C.cicd_deploy_store) error {
		var cerr *C.cicd_error
		rc := C.shim_deploy_worker(p, cowner, C.long(o.LeaseTTLMS), C.long(o.PollMS), idle, C.long(o.MaxJobs), C.uintptr_t(handle), &cerr)
		return fromC(rc, cerr)
	})
}

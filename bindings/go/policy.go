package cicd

/*
#include <stdlib.h>
#include <cicd/cicd.h>
#include <cicd/policy.h>

static int shim_policy_load(cicd_policy **out, const char *path, const char *data, size_t len,
			    const char *name, size_t max_bytes, size_t max_kinds, size_t max_name, cicd_error **err)
{
	cicd_policy_options o = CICD_POLICY_OPTIONS_INIT;
	int rc;
	if (max_bytes)
		o.max_bytes = max_bytes;
	if (max_kinds)
		o.max_branch_kinds = max_kinds;
	if (max_name)
		o.max_name_length = max_name;
	rc = path ? cicd_policy_load_file(out, path, &o) : cicd_policy_load_buffer(out, data, len, name, &o);
	if (rc < 0)
		cicd_error_dup(err);
	return rc;
}

// what: 0 push (a), 1 merge request (a into b), 2 tag (a on b; tags: blob and offsets as packed by Go).
static int shim_policy_check(cicd_policy_result **out, const cicd_policy *p, int what, const char *a,
			     const char *b, const void *blob, const void *offs, size_t count, cicd_error **err)
{
	int rc;
	if (what == 0) {
		rc = cicd_policy_check_push(out, p, a);
	} else if (what == 1) {
		rc = cicd_policy_check_merge_request(out, p, a, b);
	} else {
		const char **tags = calloc(count + 1, sizeof(*tags));
		const size_t *o = offs;
		size_t i;
		if (!tags)
			return CICD_ENOMEM;
		for (i = 0; i < count; i++)
			tags[i] = (const char *)blob + o[2 * i];
		rc = cicd_policy_check_tag(out, p, a, b, tags, count);
		free(tags);
	}
	if (rc < 0)
		cicd_error_dup(err);
	return rc;
}

static int shim_policy_result_json(cicd_buf *out, const cicd_policy_result *r, cicd_error **err)
{
	int rc = cicd_policy_result_to_json(out, r);
	if (rc < 0)
		cicd_error_dup(err);
	return rc;
}

static int shim_policy_tag_version(cicd_semver **out, const cicd_policy *p, const char *tag, cicd_error **err)
{
	int rc = cicd_policy_tag_version(out, p, tag);
	if (rc < 0 && rc != CICD_ENOTFOUND)
		cicd_error_dup(err);
	return rc;
}

static int shim_policy_release_tag(cicd_buf *out, const cicd_policy *p, const cicd_semver *v, cicd_error **err)
{
	int rc = cicd_policy_release_tag(out, p, v);
	if (rc < 0)
		cicd_error_dup(err);
	return rc;
}

static int shim_policy_next_version(cicd_semver **out, int *bump, const cicd_semver *last, const void *blob,
				    const void *offs, size_t count, const char *pre_id, long long pre_number,
				    cicd_error **err)
{
	cicd_policy_next_options o = CICD_POLICY_NEXT_OPTIONS_INIT;
	const char **msgs = calloc(count + 1, sizeof(*msgs));
	size_t *lens = calloc(count + 1, sizeof(*lens));
	const size_t *off = offs;
	cicd_semver_release kind = CICD_SEMVER_NONE;
	size_t i;
	int rc = CICD_ENOMEM;
	if (msgs && lens) {
		for (i = 0; i < count; i++) {
			msgs[i] = (const char *)blob + off[2 * i];
			lens[i] = off[2 * i + 1];
		}
		o.pre_id = pre_id;
		if (pre_number >= 0)
			o.pre_number = (unsigned long long)pre_number;
		rc = cicd_policy_next_version(out, &kind, last, msgs, lens, count, &o);
		if (rc < 0)
			cicd_error_dup(err);
	}
	*bump = (int)kind;
	free(msgs);
	free(lens);
	return rc;
}
*/
import "C"

import (
	"runtime"
	"strings"
)

// PolicyOptions limit loading; zero values are the library's defaults (1
// MiB files, 256 branch kinds, names of 1,024 bytes).
type PolicyOptions struct {
	MaxBytes       int
	MaxBranchKinds int
	MaxNameLength  int
}

// Policy is a loaded branch and tag policy. Immutable; Close it when done.
type Policy struct {
	ptr *C.cicd_policy
}

func loadPolicy(path *string, data []byte, name string, o *PolicyOptions) (*Policy, error) {
	if o == nil {
		o = &PolicyOptions{}
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
	var out *C.cicd_policy
	var cerr *C.cicd_error
	rc := C.shim_policy_load(&out, cpath, bytesPtr(data), C.size_t(len(data)), cname, C.size_t(o.MaxBytes),
		C.size_t(o.MaxBranchKinds), C.size_t(o.MaxNameLength), &cerr)
	runtime.KeepAlive(data)
	if err := fromC(rc, cerr); err != nil {
		return nil, err
	}
	p := &Policy{ptr: out}
	runtime.SetFinalizer(p, (*Policy).Close)
	return p, nil
}

// LoadPolicy loads a policy file; errors carry the offending node's position.
func LoadPolicy(path string, o *PolicyOptions) (*Policy, error) {
	return loadPolicy(&path, nil, "", o)
}

// LoadPolicyBytes loads a policy from memory; name labels positions.
func LoadPolicyBytes(data []byte, name string, o *PolicyOptions) (*Policy, error) {
	return loadPolicy(nil, data, name, o)
}

// Close frees the policy. Safe to call twice.
func (p *Policy) Close() error {
	if p.ptr != nil {
		C.cicd_policy_free(p.ptr)
		p.ptr = nil
		runtime.SetFinalizer(p, nil)
	}
	return nil
}

func (p *Policy) live() *C.cicd_policy {
	if p.ptr == nil {
		panic("cicd: use of a closed Policy")
	}
	return p.ptr
}

// Violation is one violated rule: branch-name, protected-branch,
// merge-flow, tag-pattern, tag-branch or tag-order.
type Violation struct {
	Rule    string
	Message string
}

// PolicyResult is the outcome of a check, copied out of the library.
type PolicyResult struct {
	Allowed    bool
	Violations []Violation
	Captures   []NameValue // named captures in order ("issue", "source.slug", "major", ...)
	Kind       string      // the matched branch kind, "" when none
	JSON       string
}

func (p *Policy) check(what int, a, b string, tags []string) (*PolicyResult, error) {
	ca, cb := cstring(a), cstring(b)
	defer free(ca)
	defer free(cb)
	for _, t := range tags {
		if strings.IndexByte(t, 0) >= 0 {
			return nil, &Error{Code: ErrCodeInvalid, Message: "tag name contains a NUL byte"}
		}
	}
	packed := packStrings(tags...)
	blob, offs := packed.ptrs()
	var r *C.cicd_policy_result
	var cerr *C.cicd_error
	rc := C.shim_policy_check(&r, p.live(), C.int(what), ca, cb, blob, offs, C.size_t(len(tags)), &cerr)
	runtime.KeepAlive(packed)
	runtime.KeepAlive(p)
	if err := fromC(rc, cerr); err != nil {
		return nil, err
	}
	defer C.cicd_policy_result_free(r)
	out := &PolicyResult{
		Allowed: C.cicd_policy_result_allowed(r) != 0,
		Kind:    gostr(C.cicd_policy_result_kind(r)),
	}
	for i, n := C.size_t(0), C.cicd_policy_result_violation_count(r); i < n; i++ {
		out.Violations = append(out.Violations, Violation{gostr(C.cicd_policy_result_violation_rule(r, i)),
			gostr(C.cicd_policy_result_violation_message(r, i))})
	}
	for i, n := C.size_t(0), C.cicd_policy_result_capture_count(r); i < n; i++ {
		out.Captures = append(out.Captures, NameValue{gostr(C.cicd_policy_result_capture_name(r, i)),
			gostr(C.cicd_policy_result_capture_value(r, i))})
	}
	var buf C.cicd_buf
	defer C.cicd_buf_dispose(&buf)
	if err := fromC(C.shim_policy_result_json(&buf, r, &cerr), cerr); err != nil {
		return nil, err
	}
	out.JSON = C.GoStringN(buf.ptr, C.int(buf.size))
	return out, nil
}

// CheckPush checks a direct push to branch.
func (p *Policy) CheckPush(branch string) (*PolicyResult, error) {
	return p.check(0, branch, "", nil)
}

// CheckMergeRequest checks a merge request from source into target.
func (p *Policy) CheckMergeRequest(source, target string) (*PolicyResult, error) {
	return p.check(1, source, target, nil)
}

// CheckTag checks a tag created on branch, given the repository's existing tags.
func (p *Policy) CheckTag(tag, branch string, existing []string) (*PolicyResult, error) {
	return p.check(2, tag, branch, existing)
}

// TagVersion is the version a release tag names ("v1.4.0" -> 1.4.0), or
// nil when the tag does not match the policy's pattern.
func (p *Policy) TagVersion(tag string) (*Semver, error) {
	ctag := cstring(tag)
	defer free(ctag)
	var out *C.cicd_semver
	var cerr *C.cicd_error
	rc := C.shim_policy_tag_version(&out, p.live(), ctag, &cerr)
	runtime.KeepAlive(p)
	if rc == C.CICD_ENOTFOUND {
		return nil, nil
	}
	if err := fromC(rc, cerr); err != nil {
		return nil, err
	}
	return newVersion(out), nil
}

// ReleaseTag is the tag that releases v under the policy's tag pattern
// (1.4.0 -> "v1.4.0"); the reverse of TagVersion. An *Error with
// ErrCodeInvalid when v has a pre-release the pattern has no place for, or
// the pattern wants one and v has none.
func (p *Policy) ReleaseTag(v *Semver) (string, error) {
	var buf C.cicd_buf
	var cerr *C.cicd_error
	defer C.cicd_buf_dispose(&buf)
	rc := C.shim_policy_release_tag(&buf, p.live(), v.live(), &cerr)
	runtime.KeepAlive(p)
	runtime.KeepAlive(v)
	if err := fromC(rc, cerr); err != nil {
		return "", err
	}
	return C.GoStringN(buf.ptr, C.int(buf.size)), nil
}

// CommitBump is the bump a Conventional Commits message asks for
// (ReleaseNone, ReleasePatch, ReleaseMinor or ReleaseMajor).
func CommitBump(message string) Release {
	data := []byte(message)
	r := Release(C.cicd_policy_commit_bump(bytesPtr(data), C.size_t(len(data))))
	runtime.KeepAlive(data)
	return r
}

// NextVersionOptions ask for a dev pre-release NEXT-PreID.N; a nil
// PreNumber means N is the number of commits.
type NextVersionOptions struct {
	PreID     string
	PreNumber *int
}

// NextVersion is the version after last for these commit messages, with
// the bump applied (the 0.x rules hold below 1.0.0).
func NextVersion(last *Semver, messages []string, o *NextVersionOptions) (*Semver, Release, error) {
	var cpre *C.char
	pre := int64(-1)
	if o != nil {
		if o.PreID != "" {
			cpre = cstring(o.PreID)
			defer free(cpre)
		}
		if o.PreNumber != nil {
			if *o.PreNumber < 0 {
				return nil, ReleaseNone, &Error{Code: ErrCodeInvalid, Message: "pre-release number must not be negative"}
			}
			pre = int64(*o.PreNumber)
		}
	}
	packed := packStrings(messages...)
	blob, offs := packed.ptrs()
	var out *C.cicd_semver
	var bump C.int
	var cerr *C.cicd_error
	rc := C.shim_policy_next_version(&out, &bump, last.live(), blob, offs, C.size_t(len(messages)), cpre,
		C.longlong(pre), &cerr)
	runtime.KeepAlive(packed)
	runtime.KeepAlive(last)
	if err := fromC(rc, cerr); err != nil {
		return nil, ReleaseNone, err
	}
	return newVersion(out), Release(bump), nil
}

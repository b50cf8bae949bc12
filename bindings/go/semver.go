package cicd

/*
#include <stdlib.h>
#include <cicd/cicd.h>
#include <cicd/semver.h>

static cicd_semver_options shim_semver_options(unsigned flags, size_t max_length, size_t max_range_length)
{
	cicd_semver_options o = CICD_SEMVER_OPTIONS_INIT;
	o.flags = flags;
	o.max_length = max_length;
	o.max_range_length = max_range_length;
	return o;
}

static int shim_semver_parse(cicd_semver **out, const char *text, size_t len, int coerce, unsigned flags,
			     size_t max_length, cicd_error **err)
{
	cicd_semver_options o = shim_semver_options(flags, max_length, CICD_SEMVER_DEFAULT_MAX_RANGE_LENGTH);
	int rc = coerce ? cicd_semver_coerce(out, text, len, &o) : cicd_semver_parse(out, text, len, &o);
	if (rc < 0)
		cicd_error_dup(err);
	return rc;
}

static int shim_semver_range_parse(cicd_semver_range **out, const char *text, size_t len, unsigned flags,
				   size_t max_range_length, cicd_error **err)
{
	cicd_semver_options o = shim_semver_options(flags, CICD_SEMVER_DEFAULT_MAX_LENGTH, max_range_length);
	int rc = cicd_semver_range_parse(out, text, len, &o);
	if (rc < 0)
		cicd_error_dup(err);
	return rc;
}

static int shim_semver_inc(cicd_semver **out, const cicd_semver *v, int kind, const char *preid, unsigned flags,
			   cicd_error **err)
{
	cicd_semver_options o = shim_semver_options(flags, CICD_SEMVER_DEFAULT_MAX_LENGTH,
						    CICD_SEMVER_DEFAULT_MAX_RANGE_LENGTH);
	int rc = cicd_semver_inc(out, v, (cicd_semver_release)kind, preid, &o);
	if (rc < 0)
		cicd_error_dup(err);
	return rc;
}

static int shim_semver_dup(cicd_semver **out, const cicd_semver *v, cicd_error **err)
{
	int rc = cicd_semver_dup(out, v);
	if (rc < 0)
		cicd_error_dup(err);
	return rc;
}

static int shim_semver_compare_str(int *out, const char *a, const char *b, unsigned flags, cicd_error **err)
{
	cicd_semver_options o = shim_semver_options(flags, CICD_SEMVER_DEFAULT_MAX_LENGTH,
						    CICD_SEMVER_DEFAULT_MAX_RANGE_LENGTH);
	int rc = cicd_semver_compare_str(out, a, b, &o);
	if (rc < 0)
		cicd_error_dup(err);
	return rc;
}

static int shim_semver_satisfies(int *out, const char *range, const char *version, unsigned flags, cicd_error **err)
{
	cicd_semver_options o = shim_semver_options(flags, CICD_SEMVER_DEFAULT_MAX_LENGTH,
						    CICD_SEMVER_DEFAULT_MAX_RANGE_LENGTH);
	int rc = cicd_semver_satisfies(out, range, version, &o);
	if (rc < 0)
		cicd_error_dup(err);
	return rc;
}

static int shim_semver_range_test_str(int *out, const cicd_semver_range *r, const char *text, size_t len,
				      cicd_error **err)
{
	int rc = cicd_semver_range_test_str(out, r, text, len);
	if (rc < 0)
		cicd_error_dup(err);
	return rc;
}

static int shim_semver_release_parse(int *out, const char *name, cicd_error **err)
{
	cicd_semver_release kind = CICD_SEMVER_NONE;
	int rc = cicd_semver_release_parse(&kind, name);
	*out = (int)kind;
	if (rc < 0)
		cicd_error_dup(err);
	return rc;
}

// Sorts n versions (a C array the caller owns) and writes the permutation to perm.
static int shim_semver_sort(cicd_semver **items, size_t n, unsigned flags, size_t *perm, cicd_error **err)
{
	cicd_semver **sorted = malloc((n + 1) * sizeof(*sorted));
	size_t i, j;
	int rc;
	if (!sorted)
		return CICD_ENOMEM;
	for (i = 0; i < n; i++)
		sorted[i] = items[i];
	rc = cicd_semver_sort(sorted, n, flags);
	for (i = 0; rc == 0 && i < n; i++)
		for (j = 0; j < n; j++)
			if (items[j] == sorted[i]) {
				perm[i] = j;
				items[j] = NULL;
				break;
			}
	free(sorted);
	if (rc < 0)
		cicd_error_dup(err);
	return rc;
}

static int shim_semver_satisfying(size_t *index, cicd_semver *const *items, size_t n, const cicd_semver_range *r,
				  int max, cicd_error **err)
{
	int rc = max ? cicd_semver_max_satisfying(index, items, n, r) : cicd_semver_min_satisfying(index, items, n, r);
	if (rc < 0 && rc != CICD_ENOTFOUND)
		cicd_error_dup(err);
	return rc;
}
*/
import "C"

import (
	"runtime"
	"unsafe"
)

// Release is a kind of release for Inc and Diff.
type Release int

const (
	ReleaseNone       Release = C.CICD_SEMVER_NONE
	ReleaseMajor      Release = C.CICD_SEMVER_MAJOR
	ReleasePremajor   Release = C.CICD_SEMVER_PREMAJOR
	ReleaseMinor      Release = C.CICD_SEMVER_MINOR
	ReleasePreminor   Release = C.CICD_SEMVER_PREMINOR
	ReleasePatch      Release = C.CICD_SEMVER_PATCH
	ReleasePrepatch   Release = C.CICD_SEMVER_PREPATCH
	ReleasePrerelease Release = C.CICD_SEMVER_PRERELEASE
	ReleaseRelease    Release = C.CICD_SEMVER_RELEASE
)

// String is the release's name: "major", "prerelease", "none", ...
func (r Release) String() string {
	return C.GoString(C.cicd_semver_release_name(C.cicd_semver_release(r)))
}

// ParseRelease is the release named name; an ErrInvalid error for an unknown name.
func ParseRelease(name string) (Release, error) {
	cname := cstring(name)
	defer free(cname)
	var kind C.int
	var cerr *C.cicd_error
	if err := fromC(C.shim_semver_release_parse(&kind, cname, &cerr), cerr); err != nil {
		return ReleaseNone, err
	}
	return Release(kind), nil
}

// SemverOptions: Loose accepts "v1.2.3", "=1.2.3", leading zeros and
// "1.2.3beta"; IncludePrerelease lets pre-releases match any range.
// MaxLength and MaxRangeLength default to 256 and 65,536; -1 means no limit.
type SemverOptions struct {
	Loose             bool
	IncludePrerelease bool
	MaxLength         int
	MaxRangeLength    int
}

func (o *SemverOptions) flags() C.uint {
	f := C.uint(0)
	if o != nil && o.Loose {
		f |= C.CICD_SEMVER_LOOSE
	}
	if o != nil && o.IncludePrerelease {
		f |= C.CICD_SEMVER_INCLUDE_PRERELEASE
	}
	return f
}

func limit(v, def int) C.size_t {
	switch {
	case v < 0:
		return 0
	case v == 0:
		return C.size_t(def)
	}
	return C.size_t(v)
}

func (o *SemverOptions) maxLength() C.size_t {
	if o == nil {
		return C.CICD_SEMVER_DEFAULT_MAX_LENGTH
	}
	return limit(o.MaxLength, C.CICD_SEMVER_DEFAULT_MAX_LENGTH)
}

func (o *SemverOptions) maxRangeLength() C.size_t {
	if o == nil {
		return C.CICD_SEMVER_DEFAULT_MAX_RANGE_LENGTH
	}
	return limit(o.MaxRangeLength, C.CICD_SEMVER_DEFAULT_MAX_RANGE_LENGTH)
}

// Semver is a parsed SemVer 2.0.0 version. It is immutable and may be
// shared between goroutines; Close frees it (a finalizer does otherwise).
type Semver struct {
	ptr *C.cicd_semver
}

func newVersion(p *C.cicd_semver) *Semver {
	v := &Semver{ptr: p}
	runtime.SetFinalizer(v, (*Semver).Close)
	return v
}

func parseVersion(text string, coerce bool, o *SemverOptions) (*Semver, error) {
	data := []byte(text)
	var out *C.cicd_semver
	var cerr *C.cicd_error
	co := C.int(0)
	if coerce {
		co = 1
	}
	rc := C.shim_semver_parse(&out, bytesPtr(data), C.size_t(len(data)), co, o.flags(), o.maxLength(), &cerr)
	runtime.KeepAlive(data)
	if err := fromC(rc, cerr); err != nil {
		return nil, err
	}
	return newVersion(out), nil
}

// ParseSemver parses a version; errors are ErrCodeParse with the column of
// the first offending character, or ErrCodeLimit.
func ParseSemver(text string, o *SemverOptions) (*Semver, error) { return parseVersion(text, false, o) }

// CoerceSemver is the first version-like run in text ("release 1.4" ->
// 1.4.0); an ErrNotFound error when there is none.
func CoerceSemver(text string, o *SemverOptions) (*Semver, error) { return parseVersion(text, true, o) }

// MustParseSemver is ParseSemver for constants; it panics on error.
func MustParseSemver(text string) *Semver {
	v, err := ParseSemver(text, nil)
	if err != nil {
		panic(err)
	}
	return v
}

// Close frees the version. Safe to call twice.
func (v *Semver) Close() error {
	if v.ptr != nil {
		C.cicd_semver_free(v.ptr)
		v.ptr = nil
		runtime.SetFinalizer(v, nil)
	}
	return nil
}

func (v *Semver) live() *C.cicd_semver {
	if v.ptr == nil {
		panic("cicd: use of a closed Semver")
	}
	return v.ptr
}

func (v *Semver) str(get func(*C.cicd_semver) *C.char) string {
	s := C.GoString(get(v.live()))
	runtime.KeepAlive(v)
	return s
}

// String is the normalized text, with build metadata.
func (v *Semver) String() string {
	return v.str(func(p *C.cicd_semver) *C.char { return C.cicd_semver_text(p) })
}

// Text is the version without build metadata (node-semver's `version`).
func (v *Semver) Text() string {
	p := v.live()
	s := C.GoStringN(C.cicd_semver_text(p), C.int(C.cicd_semver_text_length(p)))
	runtime.KeepAlive(v)
	return s
}

// Major, Minor and Patch are decimal digit strings of any length.
func (v *Semver) Major() string {
	return v.str(func(p *C.cicd_semver) *C.char { return C.cicd_semver_major(p) })
}
func (v *Semver) Minor() string {
	return v.str(func(p *C.cicd_semver) *C.char { return C.cicd_semver_minor(p) })
}
func (v *Semver) Patch() string {
	return v.str(func(p *C.cicd_semver) *C.char { return C.cicd_semver_patch(p) })
}

// Prerelease and Build are the dot-separated identifiers, "" when absent.
func (v *Semver) Prerelease() string {
	return v.str(func(p *C.cicd_semver) *C.char { return C.cicd_semver_prerelease(p) })
}
func (v *Semver) Build() string {
	return v.str(func(p *C.cicd_semver) *C.char { return C.cicd_semver_build(p) })
}

// Compare is SemVer precedence: -1, 0 or 1 (build metadata ignored).
func (v *Semver) Compare(o *Semver) int {
	r := int(C.cicd_semver_compare(v.live(), o.live()))
	runtime.KeepAlive(v)
	runtime.KeepAlive(o)
	return r
}

// CompareBuild is precedence, then build metadata (node-semver's compareBuild).
func (v *Semver) CompareBuild(o *Semver) int {
	r := int(C.cicd_semver_compare_build(v.live(), o.live()))
	runtime.KeepAlive(v)
	runtime.KeepAlive(o)
	return r
}

// Diff is the kind of the largest difference, ReleaseNone when equal.
func (v *Semver) Diff(o *Semver) Release {
	r := Release(C.cicd_semver_diff(v.live(), o.live()))
	runtime.KeepAlive(v)
	runtime.KeepAlive(o)
	return r
}

// Inc is the next version of kind, as node-semver's inc(); preid names the
// pre-release ("" for none).
func (v *Semver) Inc(kind Release, preid string, o *SemverOptions) (*Semver, error) {
	var cpre *C.char
	if preid != "" {
		cpre = cstring(preid)
		defer free(cpre)
	}
	var out *C.cicd_semver
	var cerr *C.cicd_error
	rc := C.shim_semver_inc(&out, v.live(), C.int(kind), cpre, o.flags(), &cerr)
	runtime.KeepAlive(v)
	if err := fromC(rc, cerr); err != nil {
		return nil, err
	}
	return newVersion(out), nil
}

// Dup is an independent copy.
func (v *Semver) Dup() (*Semver, error) {
	var out *C.cicd_semver
	var cerr *C.cicd_error
	rc := C.shim_semver_dup(&out, v.live(), &cerr)
	runtime.KeepAlive(v)
	if err := fromC(rc, cerr); err != nil {
		return nil, err
	}
	return newVersion(out), nil
}

// cArray copies the version pointers into C memory (Go memory holding
// pointers may not be passed to C); free it with C.free.
func cArray(vs []*Semver) **C.cicd_semver {
	n := len(vs)
	arr := (**C.cicd_semver)(C.malloc(C.size_t(n+1) * C.size_t(unsafe.Sizeof(uintptr(0)))))
	items := unsafe.Slice(arr, n+1)
	for i, v := range vs {
		items[i] = v.live()
	}
	return arr
}

// SortSemvers sorts vs in place by precedence then build metadata
// (stable), descending with reverse, as node-semver sorts.
func SortSemvers(vs []*Semver, reverse bool) error {
	if len(vs) == 0 {
		return nil
	}
	arr := cArray(vs)
	defer C.free(unsafe.Pointer(arr))
	perm := make([]C.size_t, len(vs))
	flags := C.uint(0)
	if reverse {
		flags = C.CICD_SEMVER_SORT_REVERSE
	}
	var cerr *C.cicd_error
	rc := C.shim_semver_sort(arr, C.size_t(len(vs)), flags, &perm[0], &cerr)
	if err := fromC(rc, cerr); err != nil {
		return err
	}
	sorted := make([]*Semver, len(vs))
	for i, j := range perm {
		sorted[i] = vs[j]
	}
	copy(vs, sorted)
	runtime.KeepAlive(sorted)
	return nil
}

// CompareSemvers parses a and b and compares them.
func CompareSemvers(a, b string, o *SemverOptions) (int, error) {
	ca, cb := cstring(a), cstring(b)
	defer free(ca)
	defer free(cb)
	var out C.int
	var cerr *C.cicd_error
	if err := fromC(C.shim_semver_compare_str(&out, ca, cb, o.flags(), &cerr), cerr); err != nil {
		return 0, err
	}
	return int(out), nil
}

// Satisfies parses a range and a version and tests one against the other.
func Satisfies(version, rng string, o *SemverOptions) (bool, error) {
	cr, cv := cstring(rng), cstring(version)
	defer free(cr)
	defer free(cv)
	var out C.int
	var cerr *C.cicd_error
	if err := fromC(C.shim_semver_satisfies(&out, cr, cv, o.flags(), &cerr), cerr); err != nil {
		return false, err
	}
	return out != 0, nil
}

// Range is a node-semver range. Immutable; Close frees it.
type Range struct {
	ptr *C.cicd_semver_range
}

// ParseRange parses a range in node-semver's grammar.
func ParseRange(text string, o *SemverOptions) (*Range, error) {
	data := []byte(text)
	var out *C.cicd_semver_range
	var cerr *C.cicd_error
	rc := C.shim_semver_range_parse(&out, bytesPtr(data), C.size_t(len(data)), o.flags(), o.maxRangeLength(), &cerr)
	runtime.KeepAlive(data)
	if err := fromC(rc, cerr); err != nil {
		return nil, err
	}
	r := &Range{ptr: out}
	runtime.SetFinalizer(r, (*Range).Close)
	return r, nil
}

// Close frees the range. Safe to call twice.
func (r *Range) Close() error {
	if r.ptr != nil {
		C.cicd_semver_range_free(r.ptr)
		r.ptr = nil
		runtime.SetFinalizer(r, nil)
	}
	return nil
}

func (r *Range) live() *C.cicd_semver_range {
	if r.ptr == nil {
		panic("cicd: use of a closed Range")
	}
	return r.ptr
}

// String is the range desugared to comparators (node-semver's validRange).
func (r *Range) String() string {
	s := C.GoString(C.cicd_semver_range_text(r.live()))
	runtime.KeepAlive(r)
	return s
}

// Test reports whether v satisfies the range.
func (r *Range) Test(v *Semver) bool {
	ok := C.cicd_semver_range_test(r.live(), v.live()) != 0
	runtime.KeepAlive(r)
	runtime.KeepAlive(v)
	return ok
}

// TestString reports whether a version given as text satisfies the range.
// The text is parsed with the range's own options (a loose range takes
// loose versions such as "=1.2.3"), without allocating for ordinary
// versions; an invalid version is an *Error with ErrCodeParse.
func (r *Range) TestString(version string) (bool, error) {
	data := []byte(version)
	var out C.int
	var cerr *C.cicd_error
	rc := C.shim_semver_range_test_str(&out, r.live(), bytesPtr(data), C.size_t(len(data)), &cerr)
	runtime.KeepAlive(data)
	runtime.KeepAlive(r)
	if err := fromC(rc, cerr); err != nil {
		return false, err
	}
	return out != 0, nil
}

func (r *Range) satisfying(vs []*Semver, max bool) (int, bool) {
	if len(vs) == 0 {
		return -1, false
	}
	arr := cArray(vs)
	defer C.free(unsafe.Pointer(arr))
	var index C.size_t
	var cerr *C.cicd_error
	m := C.int(0)
	if max {
		m = 1
	}
	rc := C.shim_semver_satisfying(&index, arr, C.size_t(len(vs)), r.live(), m, &cerr)
	runtime.KeepAlive(r)
	runtime.KeepAlive(vs)
	fromC(0, cerr)
	if rc < 0 {
		return -1, false
	}
	return int(index), true
}

// MaxSatisfying is the index of the highest version in vs that satisfies
// the range (the first of equal ones), or -1 and false.
func (r *Range) MaxSatisfying(vs []*Semver) (int, bool) { return r.satisfying(vs, true) }

// MinSatisfying is the index of the lowest satisfying version, or -1 and false.
func (r *Range) MinSatisfying(vs []*Semver) (int, bool) { return r.satisfying(vs, false) }

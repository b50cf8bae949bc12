package cicd

import (
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"testing"
)

func mustSemver(t *testing.T, text string) *Semver {
	t.Helper()
	v, err := ParseSemver(text, nil)
	if err != nil {
		t.Fatalf("%s: %v", text, err)
	}
	return v
}

func texts(vs []*Semver) string {
	var out []string
	for _, v := range vs {
		out = append(out, v.String())
	}
	return strings.Join(out, " ")
}

func TestSemverParsePartsAndErrors(t *testing.T) {
	v := mustSemver(t, "1.2.3-rc.1+b.5")
	eq(t, "parts", []string{v.String(), v.Text(), v.Major(), v.Minor(), v.Patch(), v.Prerelease(), v.Build()},
		[]string{"1.2.3-rc.1+b.5", "1.2.3-rc.1", "1", "2", "3", "rc.1", "b.5"})
	eq(t, "big", mustSemver(t, "99999999999999999999.0.0").Major(), "99999999999999999999")
	loose, err := ParseSemver("v01.2.3", &SemverOptions{Loose: true})
	if err != nil || loose.String() != "1.2.3" {
		t.Fatalf("loose %v %v", loose, err)
	}
	_, err = ParseSemver("1.2", nil)
	var e *Error
	if !errors.As(err, &e) || e.Code != ErrCodeParse || e.Line != 1 || e.Column != 4 ||
		e.Message != `not a version: "1.2" (column 4: expected '.')` {
		t.Fatalf("parse: %+v", err)
	}
	if _, err := ParseSemver("1.2.3", &SemverOptions{MaxLength: 3}); !errors.As(err, &e) || e.Message != "version longer than 3 characters" {
		t.Fatalf("limit: %v", err)
	}
	if _, err := ParseSemver(strings.Repeat("1", 300)+".0.0", &SemverOptions{MaxLength: -1}); err != nil {
		t.Fatalf("no limit: %v", err)
	}
	c, err := CoerceSemver("release 1.4 final", nil)
	if err != nil || c.String() != "1.4.0" {
		t.Fatalf("coerce %v %v", c, err)
	}
	if _, err := CoerceSemver("none", nil); !errors.Is(err, ErrNotFound) {
		t.Fatalf("coerce none: %v", err)
	}
}

func TestSemverCompareSortIncDiff(t *testing.T) {
	a, b := mustSemver(t, "1.0.0+b"), mustSemver(t, "1.0.0+a")
	eq(t, "compare", []int{a.Compare(b), a.CompareBuild(b)}, []int{0, 1})
	vs := []*Semver{mustSemver(t, "1.10.0"), mustSemver(t, "1.2.0"), mustSemver(t, "1.2.0-rc.10"), mustSemver(t, "1.2.0-rc.2"), a, b}
	if err := SortSemvers(vs, false); err != nil {
		t.Fatal(err)
	}
	eq(t, "sorted", texts(vs), "1.0.0+a 1.0.0+b 1.2.0-rc.2 1.2.0-rc.10 1.2.0 1.10.0")
	if err := SortSemvers(vs, true); err != nil {
		t.Fatal(err)
	}
	eq(t, "reverse", texts(vs), "1.10.0 1.2.0 1.2.0-rc.10 1.2.0-rc.2 1.0.0+b 1.0.0+a")
	eq(t, "empty sort", SortSemvers(nil, false), nil)
	v := mustSemver(t, "1.2.3-rc.1")
	var incs []string
	for _, k := range []Release{ReleaseMajor, ReleaseMinor, ReleasePatch, ReleasePrerelease, ReleaseRelease} {
		n, err := v.Inc(k, "", nil)
		if err != nil {
			t.Fatal(err)
		}
		incs = append(incs, n.String())
	}
	eq(t, "inc", incs, []string{"2.0.0", "1.3.0", "1.2.3", "1.2.3-rc.2", "1.2.3"})
	if n, _ := v.Inc(ReleasePreminor, "beta", nil); n.String() != "1.3.0-beta.0" {
		t.Fatalf("preminor %v", n)
	}
	_, err := mustSemver(t, "1.2.3").Inc(ReleaseRelease, "", nil)
	var e *Error
	if !errors.As(err, &e) || !errors.Is(err, ErrInvalid) || e.Message != "version is not a pre-release" {
		t.Fatalf("release: %v", err)
	}
	eq(t, "diff", []Release{v.Diff(mustSemver(t, "1.2.3")), v.Diff(mustSemver(t, "2.0.0")), v.Diff(mustSemver(t, "1.2.3-rc.1+x"))},
		[]Release{ReleasePatch, ReleaseMajor, ReleaseNone})
	eq(t, "names", []string{ReleasePatch.String(), ReleaseNone.String()}, []string{"patch", "none"})
	if k, err := ParseRelease("prerelease"); err != nil || k != ReleasePrerelease {
		t.Fatalf("parse release %v %v", k, err)
	}
	if _, err := ParseRelease("bogus"); !errors.As(err, &e) || e.Message != `unknown release type "bogus"` {
		t.Fatalf("bogus: %v", err)
	}
	if c, err := CompareSemvers("1.2.3", "1.10.0", nil); err != nil || c != -1 {
		t.Fatalf("compare %d %v", c, err)
	}
	if _, err := CompareSemvers("1.2.3", "x", nil); !errors.As(err, &e) || e.Column != 1 {
		t.Fatalf("compare x: %v", err)
	}
	d, err := v.Dup()
	if err != nil || d.String() != v.String() || d.ptr == v.ptr {
		t.Fatalf("dup %v %v", d, err)
	}
}

func TestSemverRanges(t *testing.T) {
	r, err := ParseRange("^1.2 || >=3.0.0-rc.1", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	eq(t, "text", r.String(), ">=1.2.0 <2.0.0-0||>=3.0.0-rc.1")
	eq(t, "test", []bool{r.Test(mustSemver(t, "1.5.0")), r.Test(mustSemver(t, "2.0.0")), r.Test(mustSemver(t, "3.0.0-rc.2")),
		r.Test(mustSemver(t, "1.3.0-rc.1"))}, []bool{true, false, true, false})
	pre, _ := ParseRange("^1.2", &SemverOptions{IncludePrerelease: true})
	eq(t, "include prerelease", pre.Test(mustSemver(t, "1.3.0-rc.1")), true)
	vs := []*Semver{mustSemver(t, "1.2.0"), mustSemver(t, "1.9.9"), mustSemver(t, "2.0.0")}
	i, ok := pre.MaxSatisfying(vs)
	j, ok2 := pre.MinSatisfying(vs)
	eq(t, "satisfying", []any{i, ok, j, ok2}, []any{1, true, 0, true})
	none, _ := ParseRange("^5", nil)
	if i, ok := none.MaxSatisfying(vs); ok || i != -1 {
		t.Fatal("none satisfies ^5")
	}
	if _, ok := none.MinSatisfying(nil); ok {
		t.Fatal("empty list")
	}
	if ok, err := Satisfies("1.3.0", "^1.2", nil); err != nil || !ok {
		t.Fatalf("satisfies %v %v", ok, err)
	}
	var e *Error
	if _, err := ParseRange("^1.2 ||| x y", nil); !errors.As(err, &e) || e.Message != `invalid range: comparator "|"` {
		t.Fatalf("range: %v", err)
	}
	if _, err := Satisfies("1.3.0", "^^", nil); !errors.Is(err, ErrParse) {
		t.Fatalf("satisfies ^^: %v", err)
	}
	if _, err := ParseRange(">=1.0.0", &SemverOptions{MaxRangeLength: 3}); !errors.As(err, &e) || e.Message != "range longer than 3 bytes" {
		t.Fatalf("range limit: %v", err)
	}
}

func TestSemverOwnershipAndConcurrency(t *testing.T) {
	v := mustSemver(t, "1.2.3")
	r, _ := ParseRange("^1", nil)
	var wg sync.WaitGroup
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 200; i++ {
				if !r.Test(v) || v.String() != "1.2.3" {
					t.Error("concurrent read")
					return
				}
			}
		}()
	}
	wg.Wait()
	n, _ := v.Inc(ReleaseMajor, "", nil)
	v.Close()
	v.Close()
	runtime.GC()
	eq(t, "inc outlives its source", n.String(), "2.0.0")
	r.Close()
	r.Close()
	for name, use := range map[string]func(){
		"String":  func() { _ = v.String() },
		"Compare": func() { n.Compare(v) },
		"Inc":     func() { v.Inc(ReleaseMajor, "", nil) },
		"Test":    func() { r.Test(n) },
		"Range":   func() { _ = r.String() },
		"Sort":    func() { SortSemvers([]*Semver{n, v}, false) },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s after Close did not panic", name)
				}
			}()
			use()
		}()
	}
}

func TestRangeTestString(t *testing.T) {
	strict, err := ParseRange("^1.2", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer strict.Close()
	loose, err := ParseRange("^1.2", &SemverOptions{Loose: true})
	if err != nil {
		t.Fatal(err)
	}
	defer loose.Close()
	for _, c := range []struct {
		r    *Range
		v    string
		want bool
	}{{strict, "1.5.0", true}, {strict, "2.0.0", false}, {strict, "1.2.0-rc.1", false}, {loose, "=1.2.5", true}, {loose, "v1.9.9", true}} {
		got, err := c.r.TestString(c.v)
		if err != nil || got != c.want {
			t.Errorf("%s in %s: %v %v", c.v, c.r, got, err)
		}
	}
	// the range's own options decide: a strict range refuses a loose version
	_, err = strict.TestString("=1.2.5")
	var e *Error
	if !errors.As(err, &e) || !errors.Is(err, ErrParse) || e.Message != `not a version: "=1.2.5" (column 1: expected a number)` {
		t.Fatalf("strict: %v", err)
	}
	if _, err = loose.TestString(""); !errors.Is(err, ErrParse) {
		t.Fatalf("empty: %v", err)
	}
}

func TestVersionNumbers(t *testing.T) {
	major, minor, patch := VersionNumbers()
	eq(t, "numbers", fmt.Sprintf("%d.%d.%d", major, minor, patch), Version())
}

package cicd

import (
	"encoding/json"
	"errors"
	"path/filepath"
	"strings"
	"testing"
)

func loadExamplePolicy(t *testing.T) *Policy {
	t.Helper()
	p, err := LoadPolicy(filepath.Join("..", "..", "examples", "policy", "policy.yml"), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	return p
}

func mustCheck(t *testing.T) func(*PolicyResult, error) *PolicyResult {
	return func(r *PolicyResult, err error) *PolicyResult {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
}

func TestPolicyChecks(t *testing.T) {
	p := loadExamplePolicy(t)
	must := mustCheck(t)
	ok := must(p.CheckPush("feature/80-optimize-allocate"))
	eq(t, "feature", []any{ok.Allowed, ok.Kind, len(ok.Violations), ok.Captures},
		[]any{true, "feature", 0, []NameValue{{"issue", "80"}, {"slug", "optimize-allocate"}}})
	var doc map[string]any
	if json.Unmarshal([]byte(ok.JSON), &doc) != nil || doc["event"] != "push" || doc["allowed"] != true {
		t.Fatalf("json %s", ok.JSON)
	}
	master := must(p.CheckPush("master"))
	eq(t, "master", master.Violations, []Violation{{"protected-branch",
		"branch 'master' is protected: changes reach it by merge request, not by a direct push"}})
	bad := must(p.CheckPush("Bad_Branch"))
	if bad.Allowed || bad.Kind != "" || bad.Violations[0].Rule != "branch-name" ||
		!strings.HasPrefix(bad.Violations[0].Message, "branch 'Bad_Branch' matches no branch kind of the policy") {
		t.Fatalf("bad %+v", bad)
	}
	mr := must(p.CheckMergeRequest("feature/1-x", "master"))
	eq(t, "mr", []any{mr.Allowed, mr.Captures, mr.Violations}, []any{false, []NameValue{{"source.issue", "1"}, {"source.slug", "x"}},
		[]Violation{{"merge-flow", "merge requests from feature into master are not allowed (feature merges into: dev)"}}})
	eq(t, "mr ok", must(p.CheckMergeRequest("feature/1-x", "dev")).Allowed, true)
	tag := must(p.CheckTag("v1.4.0", "master", []string{"v1.3.0", "v1.5.0"}))
	eq(t, "tag", tag.Violations, []Violation{{"tag-order", "release tag 'v1.4.0' is not greater than the existing release tag 'v1.5.0'"}})
	eq(t, "tag captures", tag.Captures, []NameValue{{"major", "1"}, {"minor", "4"}, {"patch", "0"}})
	eq(t, "tag branch", must(p.CheckTag("v1.6.0", "dev", []string{"v1.5.0"})).Violations[0].Rule, "tag-branch")
	eq(t, "tag ok", must(p.CheckTag("v1.6.0", "master", nil)).Allowed, true)
	if _, err := p.CheckTag("v1", "master", []string{"a\x00b"}); !errors.Is(err, ErrInvalid) {
		t.Fatalf("nul: %v", err)
	}
	v, err := p.TagVersion("v1.4.0")
	if err != nil || v.String() != "1.4.0" {
		t.Fatalf("tag version %v %v", v, err)
	}
	if v, err := p.TagVersion("nope"); v != nil || err != nil {
		t.Fatalf("nope %v %v", v, err)
	}
}

func TestPolicyLoadErrors(t *testing.T) {
	var e *Error
	for _, c := range []struct {
		text, msg string
		code      Code
		line, col int
	}{
		{"version: 2\n", "policy version 2 is not supported (this is 1)", ErrCodeUnsupported, 1, 10},
		{"version: 1\nbranches:\n  x:\n    pattern: '('\n", "invalid pattern '(': missing ): (", ErrCodeValidate, 4, 14},
	} {
		_, err := LoadPolicyBytes([]byte(c.text), "p.yml", nil)
		if !errors.As(err, &e) || e.Code != c.code || e.Message != c.msg || e.File != "p.yml" || e.Line != c.line || e.Column != c.col {
			t.Errorf("%q: %+v", c.text, err)
		}
	}
	if _, err := LoadPolicyBytes([]byte("version: 1\nbranches: [\n"), "p.yml", nil); !errors.As(err, &e) || e.Code != ErrCodeParse || e.Line != 3 {
		t.Fatalf("yaml: %v", err)
	}
	if _, err := LoadPolicy("/nonexistent.yml", nil); !errors.As(err, &e) || e.Message != "cannot read '/nonexistent.yml': no such file or directory" {
		t.Fatalf("io: %v", err)
	}
	if _, err := LoadPolicy(filepath.Join("..", "..", "examples", "policy", "policy.yml"), &PolicyOptions{MaxBytes: 10}); !errors.Is(err, ErrLimit) {
		t.Fatalf("limit: %v", err)
	}
}

func TestPolicyCommitBumpAndNextVersion(t *testing.T) {
	var bumps []Release
	for _, m := range []string{"fix: x", "feat: y", "feat!: z", "chore: a", "fix(core): b"} {
		bumps = append(bumps, CommitBump(m))
	}
	eq(t, "bumps", bumps, []Release{ReleasePatch, ReleaseMinor, ReleaseMajor, ReleaseNone, ReleasePatch})
	next := func(last string, msgs []string, o *NextVersionOptions) string {
		t.Helper()
		v, bump, err := NextVersion(mustSemver(t, last), msgs, o)
		if err != nil {
			t.Fatal(err)
		}
		return v.String() + " " + bump.String()
	}
	seven := 7
	eq(t, "next", []string{
		next("1.2.3", []string{"fix: a", "feat: b"}, nil),
		next("0.2.3", []string{"feat!: a"}, nil),
		next("1.2.3", []string{"fix: a", "chore: b"}, &NextVersionOptions{PreID: "dev"}),
		next("1.2.3", []string{"fix: a"}, &NextVersionOptions{PreID: "dev", PreNumber: &seven}),
		next("1.2.3", nil, nil),
	}, []string{"1.3.0 minor", "0.3.0 minor", "1.2.4-dev.2 patch", "1.2.4-dev.7 patch", "1.2.3 none"})
	_, _, err := NextVersion(mustSemver(t, "1.2.3"), []string{"fix: a"}, &NextVersionOptions{PreID: "bad id"})
	var e *Error
	if !errors.As(err, &e) || e.Message != `invalid pre-release identifier "bad id"` {
		t.Fatalf("bad id: %v", err)
	}
	neg := -1
	if _, _, err := NextVersion(mustSemver(t, "1.2.3"), nil, &NextVersionOptions{PreNumber: &neg}); !errors.Is(err, ErrInvalid) {
		t.Fatalf("negative: %v", err)
	}
}

func TestPolicyOwnership(t *testing.T) {
	p, err := LoadPolicy(filepath.Join("..", "..", "examples", "policy", "policy.yml"), nil)
	if err != nil {
		t.Fatal(err)
	}
	r, _ := p.CheckPush("dev")
	v, _ := p.TagVersion("v2.0.0")
	p.Close()
	p.Close()
	if r.Kind != "dev" || r.Allowed || v.String() != "2.0.0" {
		t.Fatal("results and versions outlive the policy")
	}
	defer func() {
		if recover() == nil {
			t.Fatal("CheckPush after Close did not panic")
		}
	}()
	p.CheckPush("dev")
}

func TestPolicyReleaseTag(t *testing.T) {
	p := loadExamplePolicy(t)
	tag, err := p.ReleaseTag(MustParseSemver("1.4.0"))
	if err != nil {
		t.Fatal(err)
	}
	eq(t, "tag", tag, "v1.4.0")
	// the reverse of TagVersion
	v, err := p.TagVersion(tag)
	if err != nil || v == nil {
		t.Fatalf("tag version: %v %v", v, err)
	}
	eq(t, "round trip", v.String(), "1.4.0")
	_, err = p.ReleaseTag(MustParseSemver("1.5.0-rc.1"))
	var e *Error
	if !errors.As(err, &e) || !errors.Is(err, ErrInvalid) ||
		e.Message != "version 1.5.0-rc.1 does not fit the release tag pattern v{major}.{minor}.{patch}" {
		t.Fatalf("pre-release: %v", err)
	}
	pre, err := LoadPolicyBytes([]byte("version: 1\nbranches:\n  main: {pattern: main, release: true}\n"+
		"tags:\n  release: 'release-{major}.{minor}.{patch}-{prerelease}'\n"), "p.yml", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer pre.Close()
	tag, err = pre.ReleaseTag(MustParseSemver("2.0.0-beta.3+build.7"))
	eq(t, "prerelease tag", []any{tag, err}, []any{"release-2.0.0-beta.3", nil})
	if _, err = pre.ReleaseTag(MustParseSemver("2.0.0")); !errors.Is(err, ErrInvalid) {
		t.Fatalf("no pre-release: %v", err)
	}
}

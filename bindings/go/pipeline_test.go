package cicd

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"testing"
)

func fixture(t *testing.T, parts ...string) string {
	t.Helper()
	p, err := filepath.Abs(filepath.Join(append([]string{"..", "testdata"}, parts...)...))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func loadFull(t *testing.T) *Pipeline {
	t.Helper()
	p, err := LoadPipeline(fixture(t, "full.gitlab-ci.yml"), nil)
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	t.Cleanup(func() { p.Close() })
	return p
}

func mustJob(t *testing.T, p *Pipeline, name string) *Job {
	t.Helper()
	j, err := p.Job(name)
	if err != nil {
		t.Fatalf("job %s: %v", name, err)
	}
	return j
}

func eq(t *testing.T, what string, got, want any) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%s: got %#v, want %#v", what, got, want)
	}
}

func yes() *bool { b := true; return &b }
func no() *bool  { b := false; return &b }

func nodeJSON(t *testing.T, n *Node) string {
	t.Helper()
	if n == nil {
		return "<nil>"
	}
	s, err := n.JSON(true)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestPipelineLevel(t *testing.T) {
	p := loadFull(t)
	full, base := fixture(t, "full.gitlab-ci.yml"), fixture(t, "templates", "base.yml")
	eq(t, "name", p.Name(), full)
	eq(t, "files", p.Files(), []string{full, base})
	eq(t, "stages", p.Stages(), []string{".pre", "build", "test", "deploy", ".post"})
	eq(t, "warnings", len(p.Warnings), 0)
	var vars []string
	for _, v := range p.Variables() {
		line := 0
		if v.Node != nil {
			_, line, _ = v.Node.Position()
		}
		vars = append(vars, fmt.Sprintf("%s=%s|%s|%v|%v|%d", v.Name, v.Value, v.Description, v.Expand, v.Options, line))
	}
	eq(t, "variables", vars, []string{"GLOBAL=g||true|[]|16", "CHOICE=a|pick one|true|[a b]|18",
		"RAW=$NOT_EXPANDED||false|[]|22"})
	w := p.Workflow()
	eq(t, "workflow", []string{w.Name, w.AutoCancelOnNewCommit, w.AutoCancelOnJobFailure},
		[]string{"pipeline for $CI_COMMIT_REF_NAME", "interruptible", "all"})
	if len(w.Rules) != 2 || w.Rules[0].If != "$CI_COMMIT_BRANCH" || w.Rules[1].When != "never" ||
		w.Rules[0].Variables[0].Name != "FLOW" || w.Rules[0].Variables[0].Value != "branch" {
		t.Fatalf("workflow rules %+v", w.Rules)
	}
	if s := nodeJSON(t, p.Default().Get("retry")); s != `{"max":2,"when":["runner_system_failure"]}` {
		t.Fatalf("default retry %s", s)
	}
	if p.Config().Get("include") != nil || p.Config().Get("build") == nil {
		t.Fatal("merged config keeps include or lost a job")
	}
	js, err := p.JSON(false)
	if err != nil || !strings.Contains(js, `"stages":["build","test","deploy"]`) {
		t.Fatalf("json %v %s", err, js)
	}
}

func TestPipelineJobsLookupAndNotFound(t *testing.T) {
	p := loadFull(t)
	jobs, err := p.Jobs()
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, j := range jobs {
		names = append(names, j.Name)
	}
	eq(t, "jobs", names, []string{"lint", "build", "test", "deploy", "downstream"})
	eq(t, "len", p.Len(), 5)
	eq(t, "at", p.JobAt(4).Name, "downstream")
	if p.JobAt(5) != nil || p.JobAt(-1) != nil {
		t.Fatal("JobAt out of range")
	}
	_, err = p.Job("nope")
	var e *Error
	if !errors.As(err, &e) || !errors.Is(err, ErrNotFound) || e.Message != "no job named nope" {
		t.Fatalf("not found: %v", err)
	}
}

func TestPipelineIncludedJobAndDefaults(t *testing.T) {
	p := loadFull(t)
	l := mustJob(t, p, "lint")
	eq(t, "where", []any{l.File, l.Line, l.Column, l.Stage}, []any{fixture(t, "templates", "base.yml"), 1, 1, ".pre"})
	eq(t, "scripts", [][]string{l.BeforeScript, l.Script}, [][]string{{"echo default-before"}, {"echo lint"}})
	eq(t, "image tags", []any{l.Image, l.Tags, l.Interruptible}, []any{"alpine:3.20", []string{"kubernetes"}, yes()})
	eq(t, "retry", []any{l.RetryMax, l.RetryWhen}, []any{2, []string{"runner_system_failure"}})
	if l.Rules != nil || l.Only != nil || l.Except != nil || l.Needs != nil || l.HasDependencies {
		t.Fatalf("lint has rules/only/needs: %+v", l)
	}
}

func TestPipelineBuildJob(t *testing.T) {
	p := loadFull(t)
	b := mustJob(t, p, "build")
	eq(t, "where", []any{b.Line, b.Column, b.Stage, b.When, b.StartIn}, []any{42, 1, "build", "on_success", ""})
	eq(t, "extends", b.Extends, []string{".base"})
	eq(t, "vars", b.Variables[0].Name+"="+b.Variables[0].Value, "FROM_BASE=1")
	eq(t, "script", b.Script, []string{"make", "make install", "make check"})
	eq(t, "after", b.AfterScript, []string{"echo after"})
	eq(t, "allow_failure", []any{b.AllowFailure, b.AllowFailureExitCodes}, []any{no(), []int{3, 4}})
	eq(t, "timeout coverage", []string{b.Timeout, b.Coverage}, []string{"30m", `/Total: \d+%/`})
	eq(t, "parallel", b.Parallel, 2)
	eq(t, "matrix", nodeJSON(t, b.ParallelMatrix()), `[{"ARCH":["amd64","arm64"],"OS":"linux"}]`)
	eq(t, "instances", b.Instances, []Instance{
		{"build: [amd64, linux]", []NameValue{{"ARCH", "amd64"}, {"OS", "linux"}}},
		{"build: [arm64, linux]", []NameValue{{"ARCH", "arm64"}, {"OS", "linux"}}},
	})
	eq(t, "artifacts", nodeJSON(t, b.Get("artifacts")), `{"paths":["out/"]}`)
	if b.Get("nope") != nil || b.Trigger != nil {
		t.Fatal("absent keyword or trigger")
	}
	if s, _ := b.Config().Get("stage").Text(); s != "build" {
		t.Fatalf("config stage %q", s)
	}
}

func TestPipelineRulesNeedsInherit(t *testing.T) {
	p := loadFull(t)
	j := mustJob(t, p, "test")
	if len(j.Rules) != 3 {
		t.Fatalf("rules %d", len(j.Rules))
	}
	r := j.Rules[0]
	_, line, col := r.IfNode.Position()
	_, rline, _ := r.Node.Position()
	eq(t, "rule 0", []any{r.If, r.When, r.AllowFailure, r.StartIn, line, col, rline},
		[]any{`$CI_COMMIT_BRANCH == "main"`, "manual", yes(), "", 77, 11, 77})
	eq(t, "rule 0 vars needs", []any{r.Variables[0].Name, r.Variables[0].Value, r.Needs[0].Job}, []any{"LEVEL", "full", "build"})
	if r.Changes != nil || r.Exists != nil {
		t.Fatal("rule 0 has no changes/exists clause")
	}
	c := j.Rules[1]
	eq(t, "rule 1", []any{c.If, c.Changes, c.ChangesCompareTo, c.Exists, c.ExistsProject, c.ExistsRef, c.Needs == nil, c.IfNode == nil},
		[]any{"", []string{"src/**/*"}, "refs/heads/main", []string{"Makefile"}, "", "", true, true})
	d := j.Rules[2]
	eq(t, "rule 2", []any{d.When, d.StartIn, d.AllowFailure}, []any{"delayed", "5 minutes", (*bool)(nil)})
	if len(j.Needs) != 3 {
		t.Fatalf("needs %+v", j.Needs)
	}
	b, l, k := j.Needs[0], j.Needs[1], j.Needs[2]
	_, bline, _ := b.Node.Position()
	eq(t, "need build", []any{b.Job, b.Optional, b.Artifacts, nodeJSON(t, b.Matrix), bline},
		[]any{"build", false, false, `[{"ARCH":"amd64","OS":"linux"}]`, 63})
	eq(t, "need lint", []any{l.Job, l.Optional, l.Artifacts, l.Matrix == nil}, []any{"lint", true, true, true})
	eq(t, "need pkg", []any{k.Job, k.Project, k.Ref, k.Pipeline, k.Artifacts}, []any{"pkg", "group/other", "main", "", true})
	eq(t, "deps", []any{j.HasDependencies, j.Dependencies}, []any{true, []string{"build"}})
	eq(t, "inherit", []bool{j.InheritsDefault("image"), j.InheritsDefault("tags"), j.InheritsVariable("GLOBAL")},
		[]bool{true, false, false})
	eq(t, "not inherited", []any{j.Image, len(j.Tags), len(j.BeforeScript), j.Interruptible}, []any{"alpine:3.20", 0, 0, (*bool)(nil)})
}

func TestPipelineOnlyExceptEnvironmentTrigger(t *testing.T) {
	p := loadFull(t)
	d := mustJob(t, p, "deploy")
	o, e := d.Only, d.Except
	_, vline, _ := o.VariableNodes[0].Position()
	eq(t, "only", []any{o.Default, o.Refs, o.Variables, vline, o.Changes, o.Kubernetes},
		[]any{false, []string{"main", "/^release/"}, []string{`$DEPLOY == "yes"`}, 103, []string{"deploy/*"}, "active"})
	eq(t, "except", []any{e.Default, e.Refs, len(e.Variables), e.Changes, e.Kubernetes}, []any{false, []string{"tags"}, 0, []string(nil), ""})
	eq(t, "deploy", []any{d.Image, d.ResourceGroup, d.Environment, d.EnvironmentAction, d.Interruptible},
		[]any{"registry.example.com/deployer:1", "production", "production", "start", no()})
	tr := mustJob(t, p, "downstream")
	eq(t, "trigger", tr.Trigger, &Downstream{"group/downstream", "main", "depend"})
	eq(t, "instances", []string{tr.Instances[0].Name, tr.Instances[1].Name}, []string{"downstream 1/2", "downstream 2/2"})
}

func TestPipelineDefaultOnlyAndBytes(t *testing.T) {
	p, err := LoadPipelineBytes([]byte("a:\n  script: x\n  needs: []\n"), "", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	a := mustJob(t, p, "a")
	eq(t, "only", []any{a.Only.Default, a.Only.Refs}, []any{true, []string{"branches", "tags"}})
	eq(t, "needs: []", []any{a.Needs != nil, len(a.Needs)}, []any{true, 0})
	eq(t, "name", p.Name(), ".gitlab-ci.yml")
	if w := p.Workflow(); w.Rules != nil || w.Name != "" {
		t.Fatalf("workflow %+v", w)
	}
}

func TestPipelineValidationErrorDiagnostics(t *testing.T) {
	_, err := LoadPipelineBytes([]byte("stages: [build]\na:\n  stage: nope\n  script: x\nb:\n  script: 1\n"), "bad.yml", nil)
	var e *Error
	if !errors.As(err, &e) || !errors.Is(err, ErrValidate) {
		t.Fatalf("want validation error, got %v", err)
	}
	first := "a job: chosen stage nope does not exist; available stages are .pre, build, .post"
	eq(t, "first", []any{e.File, e.Line, e.Column, e.Message}, []any{"bad.yml", 3, 10, first})
	eq(t, "diagnostics", e.Diagnostics, []Diagnostic{
		{Code: ErrCodeValidate, Message: first, File: "bad.yml", Line: 3, Column: 10},
		{Code: ErrCodeValidate, Message: "b job: chosen stage test does not exist; available stages are .pre, build, .post",
			File: "bad.yml", Line: 5, Column: 1},
		{Code: ErrCodeValidate, Message: "jobs:b:script config should be a string or a nested array of strings up to 10 levels deep",
			File: "bad.yml", Line: 6, Column: 11},
	})
	if _, err := LoadPipeline("/nonexistent/.gitlab-ci.yml", nil); !errors.Is(err, ErrIO) {
		t.Fatalf("missing file: %v", err)
	}
	if _, err := LoadPipeline(fixture(t, "full.gitlab-ci.yml"), &PipelineOptions{MaxFileBytes: 100}); !errors.Is(err, ErrLimit) {
		t.Fatalf("limit: %v", err)
	}
	p, err := LoadPipelineBytes([]byte("a:\n  script: x\n  script: y\n"), "d.yml", nil)
	if err != nil || len(p.Warnings) != 1 || !p.Warnings[0].Warning || p.Warnings[0].Line != 3 {
		t.Fatalf("warnings %v %+v", err, p)
	}
	p.Close()
	if _, err := LoadPipelineBytes([]byte("a:\n  script: x\n  script: y\n"), "d.yml", &PipelineOptions{StrictKeys: true}); !errors.Is(err, ErrValidate) {
		t.Fatalf("strict: %v", err)
	}
}

func TestPipelineResolver(t *testing.T) {
	var calls []IncludeRequest
	boom := errors.New("resolver bug")
	resolver := func(r IncludeRequest) ([]byte, string, error) {
		calls = append(calls, r)
		switch r.Location {
		case "https://h/missing.yml":
			return nil, "", fmt.Errorf("fetch: %w", ErrNotFound)
		case "https://h/boom.yml":
			return nil, "", boom
		}
		return []byte("inc:\n  script: from-" + fmt.Sprint(r.Kind) + "\n"), "remote:" + r.Location, nil
	}
	text := "include:\n  - project: group/lib\n    ref: v1\n    file: ci.yml\n  - remote: https://h/x.yml\na:\n  script: x\n"
	p, err := LoadPipelineBytes([]byte(text), "main.yml", &PipelineOptions{Resolver: resolver})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	eq(t, "calls", calls, []IncludeRequest{
		{Kind: IncludeProject, Location: "ci.yml", Project: "group/lib", Ref: "v1", Parent: "main.yml", Depth: 1},
		{Kind: IncludeRemote, Location: "https://h/x.yml", Parent: "main.yml", Depth: 1},
	})
	eq(t, "files", p.Files(), []string{"main.yml", "remote:ci.yml", "remote:https://h/x.yml"})
	eq(t, "later include wins", mustJob(t, p, "inc").Script, []string{fmt.Sprintf("from-%d", IncludeRemote)})

	_, err = LoadPipelineBytes([]byte("include:\n  - remote: https://h/missing.yml\na:\n  script: x\n"), "m.yml", &PipelineOptions{Resolver: resolver})
	var e *Error
	if !errors.As(err, &e) || e.Message != "Remote file `https://h/missing.yml` does not exist!" || e.Line != 2 || e.Column != 13 {
		t.Fatalf("missing: %v", err)
	}
	_, err = LoadPipelineBytes([]byte("include:\n  - remote: https://h/boom.yml\na:\n  script: x\n"), "m.yml", &PipelineOptions{Resolver: resolver})
	if err != boom {
		t.Fatalf("resolver error not returned as is: %v", err)
	}
	_, err = LoadPipelineBytes([]byte("include:\n  - remote: https://h/x.yml\na:\n  script: x\n"), "m.yml", nil)
	if !errors.As(err, &e) || !strings.HasSuffix(e.Message, "cannot be included: no include resolver is configured") {
		t.Fatalf("no resolver: %v", err)
	}
}

func TestPipelineIncludesForTrigger(t *testing.T) {
	var asked []string
	resolver := func(r IncludeRequest) ([]byte, string, error) {
		asked = append(asked, r.Project+" "+r.Ref+" "+r.Location)
		return []byte("'from " + r.Location + "':\n  script: s\n"), "", nil
	}
	text := "include:\n  - template: 'ci/${CI_COMMIT_REF_NAME}.yml'\n" +
		"  - project: $CI_PROJECT_NAMESPACE/tools\n    ref: $TOOLS\n    file: lib.yml\n" +
		"  - template: tag.yml\n    rules: [{if: $CI_COMMIT_TAG}]\n" +
		"  - template: docs.yml\n    rules: [{exists: [docs/*.md]}]\n" +
		"a:\n  script: x\n"
	jobsFor := func(tr *Trigger) ([]string, error) {
		asked = nil
		p, err := LoadPipelineBytes([]byte(text), "main.yml", &PipelineOptions{Resolver: resolver, Trigger: tr})
		if err != nil {
			return nil, err
		}
		defer p.Close()
		jobs, err := p.Jobs()
		if err != nil {
			return nil, err
		}
		var names []string
		for _, j := range jobs {
			names = append(names, j.Name)
		}
		return names, nil
	}
	got, err := jobsFor(&Trigger{Kind: TriggerBranch, Ref: "dev", Project: "acme/shop", Variables: map[string]string{"TOOLS": "v2"},
		Exists: func(glob string) (bool, error) { return glob == "docs/*.md", nil }})
	eq(t, "branch", []any{got, err, asked}, []any{[]string{"from ci/dev.yml", "from lib.yml", "from docs.yml", "a"}, nil,
		[]string{"  ci/dev.yml", "acme/tools v2 lib.yml", "  docs.yml"}})
	got, err = jobsFor(&Trigger{Kind: TriggerTag, Ref: "v1.0.0"})
	eq(t, "tag", []any{got, err}, []any{[]string{"from ci/v1.0.0.yml", "from lib.yml", "from tag.yml", "a"}, nil})
	boom := errors.New("exists failed")
	_, err = jobsFor(&Trigger{Kind: TriggerBranch, Ref: "dev", Exists: func(string) (bool, error) { return false, boom }})
	if err != boom {
		t.Fatalf("the Exists error is not returned as is: %v", err)
	}
	got, err = jobsFor(nil) // without a trigger: locations as written, every include read
	eq(t, "no trigger", []any{got, err}, []any{[]string{"from ci/${CI_COMMIT_REF_NAME}.yml", "from lib.yml", "from tag.yml",
		"from docs.yml", "a"}, nil})
}

func TestPipelineMaskedVariablesNeverShowInIncludeErrors(t *testing.T) {
	resolver := func(r IncludeRequest) ([]byte, string, error) {
		if strings.Contains(r.Location, "missing") {
			return nil, "", ErrNotFound
		}
		return []byte("'from " + r.Location + "':\n  script: s\n"), "", nil
	}
	tr := &Trigger{Kind: TriggerBranch, Ref: "dev", Variables: map[string]string{"PLAIN": "p", "TOKEN": "plain"},
		MaskedVariables: map[string]string{"TOKEN": "s3cr3t-t0ken"}}
	opts := &PipelineOptions{Resolver: resolver, Trigger: tr}
	_, err := LoadPipelineBytes([]byte("include:\n  - remote: https://h/$TOKEN/missing.yml\na:\n  script: x\n"), "m.yml", opts)
	var e *Error
	if !errors.As(err, &e) || e.Message != "Remote file `https://h/[MASKED]/missing.yml` does not exist!" ||
		strings.Contains(err.Error(), "s3cr3t") {
		t.Fatalf("masked: %v", err)
	}
	// the masked value wins over a plain one of the same name, and expands like any other
	p, err := LoadPipelineBytes([]byte("include: https://h/$TOKEN/$PLAIN.yml\na:\n  script: x\n"), "m.yml", opts)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	eq(t, "files", p.Files(), []string{"m.yml", "https://h/[MASKED]/p.yml"})
	eq(t, "job", mustJob(t, p, "from https://h/s3cr3t-t0ken/p.yml").Script, []string{"s"})
	_, err = LoadPipelineBytes([]byte("a:\n  script: x\n"), "m.yml",
		&PipelineOptions{Trigger: &Trigger{Kind: TriggerBranch, Ref: "dev", MaskedVariables: map[string]string{"bad-name": "x"}}})
	if !errors.As(err, &e) || e.Code != ErrCodeInvalid || !strings.Contains(e.Message, "bad-name") {
		t.Fatalf("bad name: %v", err)
	}
}

func TestPipelineLocalIncludeConfinedToRoot(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "ci.yml")
	if err := writeFile(path, "include: ../outside.yml\na:\n  script: x\n"); err != nil {
		t.Fatal(err)
	}
	_, err := LoadPipeline(path, nil)
	var e *Error
	if !errors.As(err, &e) || e.Line != 1 {
		t.Fatalf("escape: %v", err)
	}
	p, err := LoadPipeline(fixture(t, "full.gitlab-ci.yml"), &PipelineOptions{ProjectRoot: fixture(t)})
	if err != nil || len(p.Files()) != 2 {
		t.Fatalf("root: %v", err)
	}
	p.Close()
}

func TestPipelineOwnership(t *testing.T) {
	p, err := LoadPipeline(fixture(t, "full.gitlab-ci.yml"), nil)
	if err != nil {
		t.Fatal(err)
	}
	j := mustJob(t, p, "test")
	cfg := j.Config()
	runtime.GC()
	if s, _ := cfg.Get("stage").Text(); s != "test" {
		t.Fatalf("node from a job %q", s)
	}
	p.Close()
	p.Close()
	// Copied values stay valid after Close; anything that reads C memory panics.
	if j.Name != "test" || j.Rules[0].When != "manual" || j.Needs[0].Job != "build" {
		t.Fatal("copied values changed after Close")
	}
	for name, use := range map[string]func(){
		"Config":           func() { j.Config() },
		"Get":              func() { j.Get("stage") },
		"InheritsDefault":  func() { j.InheritsDefault("image") },
		"InheritsVariable": func() { j.InheritsVariable("X") },
		"ParallelMatrix":   func() { j.ParallelMatrix() },
		"node":             func() { cfg.Kind() },
		"rule node":        func() { j.Rules[0].IfNode.Position() },
		"Jobs":             func() { p.Jobs() },
		"Stages":           func() { p.Stages() },
		"Job":              func() { p.Job("test") },
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

func writeFile(path, text string) error { return os.WriteFile(path, []byte(text), 0o644) }

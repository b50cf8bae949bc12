package cicd

import (
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

func loadExample(t *testing.T) *Pipeline {
	t.Helper()
	p, err := LoadPipeline(filepath.Join("..", "..", "examples", "pipeline", ".gitlab-ci.yml"), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	return p
}

func loadText(t *testing.T, text, name string) *Pipeline {
	t.Helper()
	p, err := LoadPipelineBytes([]byte(text), name, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	return p
}

func mustPlan(t *testing.T, p *Pipeline, tr *Trigger) *Plan {
	t.Helper()
	plan, err := PlanPipeline(p, tr)
	if err != nil {
		t.Fatalf("plan %+v: %v", tr, err)
	}
	t.Cleanup(func() { plan.Close() })
	return plan
}

func jobLine(plan *Plan) string {
	var out []string
	for _, j := range plan.Jobs {
		out = append(out, j.Name+"/"+j.Stage+"/"+j.When)
	}
	return strings.Join(out, " ")
}

func TestPlanFeatureBranchOfTheExample(t *testing.T) {
	p := loadExample(t)
	plan := mustPlan(t, p, &Trigger{Kind: TriggerBranch, Ref: "feature/80-optimize-allocate", DefaultBranch: "master"})
	eq(t, "created", []any{plan.Created, plan.Reason, plan.Name}, []any{true, "", "feature/80-optimize-allocate pipeline"})
	eq(t, "stages", plan.Stages, []string{"static-check", "unit-test", "review"})
	eq(t, "jobs", jobLine(plan), "lint/static-check/on_success unit-test/unit-test/on_success "+
		"code-review-design/review/manual code-review-security/review/manual")
	lint := plan.Job("lint")
	eq(t, "lint", []any{lint.Index, lint.AllowFailure, lint.StartIn, lint.Needs == nil, lint.Variables, lint.Source.Name},
		[]any{0, false, "", true, []NameValue{{"GOPATH", "$CI_PROJECT_DIR/.cache/go"}}, "lint"})
	eq(t, "review allow_failure", plan.Job("code-review-design").AllowFailure, true)
	eq(t, "prereqs", plan.Job("code-review-design").Prerequisites, []int{0, 1})
	if plan.Job("deploy") != nil {
		t.Fatal("unknown job")
	}
	for name, want := range map[string]string{"CI_COMMIT_BRANCH": "feature/80-optimize-allocate", "CI_DEFAULT_BRANCH": "master", "GO_VERSION": "1.22"} {
		if got, ok := plan.Variable(name); !ok || got != want {
			t.Errorf("%s = %q %v", name, got, ok)
		}
	}
	if _, ok := plan.Variable("NOPE"); ok {
		t.Fatal("NOPE defined")
	}
	js, err := plan.JSON(false)
	var doc struct {
		Created bool
		Jobs    []struct{ Name string }
	}
	if err != nil || json.Unmarshal([]byte(js), &doc) != nil || !doc.Created || doc.Jobs[0].Name != "lint" {
		t.Fatalf("json %v %s", err, js)
	}
}

func TestPlanNoPipelineTagAndDAG(t *testing.T) {
	p := loadExample(t)
	pl, err := NewPlanner(p, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer pl.Close()
	nope, err := pl.Plan(&Trigger{Kind: TriggerBranch, Ref: "nope"})
	if err != nil || nope.Created || nope.Reason != "Pipeline filtered out by workflow rules." || len(nope.Jobs) != 0 {
		t.Fatalf("nope %v %+v", err, nope)
	}
	tag, err := pl.Plan(&Trigger{Kind: TriggerTag, Ref: "v1.2.3"})
	if v, _ := tag.Variable("DEPLOY_ENV"); err != nil || tag.Name != "v1.2.3 pipeline" || v != "production" {
		t.Fatalf("tag %v %+v", err, tag)
	}
	dag := loadText(t, "stages: [build, test, deploy]\nbuild:\n  stage: build\n  script: x\nunit:\n  stage: test\n  script: x\n"+
		"lint:\n  stage: test\n  needs: []\n  script: x\ndeploy:\n  stage: deploy\n  script: x\n  variables: {TARGET: prod}\n  needs: [unit]\n", "dag.yml")
	plan := mustPlan(t, dag, &Trigger{Kind: TriggerBranch, Ref: "main"})
	var prereqs [][]int
	for _, j := range plan.Jobs {
		prereqs = append(prereqs, j.Prerequisites)
	}
	eq(t, "prereqs", prereqs, [][]int{{}, {0}, {}, {1}})
	eq(t, "needs", []any{plan.Jobs[2].Needs, plan.Jobs[3].Needs, plan.Jobs[1].Needs == nil}, []any{[]string{}, []string{"unit"}, true})
	eq(t, "vars", plan.Jobs[3].Variables, []NameValue{{"TARGET", "prod"}})
	eq(t, "topological", plan.Topological, []int{0, 1, 2, 3})
	eq(t, "critical", plan.CriticalPath, []int{0, 1, 3})
}

func TestPlanTriggerDetails(t *testing.T) {
	p := loadText(t, "a:\n  script: x\n", "v.yml")
	mr := mustPlan(t, p, &Trigger{Kind: TriggerMergeRequest, Ref: "feature/x",
		MergeRequest: &MergeRequest{TargetBranch: "main", IID: 7, Labels: []string{"a", "b"}, Title: "T", EventType: "merged_result"}})
	for name, want := range map[string]string{"CI_PIPELINE_SOURCE": "merge_request_event", "CI_MERGE_REQUEST_LABELS": "a,b",
		"CI_MERGE_REQUEST_TARGET_BRANCH_NAME": "main", "CI_MERGE_REQUEST_IID": "7"} {
		if got, _ := mr.Variable(name); got != want {
			t.Errorf("%s = %q", name, got)
		}
	}
	sha := "0123456789abcdef0123456789abcdef01234567"
	b := mustPlan(t, p, &Trigger{Kind: TriggerBranch, Ref: "f", SHA: sha, Project: "g/p", Source: "web",
		OpenMergeRequests: "g/p!1", Variables: map[string]string{"USER_VAR": "u", "EMPTY": ""}})
	for name, want := range map[string]string{"CI_COMMIT_SHA": sha, "CI_COMMIT_SHORT_SHA": "01234567", "CI_PROJECT_PATH": "g/p",
		"CI_PIPELINE_SOURCE": "web", "CI_OPEN_MERGE_REQUESTS": "g/p!1", "USER_VAR": "u", "EMPTY": ""} {
		if got, ok := b.Variable(name); !ok || got != want {
			t.Errorf("%s = %q %v", name, got, ok)
		}
	}
}

func TestPlanChangesExistsAndVariablesDecideRules(t *testing.T) {
	p := loadText(t, "a:\n  script: x\n  rules:\n    - exists: [Makefile]\n    - changes: [src/*]\n      when: manual\n", "e.yml")
	when := func(tr Trigger) string {
		tr.Kind, tr.Ref = TriggerBranch, "main"
		return jobLine(mustPlan(t, p, &tr))
	}
	eq(t, "default", when(Trigger{}), "a/test/manual")
	var seen []string
	eq(t, "exists", when(Trigger{Exists: func(g string) (bool, error) { seen = append(seen, g); return g == "Makefile", nil }}), "a/test/on_success")
	eq(t, "seen", seen, []string{"Makefile"})
	eq(t, "changed", when(Trigger{Changed: []string{"src/a.c"}}), "a/test/manual")
	eq(t, "nothing changed", when(Trigger{Changed: []string{}}), "")
	boom := errors.New("exists failed")
	if _, err := PlanPipeline(p, &Trigger{Kind: TriggerBranch, Ref: "main", Exists: func(string) (bool, error) { return false, boom }}); err != boom {
		t.Fatalf("exists error not returned as is: %v", err)
	}
	r := loadText(t, "a:\n  script: x\n  rules:\n    - if: $GO == \"1\"\n", "r.yml")
	eq(t, "var 1", jobLine(mustPlan(t, r, &Trigger{Kind: TriggerBranch, Ref: "main", Variables: map[string]string{"GO": "1"}})), "a/test/on_success")
	eq(t, "var 2", jobLine(mustPlan(t, r, &Trigger{Kind: TriggerBranch, Ref: "main", Variables: map[string]string{"GO": "2"}})), "")
	if !GlobMatch("src/**/*.c", "src/a/b.c") || GlobMatch("src/*.c", "src/a/b.c") {
		t.Fatal("glob")
	}
}

func TestPlanCompareAnswersChangesCompareTo(t *testing.T) {
	p := loadText(t, "variables:\n  BASE: main\n"+
		"app:\n  script: x\n  rules:\n    - changes: {paths: ['src/*'], compare_to: 'refs/heads/$CI_DEFAULT_BRANCH'}\n"+
		"docs:\n  script: x\n  rules:\n    - changes: {paths: ['docs/*'], compare_to: $BASE}\n", "c.yml")
	var asked []string
	compare := func(ref string) ([]string, error) {
		asked = append(asked, ref)
		if ref != "main" && ref != "refs/heads/main" {
			return nil, fmt.Errorf("no ref %s: %w", ref, ErrNotFound)
		}
		return []string{"src/app.c"}, nil
	}
	// a new branch: compare_to compares even though the push's changes are unknown
	eq(t, "compared", jobLine(mustPlan(t, p, &Trigger{Kind: TriggerBranch, Ref: "feature/x", DefaultBranch: "main", Compare: compare})),
		"app/test/on_success")
	eq(t, "asked", asked, []string{"refs/heads/main", "main"})
	// ErrNotFound: the ref names no commit, which fails the job's rules as GitLab does
	_, err := PlanPipeline(p, &Trigger{Kind: TriggerBranch, Ref: "feature/x", DefaultBranch: "main", Variables: map[string]string{"BASE": "gone"}, Compare: compare})
	var e *Error
	if !errors.As(err, &e) || e.Code != ErrCodeValidate || e.Line != 10 ||
		e.Message != "Failed to parse rule for docs: rules:changes:compare_to is not a valid ref" {
		t.Fatalf("bad ref: %v", err)
	}
	boom := errors.New("git failed")
	if _, err := PlanPipeline(p, &Trigger{Kind: TriggerBranch, Ref: "x", Compare: func(string) ([]string, error) { return nil, boom }}); err != boom {
		t.Fatalf("the Compare error is not returned as is: %v", err)
	}
	// both functions at once share one state
	both := &Trigger{Kind: TriggerBranch, Ref: "feature/x", DefaultBranch: "main", Compare: compare,
		Exists: func(string) (bool, error) { return true, nil }}
	eq(t, "both", jobLine(mustPlan(t, p, both)), "app/test/on_success")
	// include:rules ask it too, while loading
	resolver := func(r IncludeRequest) ([]byte, string, error) {
		return []byte("'from " + r.Location + "':\n  script: s\n"), "", nil
	}
	text := "include:\n  - template: app.yml\n    rules: [{changes: {paths: ['src/*'], compare_to: main}}]\n" +
		"  - template: docs.yml\n    rules: [{changes: {paths: ['docs/*'], compare_to: main}}]\na:\n  script: x\n"
	inc, err := LoadPipelineBytes([]byte(text), "i.yml", &PipelineOptions{Resolver: resolver, Trigger: &Trigger{Kind: TriggerBranch, Ref: "x", Compare: compare}})
	if err != nil {
		t.Fatal(err)
	}
	defer inc.Close()
	eq(t, "included", len(inc.Files()), 2)
	if _, err := LoadPipelineBytes([]byte(text), "i.yml", &PipelineOptions{Resolver: resolver,
		Trigger: &Trigger{Kind: TriggerBranch, Ref: "x", Compare: func(string) ([]string, error) { return nil, boom }}}); err != boom {
		t.Fatalf("the Compare error is not returned as is while loading: %v", err)
	}
}

func TestPlanErrors(t *testing.T) {
	p := loadText(t, "a:\n  script: x\n", "v.yml")
	for _, c := range []struct {
		tr  Trigger
		msg string
	}{
		{Trigger{Kind: TriggerBranch, Ref: "x", SHA: "zz"}, "commit sha must be 40 lower-case hex digits"},
		{Trigger{Kind: TriggerBranch, Ref: "x", MergeRequest: &MergeRequest{TargetBranch: "main", IID: 1}}, "merge-request details on a trigger that is not a merge request"},
		{Trigger{Kind: TriggerMergeRequest, Ref: "f", MergeRequest: &MergeRequest{TargetBranch: "main"}}, "merge-request iid must be positive"},
		{Trigger{Kind: TriggerBranch}, "a trigger needs a ref (branch, tag or source branch)"},
	} {
		_, err := PlanPipeline(p, &c.tr)
		var e *Error
		if !errors.As(err, &e) || !errors.Is(err, ErrInvalid) || e.Message != c.msg {
			t.Errorf("%+v: %v", c.tr, err)
		}
	}
	bad := loadText(t, "a:\n  script: x\n  rules:\n    - if: $A ==\n", "bad.yml")
	_, err := NewPlanner(bad, nil)
	var e *Error
	if !errors.As(err, &e) || e.Code != ErrCodeParse || e.File != "bad.yml" || e.Line != 4 || e.Column != 14 ||
		e.Message != "jobs:a:rules:rule if invalid expression syntax: == has no right operand" {
		t.Fatalf("planner: %v", err)
	}
	n := loadText(t, "a:\n  script: x\n  rules:\n    - if: $GO == \"1\"\nb:\n  script: y\n  needs: [a]\n", "n.yml")
	_, err = PlanPipeline(n, &Trigger{Kind: TriggerBranch, Ref: "main"})
	if !errors.As(err, &e) || !errors.Is(err, ErrValidate) || e.Line != 7 || e.Column != 11 ||
		!strings.HasPrefix(e.Message, "'b' job needs 'a' job, but 'a' does not exist in the pipeline.") {
		t.Fatalf("needs: %v", err)
	}
	par := loadText(t, "a:\n  script: x\n  parallel: 5\n", "m.yml")
	pl, _ := NewPlanner(par, &PlannerOptions{MaxJobs: 2})
	defer pl.Close()
	if _, err := pl.Plan(&Trigger{Kind: TriggerBranch, Ref: "main"}); !errors.As(err, &e) || !errors.Is(err, ErrLimit) || e.Message != "more than 2 jobs in one plan" {
		t.Fatalf("limit: %v", err)
	}
}

func TestPlanOwnershipAndConcurrency(t *testing.T) {
	p := loadExample(t)
	pl, err := NewPlanner(p, nil)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; i < 50; i++ {
				ref := []string{"dev", "master", "feature/1-x", "nope"}[(g+i)%4]
				plan, err := pl.Plan(&Trigger{Kind: TriggerBranch, Ref: ref})
				if err != nil {
					t.Error(err)
					return
				}
				if plan.Created == (ref == "nope") {
					t.Errorf("%s: created %v", ref, plan.Created)
				}
				plan.Close()
			}
		}(g)
	}
	wg.Wait()
	plan, _ := pl.Plan(&Trigger{Kind: TriggerBranch, Ref: "dev"})
	plan.Close()
	plan.Close()
	// Copied fields stay; reading the plan panics.
	if plan.Job("prerelease-deploy") == nil {
		t.Fatal("copied jobs lost")
	}
	plan2, _ := pl.Plan(&Trigger{Kind: TriggerBranch, Ref: "dev"})
	pl.Close()
	pl.Close()
	for name, use := range map[string]func(){
		"Plan.Variable after Close":         func() { plan.Variable("X") },
		"Plan.JSON after Close":             func() { plan.JSON(false) },
		"Plan.Variable after Planner.Close": func() { plan2.Variable("X") },
		"Planner.Plan after Close":          func() { pl.Plan(&Trigger{Kind: TriggerBranch, Ref: "dev"}) },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s did not panic", name)
				}
			}()
			use()
		}()
	}
	plan2.Close()
}

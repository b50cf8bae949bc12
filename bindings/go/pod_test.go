package cicd

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func podData(name string) string {
	return filepath.Join("..", "..", "tests", "unit", "pod", "data", name)
}

func podFixture(t *testing.T) (*JobPayload, *RunnerConfig) {
	t.Helper()
	j, err := LoadJobPayload(podData("job_basic.json"), nil)
	if err != nil {
		t.Fatal(err)
	}
	c, err := LoadRunnerConfig(podData("runner_basic.yml"), 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { j.Close(); c.Close() })
	return j, c
}

func TestPodPayload(t *testing.T) {
	j, c := podFixture(t)
	eq(t, "fields", []any{j.ID(), j.ProjectID(), j.Timeout(), j.Name(), j.Stage(), j.Image()},
		[]any{int64(4242), int64(17), int64(3600), "test:unit", "test", "node:20-alpine"})
	eq(t, "services", j.Services(), [][2]string{{"postgres:16", "db"}, {"registry.example.com/tools/redis:7", ""}})
	eq(t, "steps", j.Steps(), []string{"script", "after_script"})
	eq(t, "unknown", j.UnknownKeys(), []string{"a_future_field"})
	var api, kc PayloadVariable
	for _, v := range j.Variables() {
		switch v.Key {
		case "API_KEY":
			api = v
		case "KUBECONFIG_FILE":
			kc = v
		}
	}
	eq(t, "api", api, PayloadVariable{"API_KEY", []byte("sup3r-s3cret-key"), false, true, false, false})
	eq(t, "file var", []bool{kc.File, kc.Public}, []bool{true, true})
	if s, _ := j.Raw().Get("id").Text(); s != "4242" {
		t.Fatalf("raw id %q", s)
	}
	eq(t, "warnings", len(c.Warnings), 0)
	m, err := j.Masker(nil)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	if got := maskAll(t, m, "key sup3r-s3cret-key token glcbt-64_JobTokenSecretValue1\n"); got != "key [MASKED] token [MASKED]\n" {
		t.Fatalf("masked %q", got)
	}
	var reasons []string
	for _, r := range []string{"", "image_pull_failure", "runner_configuration_error", "job_execution_timeout", "bogus"} {
		reasons = append(reasons, j.FailureReason(r))
	}
	eq(t, "reasons", reasons, []string{"script_failure", "runner_system_failure", "script_failure", "job_execution_timeout", "unknown_failure"})
}

func TestPodRenderScriptsMarkersFailures(t *testing.T) {
	j, c := podFixture(t)
	golden, _ := os.ReadFile(podData("golden_basic.yaml"))
	if y, err := RenderPod(j, c, nil); err != nil || y != string(golden) {
		t.Fatalf("golden mismatch: %v", err)
	}
	js, err := RenderPod(j, c, &PodRenderOptions{JSON: true, Slot: 3, NameSuffix: "x9"})
	var list struct {
		Kind  string
		Items []struct {
			Kind     string
			Metadata struct{ Name string }
		}
	}
	if err != nil || json.Unmarshal([]byte(js), &list) != nil || list.Kind != "List" || !strings.HasSuffix(list.Items[len(list.Items)-1].Metadata.Name, "x9") {
		t.Fatalf("json %v %s", err, js[:80])
	}
	_, err = RenderPod(j, c, &PodRenderOptions{NameSuffix: "Bad!"})
	wantErr(t, err, ErrInvalid, "name_suffix must be 1 to 8 characters of [a-z0-9]")
	bash, err := RenderScript(j, c, "script", "", "N0nce")
	sh, _ := RenderScript(j, c, "script", "sh", "N0nce")
	if err != nil || !strings.Contains(bash, "::cicd-exit::") || bash == sh {
		t.Fatalf("script %v", err)
	}
	_, err = RenderScript(j, c, "nope", "", "")
	wantErr(t, err, ErrNotFound, `the job has no step "nope"`)
	_, err = RenderScript(j, c, "script", "", "not ok")
	wantErr(t, err, ErrInvalid, "the marker nonce must be 1 to 64 characters of [A-Za-z0-9]")
	if _, err := RenderScript(j, c, "script", "zsh", ""); !errors.Is(err, ErrInvalid) {
		t.Fatalf("zsh: %v", err)
	}
	log := []byte("out\n::cicd-exit::N0nce::script::1\nmore\n::cicd-exit::N0nce::script::3\n")
	if code, ok, err := FindExitCode(log, "N0nce", "script"); err != nil || !ok || code != 3 {
		t.Fatalf("marker %d %v %v", code, ok, err)
	}
	if _, ok, _ := FindExitCode(log, "N0nce", "after_script"); ok {
		t.Fatal("no marker for after_script")
	}
	failed := `{"kind": "Pod", "metadata": {"name": "p"}, "status": {"phase": "Failed", "containerStatuses": [{"name": "build", "image": "x", "state": {"terminated": {"exitCode": 1, "reason": "Error"}}}]}}`
	if r, msg, err := PodFailureReason([]byte(failed), "pod.json"); err != nil || r != "runner_system_failure" || msg != "the Pod failed: no reason given" {
		t.Fatalf("failure %q %q %v", r, msg, err)
	}
	if r, _, err := PodFailureReason([]byte(`{"kind": "Pod", "status": {"phase": "Running"}}`), ""); r != "" || err != nil {
		t.Fatalf("running %q %v", r, err)
	}
	_, _, err = PodFailureReason([]byte(`{"status": `), "pod.json")
	var e *Error
	if !errors.As(err, &e) || e.Code != ErrCodeParse || e.File != "pod.json" || e.Message != "parse error: premature EOF" {
		t.Fatalf("parse: %v", err)
	}
}

func TestPodLoadErrorsAndOwnership(t *testing.T) {
	_, err := ParseJobPayload([]byte(`{"id": "x"}`), "j.json", nil)
	var e *Error
	if !errors.As(err, &e) || e.Code != ErrCodeParse || e.Message != `job payload: "id" must be an integer` || e.Line != 1 || e.Column != 8 {
		t.Fatalf("payload: %v", err)
	}
	_, err = ParseJobPayload([]byte(`{"id": 1, "variables": [{"key":"a","value":"b"},{"key":"c","value":"d"},{"key":"e","value":"f"}]}`), "j.json", &JobPayloadLimits{MaxVariables: 2})
	wantErr(t, err, ErrLimit, "job payload: 3 variables, more than the limit of 2")
	if _, err := LoadJobPayload("/nonexistent.json", nil); !errors.Is(err, ErrIO) {
		t.Fatalf("io: %v", err)
	}
	_, err = ParseRunnerConfig([]byte("kubernetes:\n  cpu_limit: [1]\n"), "r.yml", 0)
	if !errors.As(err, &e) || e.Message != `runner config: "cpu_limit" must be a string` || e.Line != 2 || e.Column != 14 {
		t.Fatalf("runner: %v", err)
	}
	c, err := ParseRunnerConfig([]byte("kubernetes:\n  namespace: ci\n  nope: 1\n"), "r.yml", 0)
	if err != nil || len(c.Warnings) != 1 || c.Warnings[0].Message != `unknown key "nope" in kubernetes is ignored` || c.Warnings[0].Line != 3 {
		t.Fatalf("warnings %v %+v", err, c)
	}
	if _, err := LoadRunnerConfig("/nonexistent.yml", 0); !errors.Is(err, ErrIO) {
		t.Fatalf("io: %v", err)
	}
	j, _ := LoadJobPayload(podData("job_basic.json"), nil)
	raw := j.Raw()
	m, _ := j.Masker(nil)
	j.Close()
	j.Close()
	c.Close()
	c.Close()
	if got := maskAll(t, m, "sup3r-s3cret-key"); got != "[MASKED]" {
		t.Fatalf("masker outlives its payload: %q", got)
	}
	m.Close()
	for name, use := range map[string]func(){
		"Name":      func() { j.Name() },
		"Raw node":  func() { raw.Kind() },
		"Masker":    func() { j.Masker(nil) },
		"RenderPod": func() { RenderPod(j, c, nil) },
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

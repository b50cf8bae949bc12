package cicd

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const kubeFirst = `apiVersion: v1
kind: Config
clusters:
- name: shared
  cluster:
    server: https://first.example:6443
users:
- name: alice
  user:
    token: s3cr3t-token-value
contexts:
- name: one
  context: {cluster: shared, user: alice, namespace: team-a}
- name: closed
  context: {cluster: closed, user: alice}
`

const kubeSecond = `apiVersion: v1
kind: Config
current-context: two
clusters:
- name: shared
  cluster: {server: https://ignored.example}
- name: other
  cluster: {server: https://other.example}
- name: closed
  cluster: {server: https://127.0.0.1:1}
users:
- name: bob
  user: {}
contexts:
- name: two
  context: {cluster: other, user: bob}
- name: one
  context: {cluster: other, user: bob, namespace: ignored}
`

func kubeconfigFiles(t *testing.T) []string {
	t.Helper()
	dir := t.TempDir()
	var files []string
	for name, text := range map[string]string{"first.yaml": kubeFirst, "second.yaml": kubeSecond} {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		files = append(files, p)
	}
	if filepath.Base(files[0]) != "first.yaml" {
		files[0], files[1] = files[1], files[0]
	}
	return files
}

func kubeSummary(t *testing.T, o *KubeConfigOptions) []string {
	t.Helper()
	c, err := LoadKubeConfig(o)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	return []string{c.Context(), c.Server(), c.Namespace(), c.AuthKind()}
}

func TestKubeConfigMerge(t *testing.T) {
	files := kubeconfigFiles(t)
	eq(t, "current", kubeSummary(t, &KubeConfigOptions{Kubeconfig: files, NoInCluster: true}),
		[]string{"two", "https://other.example", "default", "none"})
	eq(t, "one", kubeSummary(t, &KubeConfigOptions{Kubeconfig: files, Context: "one", NoInCluster: true}),
		[]string{"one", "https://first.example:6443", "team-a", "token"})
	missing := filepath.Join(filepath.Dir(files[0]), "missing.yaml")
	eq(t, "override", kubeSummary(t, &KubeConfigOptions{Kubeconfig: append([]string{missing}, files...), Context: "one",
		Namespace: "override", NoInCluster: true}),
		[]string{"one", "https://first.example:6443", "override", "token"})
}

func kubeErr(t *testing.T, err error, code *Error, msg, file string, line, col int) {
	t.Helper()
	var e *Error
	if !errors.As(err, &e) || !errors.Is(err, code) {
		t.Fatalf("got %v, want code %s", err, code.Code.Name())
	}
	eq(t, "error", []any{e.Message, e.File, e.Line, e.Column}, []any{msg, file, line, col})
	if strings.Contains(err.Error(), "s3cr3t-token-value") {
		t.Fatalf("the token in an error: %v", err)
	}
}

func TestKubeConfigErrors(t *testing.T) {
	files := kubeconfigFiles(t)
	_, err := LoadKubeConfig(&KubeConfigOptions{Kubeconfig: files, Context: "nope", NoInCluster: true})
	kubeErr(t, err, ErrNotFound, "context 'nope' not found", "", 0, 0)
	_, err = LoadKubeConfig(&KubeConfigOptions{Kubeconfig: files[:1], NoInCluster: true})
	kubeErr(t, err, ErrNotFound, "no current-context is set and no context was chosen", "", 0, 0)
	_, err = ParseKubeConfig([]byte("clusters: 5\n"), "inline.yaml", nil)
	kubeErr(t, err, ErrParse, "'clusters' must be a list", "inline.yaml", 1, 11)
	_, err = ParseKubeConfig([]byte(kubeFirst+"current-context: one\nusers: {}\n"), "dup.yaml", nil)
	if err == nil || strings.Contains(err.Error(), "s3cr3t-token-value") {
		t.Fatalf("duplicate users: %v", err)
	}
	c, err := ParseKubeConfig([]byte(kubeSecond), "inline.yaml", &KubeConfigOptions{Context: "one"})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	eq(t, "parsed", []string{c.Context(), c.Namespace()}, []string{"one", "ignored"})
}

func decideJSON(t *testing.T, text string) (RolloutState, string, error) {
	t.Helper()
	d, err := LoadJSON([]byte(text), "object.json", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	return RolloutDecide(d.Root(0))
}

func TestKubeRolloutDecide(t *testing.T) {
	dep := func(status string) string {
		return `{"kind":"Deployment","metadata":{"name":"web","generation":2},"spec":{"replicas":3},` +
			`"status":{"observedGeneration":2,` + status + `}}`
	}
	for _, c := range []struct {
		json  string
		state RolloutState
		msg   string
	}{
		{dep(`"updatedReplicas":3,"replicas":3,"availableReplicas":2`), RolloutProgressing,
			`Waiting for deployment "web" rollout to finish: 2 of 3 updated replicas are available...`},
		{dep(`"updatedReplicas":3,"replicas":3,"availableReplicas":3`), RolloutDone,
			`deployment "web" successfully rolled out`},
		{dep(`"conditions":[{"type":"Progressing","status":"False","reason":"ProgressDeadlineExceeded"}]`),
			RolloutFailed, `deployment "web" exceeded its progress deadline`},
	} {
		state, msg, err := decideJSON(t, c.json)
		if err != nil {
			t.Fatal(err)
		}
		eq(t, "decide", []any{state.String(), msg}, []any{c.state.String(), c.msg})
	}
	_, _, err := decideJSON(t, `{"kind":"ConfigMap","metadata":{"name":"c"}}`)
	kubeErr(t, err, ErrUnsupported, "no rollout status for kind ConfigMap", "", 0, 0)
	if _, _, err = decideJSON(t, `[1]`); !errors.Is(err, ErrInvalid) {
		t.Fatalf("a list: %v", err)
	}
}

func TestKubePodProblem(t *testing.T) {
	for _, c := range []struct {
		json, reason, container string
		found                   bool
	}{
		{`{"metadata":{"name":"web-1"},"status":{"phase":"Running","containerStatuses":[{"name":"app","restartCount":4,` +
			`"lastState":{"terminated":{"exitCode":1,"reason":"Error"}},"state":{"waiting":{"reason":"CrashLoopBackOff"}}}]}}`,
			`CrashLoopBackOff: pod "web-1" container "app" keeps crashing (restarted 4 times, last exit code 1 Error)`,
			"app", true},
		{`{"metadata":{"name":"job-1"},"status":{"phase":"Failed"}}`, `pod "job-1" failed`, "", true},
		{`{"metadata":{"name":"web-1"},"status":{"phase":"Pending","containerStatuses":[{"name":"app",` +
			`"state":{"waiting":{"reason":"ContainerCreating"}}}]}}`, "", "", false},
	} {
		d, err := LoadJSON([]byte(c.json), "pod.json", nil)
		if err != nil {
			t.Fatal(err)
		}
		reason, container, found, err := PodProblem(d.Root(0))
		d.Close()
		if err != nil {
			t.Fatal(err)
		}
		eq(t, "problem", []any{reason, container, found}, []any{c.reason, c.container, c.found})
	}
}

func TestKubeClientClosedPort(t *testing.T) {
	cfg, err := LoadKubeConfig(&KubeConfigOptions{Kubeconfig: kubeconfigFiles(t), Context: "closed", NoInCluster: true})
	if err != nil {
		t.Fatal(err)
	}
	k, err := NewKubeClient(cfg, &KubeClientOptions{MaxRetries: -1})
	cfg.Close()
	if err != nil {
		t.Fatal(err)
	}
	defer k.Close()
	eq(t, "namespace", k.Namespace(), "default")
	_, err = k.Get(context.Background(), "v1", "ConfigMap", "", "settings")
	var e *Error
	if !errors.As(err, &e) || !errors.Is(err, ErrHTTP) ||
		!strings.HasPrefix(e.Message, "GET https://127.0.0.1:1/apis: Failed to connect to 127.0.0.1 port 1 ") ||
		!strings.HasSuffix(e.Message, ": Couldn't connect to server") {
		t.Fatalf("get: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err = k.Get(ctx, "v1", "ConfigMap", "", "settings"); !errors.Is(err, context.Canceled) {
		t.Fatalf("canceled get: %v", err)
	}
}

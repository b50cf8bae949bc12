package cicd

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

const deployApp = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 1
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: web, image: "web:1"}]
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: web-config
data:
  mode: one
`

const deploySecret = "---\napiVersion: v1\nkind: Secret\nmetadata:\n  name: web-secret\nstringData:\n  password: hunter2-very-secret\n"

// A cluster on a port nothing listens on: jobs fail with cluster_unreachable.
const unreachableKubeconfig = `apiVersion: v1
kind: Config
clusters: [{name: c, cluster: {server: "https://127.0.0.1:1"}}]
contexts: [{name: x, context: {cluster: c, user: u}}]
current-context: x
users: [{name: u, user: {token: t}}]
`

func deployFixture(t *testing.T) (*DeployStore, string) {
	t.Helper()
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "v1"), 0o755)
	os.WriteFile(filepath.Join(dir, "v1", "app.yaml"), []byte(deployApp), 0o644)
	os.WriteFile(filepath.Join(dir, "kube.conf"), []byte(unreachableKubeconfig), 0o644)
	s, err := OpenDeployStore(filepath.Join(dir, "data", "store.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	if err := s.AddTarget(DeployTarget{Name: "dev", Namespace: "demo", Kubeconfig: filepath.Join(dir, "kube.conf"), Context: "x"}); err != nil {
		t.Fatal(err)
	}
	return s, dir
}

func wantErr(t *testing.T, err error, sentinel error, msg string) {
	t.Helper()
	var e *Error
	if !errors.As(err, &e) || !errors.Is(err, sentinel) || e.Message != msg {
		t.Fatalf("want %q, got %v", msg, err)
	}
}

func TestDeployDefaultLocation(t *testing.T) {
	t.Setenv("CICD_STORE", "/tmp/x/store.db")
	if loc, err := DefaultDeployStoreLocation(); err != nil || loc != "/tmp/x/store.db" {
		t.Fatalf("%q %v", loc, err)
	}
}

func TestDeployTargets(t *testing.T) {
	s, dir := deployFixture(t)
	ts, err := s.Targets()
	if err != nil || len(ts) != 1 || ts[0].Name != "dev" || ts[0].Namespace != "demo" || ts[0].Context != "x" ||
		ts[0].Kubeconfig != filepath.Join(dir, "kube.conf") || ts[0].InCluster || ts[0].CreatedAt == 0 {
		t.Fatalf("targets %+v %v", ts, err)
	}
	wantErr(t, s.AddTarget(DeployTarget{Name: "dev", Namespace: "demo"}), ErrExists, "target 'dev' already exists")
	if err := s.AddTarget(DeployTarget{Name: "in", Namespace: "prod", InCluster: true}); err != nil {
		t.Fatal(err)
	}
	if err := s.RemoveTarget("in"); err != nil {
		t.Fatal(err)
	}
	wantErr(t, s.RemoveTarget("nope"), ErrNotFound, "unknown target 'nope'")
}

func TestDeployPushVersionsDiffs(t *testing.T) {
	s, dir := deployFixture(t)
	v1, err := s.Push("shop/web", []string{filepath.Join(dir, "v1")}, &PushOptions{Who: "me", Commit: "abc123", Pipeline: "77"})
	if err != nil || v1.Number != 1 || v1.Objects != 2 || v1.Existed || v1.Commit != "abc123" || v1.Pipeline != "77" || v1.Who != "me" || len(v1.Hash) != 64 {
		t.Fatalf("push %+v %v", v1, err)
	}
	again, _ := s.Push("shop/web", []string{filepath.Join(dir, "v1", "app.yaml")}, nil)
	eq(t, "existed", again.Existed, true)
	v2, err := s.PushBytes("shop/web", []byte(strings.Replace(deployApp, "web:1", "web:2", 1)+deploySecret), "v2.yaml", nil)
	if err != nil || v2.Number != 2 || v2.Objects != 3 {
		t.Fatalf("push bytes %+v %v", v2, err)
	}
	vs, _ := s.Versions("shop/web")
	eq(t, "versions", []int{vs[0].Number, vs[1].Number}, []int{2, 1})
	text, err := s.DiffVersions("shop/web@1", "shop/web@2", false)
	if err != nil || !strings.Contains(text, "web:2") || !strings.Contains(text, "web-secret") || strings.Contains(text, "hunter2") {
		t.Fatalf("diff %v %s", err, text)
	}
	if js, err := s.DiffVersions("shop/web@1", "shop/web@2", true); err != nil || !strings.HasPrefix(js, "{") || strings.Contains(js, "hunter2") {
		t.Fatalf("diff json %v %s", err, js)
	}
	_, err = s.PushBytes("shop/web", []byte("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: Bad_Name\n"), "bad.yaml", nil)
	var e *Error
	if !errors.As(err, &e) || !errors.Is(err, ErrValidate) || e.File != "bad.yaml" || e.Line != 4 || e.Column != 9 {
		t.Fatalf("bad push %v", err)
	}
	_, err = s.Versions("shop/api")
	wantErr(t, err, ErrNotFound, "unknown resource set 'shop/api'")
	if err := s.SetPrune("shop/web", true); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Push("shop/web", []string{"a\x00b"}, nil); !errors.Is(err, ErrInvalid) {
		t.Fatalf("nul path: %v", err)
	}
}

func TestDeployJobsLogsWorkerAndContexts(t *testing.T) {
	s, dir := deployFixture(t)
	ctx := context.Background()
	if _, err := s.Push("shop/web", []string{filepath.Join(dir, "v1")}, nil); err != nil {
		t.Fatal(err)
	}
	_, err := s.Run(ctx, "shop/web@9", "dev", nil)
	wantErr(t, err, ErrNotFound, "unknown version '9' of 'shop/web'")
	id, err := s.Run(ctx, "shop/web@1", "dev", &RunOptions{Who: "me"})
	if state, _ := s.JobState(id); err != nil || id != 1 || state != "queued" {
		t.Fatalf("queued %d %v %s", id, err, state)
	}
	_, err = s.Run(ctx, "shop/web@1", "dev", &RunOptions{NoQueue: true})
	wantErr(t, err, ErrConflict, "target 'dev' is busy (1 jobs queued or running) and queueing was refused")
	if err := s.Cancel(id, "me"); err != nil {
		t.Fatal(err)
	}
	wantErr(t, s.Cancel(id, ""), ErrConflict, "deploy job 1 is canceled: a finished job cannot be canceled")
	canceled, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := s.Run(canceled, "shop/web@1", "dev", nil); !errors.Is(err, context.Canceled) {
		t.Fatalf("canceled ctx: %v", err)
	}
	var mu sync.Mutex
	var progress []string
	waited, err := s.Run(ctx, "shop/web@1", "dev", &RunOptions{Wait: true, TimeoutMS: 2000, Progress: func(level int, msg string, f map[string]any) {
		mu.Lock()
		progress = append(progress, msg)
		mu.Unlock()
	}})
	if err != nil {
		t.Fatal(err)
	}
	job, raw, err := s.Job(waited)
	if err != nil || job.State != "failed" || job.Reason != "cluster_unreachable" || len(raw) == 0 {
		t.Fatalf("job %+v %v", job, err)
	}
	if len(progress) == 0 || !strings.HasPrefix(progress[0], "deploying shop/web version 1 (") {
		t.Fatalf("progress %q", progress)
	}
	var lines []LogLine
	last, err := s.Log(waited, 0, func(l LogLine) error { lines = append(lines, l); return nil })
	if err != nil || len(lines) == 0 || lines[len(lines)-1].Seq != last || !strings.HasPrefix(lines[len(lines)-1].Message, "job failed: cluster_unreachable") {
		t.Fatalf("log %v %+v", err, lines)
	}
	stop := errors.New("enough")
	if _, err := s.Log(waited, 0, func(LogLine) error { return stop }); err != stop {
		t.Fatalf("callback error not returned: %v", err)
	}
	var rest []int64
	if l2, err := s.Follow(ctx, waited, 1, 10*time.Millisecond, func(l LogLine) error { rest = append(rest, l.Seq); return nil }); err != nil || l2 != last || len(rest) != int(last-1) {
		t.Fatalf("follow %v %d %v", err, l2, rest)
	}
	jobs, _ := s.Jobs("dev", 1)
	all, _ := s.Jobs("", 0)
	eq(t, "jobs", []any{len(jobs), jobs[0].ID, len(all)}, []any{1, waited, 2})
	if _, err := s.DiffLive(ctx, "shop/web@1", "dev"); err == nil {
		t.Fatal("live diff against an unreachable cluster")
	}
	if _, err := s.DiffLive(canceled, "shop/web@1", "dev"); !errors.Is(err, context.Canceled) {
		t.Fatalf("diff live ctx: %v", err)
	}
	queued, err := s.Rollback(ctx, "shop/web", "dev", "1", &RunOptions{Who: "me", TimeoutMS: 2000})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.RunWorker(canceled, nil); !errors.Is(err, context.Canceled) {
		t.Fatalf("worker ctx: %v", err)
	}
	if err := s.RunWorker(ctx, &WorkerOptions{UntilIdle: true, PollMS: 10, Progress: func(int, string, map[string]any) {}}); err != nil {
		t.Fatal(err)
	}
	if state, _ := s.JobState(queued); state != "failed" {
		t.Fatalf("rollback job %s", state)
	}
	_, _, err = s.Job(99)
	wantErr(t, err, ErrNotFound, "unknown deploy job 99")
}

func TestDeploySettingsHistoryOwnership(t *testing.T) {
	s, dir := deployFixture(t)
	ctx := context.Background()
	s.Push("shop/web", []string{filepath.Join(dir, "v1")}, nil)
	for i := 0; i < 3; i++ {
		id, _ := s.Run(ctx, "shop/web@1", "dev", nil)
		s.Cancel(id, "")
	}
	if n, err := s.PruneHistory(1); err != nil || n != 2 {
		t.Fatalf("prune %d %v", n, err)
	}
	if err := s.SetSetting("history_keep", "5"); err != nil {
		t.Fatal(err)
	}
	wantErr(t, s.SetSetting("nope", "5"), ErrInvalid, "unknown deploy setting 'nope' (known: history_keep)")
	wantErr(t, s.RemoveTarget("dev"), ErrConflict, "target 'dev' has 1 deploy jobs in its history")
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			if err := s.AddTarget(DeployTarget{Name: "t" + string(rune('a'+g)), Namespace: "n"}); err != nil {
				t.Error(err)
			}
		}(g)
	}
	wg.Wait()
	ts, _ := s.Targets()
	eq(t, "targets", len(ts), 9)
	if _, err := OpenDeployStore("postgresql://nobody@127.0.0.1:1/none", nil); !errors.Is(err, &Error{Code: ErrCodeStore}) {
		t.Fatalf("postgres: %v", err)
	}
	s.Close()
	s.Close()
	defer func() {
		if recover() == nil {
			t.Fatal("Targets after Close did not panic")
		}
	}()
	s.Targets()
}

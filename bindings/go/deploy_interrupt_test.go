package cicd

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// A blocked call ends within this of its context's end. The library promises
// about 100 ms; the rest is for -race on a loaded CI machine. The calls' own
// timeouts (30 s requests, minutes of polling) stay far above it.
const interruptSlack = 3 * time.Second

// returnsSoon fails the test when the call took longer than interruptSlack after ctx ended.
func returnsSoon(t *testing.T, what string, ended time.Time) {
	t.Helper()
	if d := time.Since(ended); d > interruptSlack {
		t.Errorf("%s returned %s after its context ended", what, d)
	}
}

func TestDeployContextInterruptsBlockingCalls(t *testing.T) {
	s, dir := deployFixture(t)
	bg := context.Background()
	if _, err := s.Push("shop/web", []string{filepath.Join(dir, "v1")}, nil); err != nil {
		t.Fatal(err)
	}
	head, err := s.Run(bg, "shop/web@1", "dev", nil) // queued; no worker runs it
	if err != nil {
		t.Fatal(err)
	}

	// Follow of a job that never ends.
	ctx, cancel := context.WithTimeout(bg, 200*time.Millisecond)
	last, err := s.Follow(ctx, head, 0, time.Minute, func(LogLine) error { return nil })
	cancel()
	if !errors.Is(err, context.DeadlineExceeded) || last != 0 {
		t.Fatalf("follow: %d %v", last, err)
	}
	deadline, _ := ctx.Deadline()
	returnsSoon(t, "Follow", deadline)

	// A run with Wait behind the queued job: canceled while waiting for its turn, never run.
	ctx, cancel = context.WithCancel(bg)
	var ended time.Time
	time.AfterFunc(300*time.Millisecond, func() { ended = time.Now(); cancel() })
	id, err := s.Run(ctx, "shop/web@1", "dev", &RunOptions{Wait: true, TimeoutMS: 60000})
	if !errors.Is(err, context.Canceled) || id != head+1 {
		t.Fatalf("run behind a queued job: %d %v", id, err)
	}
	returnsSoon(t, "Run waiting for its turn", ended)
	job, _, err := s.Job(id)
	if err != nil || job.State != "canceled" || job.Reason != "canceled" || job.Message != "interrupted while waiting for its turn" {
		t.Fatalf("job waiting for its turn: %+v %v", job, err)
	}

	// Its own turn on a cluster out of reach: the step is retried after growing pauses until ctx ends.
	if err := s.Cancel(head, "me"); err != nil {
		t.Fatal(err)
	}
	ctx, cancel = context.WithCancel(bg)
	retrying := make(chan struct{}, 1)
	id, err = s.Run(ctx, "shop/web@1", "dev", &RunOptions{Wait: true, TimeoutMS: 60000, Progress: func(_ int, msg string, _ map[string]any) {
		if strings.HasPrefix(msg, "cluster unreachable, the step runs again") {
			select {
			case retrying <- struct{}{}:
				ended = time.Now()
				cancel()
			default:
			}
		}
	}})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("run on an unreachable cluster: %d %v", id, err)
	}
	returnsSoon(t, "Run retrying", ended)
	job, _, err = s.Job(id)
	if err != nil || job.State != "canceled" || job.Message != "interrupted before step 0 (plan); 0 created, 0 configured, 0 unchanged, 0 pruned before it" {
		t.Fatalf("job retrying: %+v %v", job, err)
	}
	var lines []string
	if _, err := s.Log(id, 0, func(l LogLine) error { lines = append(lines, l.Message); return nil }); err != nil {
		t.Fatal(err)
	}
	eq(t, "last line", lines[len(lines)-1], "job canceled: canceled: "+job.Message)

	// The interrupt does not outlive its call: a later Follow (also a blocking call) runs.
	n := 0
	if _, err := s.Follow(bg, id, 0, time.Millisecond, func(LogLine) error { n++; return nil }); err != nil || n != len(lines) {
		t.Fatalf("follow after an interrupt: %d %v", n, err)
	}

	// An idle worker.
	ctx, cancel = context.WithCancel(bg)
	time.AfterFunc(200*time.Millisecond, func() { ended = time.Now(); cancel() })
	if err := s.RunWorker(ctx, &WorkerOptions{PollMS: 60000}); !errors.Is(err, context.Canceled) {
		t.Fatalf("idle worker: %v", err)
	}
	returnsSoon(t, "RunWorker", ended)
}

const slowDeployment = `apiVersion: v1
kind: Namespace
metadata: {name: %[1]s}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: slow, namespace: %[1]s}
spec:
  replicas: 1
  minReadySeconds: 3600
  progressDeadlineSeconds: 7200
  selector: {matchLabels: {app: slow}}
  template:
    metadata: {labels: {app: slow}}
    spec:
      containers: [{name: app, image: nginx:1.25}]
`

// A deploy whose Deployment is never available (its pods count only after an hour) on a real
// control plane: the end of ctx interrupts the rollout wait, and the job ends canceled.
func TestDeployLiveContextInterruptsARolloutWait(t *testing.T) {
	requirePlane(t)
	ns := "cicd-go-deploy-" + uniqueSuffix()
	dropNamespace(t, ns)
	dir := t.TempDir()
	s, err := OpenDeployStore(filepath.Join(dir, "store.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.AddTarget(DeployTarget{Name: "plane", Namespace: ns, Kubeconfig: os.Getenv("KUBECONFIG")}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.PushBytes("shop/slow", []byte(fmt.Sprintf(slowDeployment, ns)), "slow.yaml", nil); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var ended time.Time
	id, err := s.Run(ctx, "shop/slow@1", "plane", &RunOptions{Wait: true, TimeoutMS: 600000, Progress: func(_ int, msg string, _ map[string]any) {
		if msg == "created Deployment "+ns+"/slow" {
			time.AfterFunc(time.Second, func() { ended = time.Now(); cancel() })
		}
	}})
	if !errors.Is(err, context.Canceled) || id != 1 {
		t.Fatalf("run: %d %v", id, err)
	}
	returnsSoon(t, "Run waiting for a rollout", ended)
	job, _, err := s.Job(id)
	want := "interrupted during step 2 (wait wave 0); 2 created, 0 configured, 0 unchanged, 0 pruned before it"
	if err != nil || job.State != "canceled" || job.Reason != "canceled" || job.Message != want {
		t.Fatalf("job %+v %v", job, err)
	}
	k := liveClient(t)
	if _, err := k.Get(context.Background(), "apps/v1", "Deployment", ns, "slow"); err != nil {
		t.Fatalf("the Deployment applied before the interrupt: %v", err)
	}
}

package cicd

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
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

// closedPortClient talks to https://127.0.0.1:1, where nothing listens.
func closedPortClient(t *testing.T) *KubeClient {
	t.Helper()
	cfg, err := LoadKubeConfig(&KubeConfigOptions{Kubeconfig: kubeconfigFiles(t), Context: "closed", NoInCluster: true})
	if err != nil {
		t.Fatal(err)
	}
	defer cfg.Close()
	k, err := NewKubeClient(cfg, &KubeClientOptions{MaxRetries: -1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { k.Close() })
	return k
}

func loadYAML(t *testing.T, text string) *Document {
	t.Helper()
	d, err := Load([]byte(text), "objects.yaml", nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	return d
}

const twoObjects = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings}\n---\nkind: Widget\nmetadata: {name: w}\n"

// connectionRefused checks the error of a call that first asks discovery.
func connectionRefused(t *testing.T, what string, err error, prefix string) {
	t.Helper()
	var e *Error
	if !errors.As(err, &e) || !errors.Is(err, ErrHTTP) ||
		!strings.HasPrefix(e.Message, prefix+"GET https://127.0.0.1:1/apis: Failed to connect to 127.0.0.1 port 1 ") ||
		!strings.HasSuffix(e.Message, ": Couldn't connect to server") {
		t.Errorf("%s: %#v", what, err)
	}
}

func TestKubeCallsOnClosedPort(t *testing.T) {
	k := closedPortClient(t)
	ctx := context.Background()
	doc := loadYAML(t, twoObjects)
	_, _, _, err := k.Resolve(ctx, "deploy")
	connectionRefused(t, "resolve", err, "")
	_, err = k.List(ctx, "v1", "ConfigMap", "", &KubeListOptions{PageSize: 1}, func(json.RawMessage) error {
		t.Error("an item from nowhere")
		return nil
	})
	connectionRefused(t, "list", err, "")
	_, err = k.Create(ctx, []byte(`{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"x"}}`))
	connectionRefused(t, "create", err, "")
	err = k.Delete(ctx, "v1", "ConfigMap", "", "x", &KubeDeleteOptions{Propagation: PropagationForeground})
	connectionRefused(t, "delete", err, "")
	action, obj, err := k.Apply(ctx, doc.Root(0), nil)
	connectionRefused(t, "apply", err, "ConfigMap settings: ")
	eq(t, "failed apply", []any{action, obj == nil}, []any{ApplyAction(0), true})
	_, err = k.Watch(ctx, "v1", "ConfigMap", "", &KubeWatchOptions{ResourceVersion: "1"})
	connectionRefused(t, "watch", err, "")
	var out bytes.Buffer
	err = k.Logs(ctx, "", "web-1", &KubeLogOptions{Follow: true}, &out)
	connectionRefused(t, "logs", err, "")
	msg, err := k.RolloutWait(ctx, "apps/v1", "Deployment", "", "web", &KubeRolloutOptions{Progress: func(string) {}})
	connectionRefused(t, "rollout wait", err, "")
	eq(t, "rollout message", msg, "")
	set, err := NewManifestSet()
	if err != nil {
		t.Fatal(err)
	}
	defer set.Close()
	if err := set.Add([]byte(twoObjects[:strings.Index(twoObjects, "---")]), "m.yaml", nil); err != nil {
		t.Fatal(err)
	}
	err = k.ApplyManifests(ctx, set, nil, nil)
	connectionRefused(t, "apply manifests", err, "ConfigMap settings: ")
	// Errors the library finds before any request.
	_, err = k.Create(ctx, []byte(`{"apiVersion":"v1"`))
	kubeErr(t, err, ErrParse, "parse error: premature EOF", "<object>", 1, 2)
	_, _, err = k.Apply(ctx, doc.Root(1), nil)
	kubeErr(t, err, ErrInvalid, "the object has no apiVersion", "objects.yaml", 5, 1)
}

func TestKubeApplySetResults(t *testing.T) {
	k := closedPortClient(t)
	ctx := context.Background()
	doc := loadYAML(t, twoObjects)
	var got []string
	err := k.ApplySet(ctx, []*Document{doc}, nil, func(r ApplyResult) error {
		var e *Error
		if !errors.As(r.Err, &e) {
			t.Fatalf("result without *Error: %#v", r)
		}
		got = append(got, fmt.Sprintf("%s|%s|%s|%s|%s|%s:%d|%s|%s", r.APIVersion, r.Kind, r.Namespace, r.Name,
			r.Action, r.File, r.Line, e.Code.Name(), strings.SplitN(e.Message, " port 1 ", 2)[0]))
		return nil
	})
	connectionRefused(t, "apply set", err, "ConfigMap settings: ")
	eq(t, "results", got, []string{
		"v1|ConfigMap||settings|failed|objects.yaml:1|CICD_EHTTP|ConfigMap settings: GET https://127.0.0.1:1/apis: Failed to connect to 127.0.0.1",
		"|Widget||w|failed|objects.yaml:5|CICD_EINVALID|the object has no apiVersion",
	})
	// The callback's error stops the set and comes back as is.
	stop := errors.New("seen enough")
	calls := 0
	err = k.ApplySet(ctx, []*Document{doc}, nil, func(ApplyResult) error { calls++; return stop })
	if err != stop || calls != 1 {
		t.Fatalf("stopping callback: %v after %d calls", err, calls)
	}
	// Its panic is raised again once the call is back in Go, and the client stays usable.
	func() {
		defer func() {
			if r := recover(); r != "callback panic" {
				t.Fatalf("recovered %#v", r)
			}
		}()
		k.ApplySet(ctx, []*Document{doc}, nil, func(ApplyResult) error { panic("callback panic") })
		t.Fatal("no panic")
	}()
	_, err = k.Get(ctx, "v1", "ConfigMap", "", "settings")
	connectionRefused(t, "get after a panic", err, "")
	// An empty set applies nothing.
	if err := k.ApplySet(ctx, nil, nil, nil); err != nil {
		t.Fatalf("empty set: %v", err)
	}
}

func TestKubeEndedContext(t *testing.T) {
	k := closedPortClient(t)
	doc := loadYAML(t, twoObjects)
	set, err := NewManifestSet()
	if err != nil {
		t.Fatal(err)
	}
	defer set.Close()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	late, cancelLate := context.WithDeadline(context.Background(), time.Now().Add(-time.Second))
	defer cancelLate()
	for _, c := range []struct {
		ctx  context.Context
		want error
	}{{ctx, context.Canceled}, {late, context.DeadlineExceeded}} {
		calls := map[string]func() error{
			"resolve": func() error { _, _, _, err := k.Resolve(c.ctx, "deploy"); return err },
			"get":     func() error { _, err := k.Get(c.ctx, "v1", "ConfigMap", "", "x"); return err },
			"list":    func() error { _, err := k.List(c.ctx, "v1", "ConfigMap", "", nil, nil); return err },
			"create":  func() error { _, err := k.Create(c.ctx, []byte(`{}`)); return err },
			"delete":  func() error { return k.Delete(c.ctx, "v1", "ConfigMap", "", "x", nil) },
			"apply":   func() error { _, _, err := k.Apply(c.ctx, doc.Root(0), nil); return err },
			"apply set": func() error {
				return k.ApplySet(c.ctx, []*Document{doc}, nil, nil)
			},
			"apply manifests": func() error { return k.ApplyManifests(c.ctx, set, nil, nil) },
			"watch":           func() error { _, err := k.Watch(c.ctx, "v1", "ConfigMap", "", nil); return err },
			"logs":            func() error { return k.Logs(c.ctx, "", "p", nil, io.Discard) },
			"rollout wait": func() error {
				_, err := k.RolloutWait(c.ctx, "apps/v1", "Deployment", "", "web", nil)
				return err
			},
		}
		for name, call := range calls {
			if err := call(); err != c.want {
				t.Errorf("%s with %v: %v", name, c.want, err)
			}
		}
	}
}

func TestKubeOptionValidation(t *testing.T) {
	k := closedPortClient(t)
	ctx := context.Background()
	doc := loadYAML(t, twoObjects)
	half, minus := 1500*time.Millisecond, -time.Second
	for _, c := range []struct {
		msg  string
		call func() error
	}{
		{"cicd: KubeListOptions.PageSize must be between 0 and 4294967295, got -1", func() error {
			_, err := k.List(ctx, "v1", "ConfigMap", "", &KubeListOptions{PageSize: -1}, nil)
			return err
		}},
		{"cicd: unknown KubeDeleteOptions.Propagation 4", func() error {
			return k.Delete(ctx, "v1", "ConfigMap", "", "x", &KubeDeleteOptions{Propagation: 4})
		}},
		{"cicd: KubeDeleteOptions.GracePeriod must be whole seconds, got 1.5s", func() error {
			return k.Delete(ctx, "v1", "ConfigMap", "", "x", &KubeDeleteOptions{GracePeriod: &half})
		}},
		{"cicd: KubeDeleteOptions.GracePeriod must not be negative, got -1s", func() error {
			return k.Delete(ctx, "v1", "ConfigMap", "", "x", &KubeDeleteOptions{GracePeriod: &minus})
		}},
		{"cicd: Apply of a nil node", func() error { _, _, err := k.Apply(ctx, nil, nil); return err }},
		{"cicd: KubeApplyOptions.WaitEstablished must not be negative, got -1s", func() error {
			_, _, err := k.Apply(ctx, doc.Root(0), &KubeApplyOptions{WaitEstablished: minus})
			return err
		}},
		{"cicd: ApplySet document 1 is nil", func() error { return k.ApplySet(ctx, []*Document{doc, nil}, nil, nil) }},
		{"cicd: ApplyManifests of a nil ManifestSet", func() error { return k.ApplyManifests(ctx, nil, nil, nil) }},
		{"cicd: KubeWatchOptions.ServerTimeout must be whole seconds, got 1.5s", func() error {
			_, err := k.Watch(ctx, "v1", "ConfigMap", "", &KubeWatchOptions{ServerTimeout: half})
			return err
		}},
		{"cicd: Logs needs a writer", func() error { return k.Logs(ctx, "", "p", nil, nil) }},
		{"cicd: KubeLogOptions.Since must not be negative, got -1s", func() error {
			return k.Logs(ctx, "", "p", &KubeLogOptions{Since: minus}, io.Discard)
		}},
		{"cicd: KubeLogOptions.TailLines must not be negative, got -1", func() error {
			return k.Logs(ctx, "", "p", &KubeLogOptions{TailLines: -1}, io.Discard)
		}},
		{"cicd: KubeLogOptions.LimitBytes must not be negative, got -5", func() error {
			return k.Logs(ctx, "", "p", &KubeLogOptions{LimitBytes: -5}, io.Discard)
		}},
		{"cicd: KubeRolloutOptions.Timeout must not be negative, got -1s", func() error {
			_, err := k.RolloutWait(ctx, "apps/v1", "Deployment", "", "web", &KubeRolloutOptions{Timeout: minus})
			return err
		}},
		{"cicd: KubeRolloutOptions.LogLines must be between 0 and 4294967295, got -2", func() error {
			_, err := k.RolloutWait(ctx, "apps/v1", "Deployment", "", "web", &KubeRolloutOptions{LogLines: -2})
			return err
		}},
		// The library's own checks come back with its messages.
		{"cicd_kube_get: out, client and name are required", func() error {
			_, err := k.Get(ctx, "v1", "ConfigMap", "", "")
			return err
		}},
		{"cicd_kube_resolve: client and name are required", func() error {
			_, _, _, err := k.Resolve(ctx, "")
			return err
		}},
	} {
		kubeErr(t, c.call(), ErrInvalid, c.msg, "", 0, 0)
	}
}

func TestKubeNames(t *testing.T) {
	eq(t, "actions", []string{ApplyCreated.String(), ApplyConfigured.String(), ApplyUnchanged.String(), ApplyAction(0).String()},
		[]string{"created", "configured", "unchanged", "failed"})
	eq(t, "events", []string{KubeEventAdded.String(), KubeEventModified.String(), KubeEventDeleted.String(),
		KubeEventBookmark.String(), KubeEventSync.String(), KubeEventType(9).String()},
		[]string{"ADDED", "MODIFIED", "DELETED", "BOOKMARK", "SYNC", "UNKNOWN"})
	eq(t, "propagation", []string{PropagationDefault.String(), PropagationBackground.String(),
		PropagationForeground.String(), PropagationOrphan.String()},
		[]string{"default", "Background", "Foreground", "Orphan"})
}

func mustPanic(t *testing.T, what, want string, f func()) {
	t.Helper()
	defer func() {
		t.Helper()
		if r := recover(); r != want {
			t.Errorf("%s: recovered %#v, want %q", what, r, want)
		}
	}()
	f()
}

func TestKubeClosedHandles(t *testing.T) {
	k := closedPortClient(t)
	ctx := context.Background()
	doc := loadYAML(t, twoObjects)
	closedDoc := loadYAML(t, twoObjects)
	node := closedDoc.Root(0)
	closedDoc.Close()
	mustPanic(t, "apply of a closed document's node", "cicd: use of a closed Document", func() { k.Apply(ctx, node, nil) })
	mustPanic(t, "apply set of a closed document", "cicd: use of a closed Document", func() {
		k.ApplySet(ctx, []*Document{doc, closedDoc}, nil, nil)
	})
	set, err := NewManifestSet()
	if err != nil {
		t.Fatal(err)
	}
	set.Close()
	mustPanic(t, "apply of a closed set", "cicd: use of a closed ManifestSet", func() { k.ApplyManifests(ctx, set, nil, nil) })
	k.Close()
	if err := k.Close(); err != nil {
		t.Fatal(err)
	}
	const closed = "cicd: use of a closed KubeClient"
	mustPanic(t, "namespace", closed, func() { k.Namespace() })
	mustPanic(t, "resolve", closed, func() { k.Resolve(ctx, "deploy") })
	mustPanic(t, "get", closed, func() { k.Get(ctx, "v1", "ConfigMap", "", "x") })
	mustPanic(t, "list", closed, func() { k.List(ctx, "v1", "ConfigMap", "", nil, nil) })
	mustPanic(t, "create", closed, func() { k.Create(ctx, []byte(`{}`)) })
	mustPanic(t, "delete", closed, func() { k.Delete(ctx, "v1", "ConfigMap", "", "x", nil) })
	mustPanic(t, "apply", closed, func() { k.Apply(ctx, doc.Root(0), nil) })
	mustPanic(t, "apply set", closed, func() { k.ApplySet(ctx, []*Document{doc}, nil, nil) })
	mustPanic(t, "watch", closed, func() { k.Watch(ctx, "v1", "ConfigMap", "", nil) })
	mustPanic(t, "logs", closed, func() { k.Logs(ctx, "", "p", nil, io.Discard) })
	mustPanic(t, "rollout wait", closed, func() { k.RolloutWait(ctx, "apps/v1", "Deployment", "", "web", nil) })
}

// silentServer accepts TCP connections and never answers until it is told
// to refuse them; a call to it waits until it is cancelled.
type silentServer struct {
	ln     net.Listener
	mu     sync.Mutex
	conns  []net.Conn
	refuse bool
}

func newSilentServer(t *testing.T) *silentServer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &silentServer{ln: ln}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			s.mu.Lock()
			if s.refuse {
				c.Close()
			} else {
				s.conns = append(s.conns, c)
			}
			s.mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		s.mu.Lock()
		for _, c := range s.conns {
			c.Close()
		}
		s.mu.Unlock()
	})
	return s
}

func TestKubeContextInterruptsCall(t *testing.T) {
	s := newSilentServer(t)
	cfg, err := ParseKubeConfig([]byte(fmt.Sprintf(`apiVersion: v1
kind: Config
current-context: silent
clusters:
- name: silent
  cluster: {server: "https://%s", insecure-skip-tls-verify: true}
users:
- name: nobody
  user: {}
contexts:
- name: silent
  context: {cluster: silent, user: nobody}
`, s.ln.Addr())), "silent.yaml", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer cfg.Close()
	k, err := NewKubeClient(cfg, &KubeClientOptions{MaxRetries: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer k.Close()
	// A deadline ends the waiting call.
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err = k.Get(ctx, "v1", "ConfigMap", "", "x")
	if err != context.DeadlineExceeded || time.Since(start) > 300*time.Millisecond+interruptSlack {
		t.Fatalf("get with a deadline: %v after %s", err, time.Since(start))
	}
	// So does a cancel from another goroutine, for every kind of call.
	var out bytes.Buffer
	for name, call := range map[string]func(context.Context) error{
		"list": func(ctx context.Context) error { _, err := k.List(ctx, "v1", "ConfigMap", "", nil, nil); return err },
		"logs": func(ctx context.Context) error {
			return k.Logs(ctx, "", "p", &KubeLogOptions{Follow: true}, &out)
		},
		"rollout wait": func(ctx context.Context) error {
			_, err := k.RolloutWait(ctx, "apps/v1", "Deployment", "", "web", nil)
			return err
		},
	} {
		ctx, cancel := context.WithCancel(context.Background())
		go func() {
			time.Sleep(200 * time.Millisecond)
			cancel()
		}()
		start := time.Now()
		if err := call(ctx); err != context.Canceled || time.Since(start) > 200*time.Millisecond+interruptSlack {
			t.Fatalf("%s canceled: %v after %s", name, err, time.Since(start))
		}
	}
	// The cancellation ends with its call: the next one reaches the server.
	s.mu.Lock()
	s.refuse = true
	for _, c := range s.conns {
		c.Close()
	}
	s.conns = nil
	s.mu.Unlock()
	_, err = k.Get(context.Background(), "v1", "ConfigMap", "", "x")
	var e *Error
	if !errors.As(err, &e) || e.Code == ErrCodeCanceled || !strings.Contains(e.Message, "GET https://"+s.ln.Addr().String()+"/apis: ") {
		t.Fatalf("after a cancel: %#v", err)
	}
}

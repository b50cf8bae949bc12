package cicd

// Live tests of the kube client against the control plane of
// scripts/k8s-testenv (with-plane.sh exports CICD_K8S_SERVER, KUBECONFIG and
// CICD_K8S_KWOK_LOGS). They skip without a plane, unless CICD_REQUIRE_PLANE=1,
// where they fail. Namespaces are cicd-go-* (the Python suite uses
// cicd-py-* on the same plane); each run gets its own suffix, so a plane
// can be reused.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// uniqueSuffix makes a test's names unique on a reused plane (and with -count).
func uniqueSuffix() string { return strconv.FormatInt(time.Now().UnixNano()%(1<<40), 36) }

func requirePlane(t *testing.T) {
	t.Helper()
	if os.Getenv("CICD_K8S_SERVER") == "" {
		if os.Getenv("CICD_REQUIRE_PLANE") == "1" {
			t.Fatal("CICD_REQUIRE_PLANE=1 but CICD_K8S_SERVER is not set: run inside scripts/k8s-testenv/with-plane.sh")
		}
		t.Skip("no control plane: CICD_K8S_SERVER is not set")
	}
}

// liveClient is an admin client of the plane ($KUBECONFIG), closed at the end of the test.
func liveClient(t *testing.T) *KubeClient {
	t.Helper()
	requirePlane(t)
	cfg, err := LoadKubeConfig(&KubeConfigOptions{NoInCluster: true})
	if err != nil {
		t.Fatal(err)
	}
	defer cfg.Close()
	k, err := NewKubeClient(cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { k.Close() })
	return k
}

// applied applies a YAML stream as a set and returns "Kind ns/name action" lines.
func applied(t *testing.T, k *KubeClient, text string, o *KubeApplyOptions) ([]string, error) {
	t.Helper()
	d := loadYAML(t, text)
	var lines []string
	err := k.ApplySet(context.Background(), []*Document{d}, o, func(r ApplyResult) error {
		line := r.Kind + " " + r.Name + " " + r.Action.String()
		if r.Namespace != "" {
			line = r.Kind + " " + r.Namespace + "/" + r.Name + " " + r.Action.String()
		}
		lines = append(lines, line)
		return nil
	})
	return lines, err
}

func mustApply(t *testing.T, k *KubeClient, text string) []string {
	t.Helper()
	lines, err := applied(t, k, text, nil)
	if err != nil {
		t.Fatalf("apply: %v (%q)", err, lines)
	}
	return lines
}

// dropNamespace deletes a namespace at the end of the test, with a client
// of its own (the test may close its clients).
func dropNamespace(t *testing.T, ns string) {
	t.Cleanup(func() {
		cfg, err := LoadKubeConfig(&KubeConfigOptions{NoInCluster: true})
		if err != nil {
			t.Fatal(err)
		}
		defer cfg.Close()
		k, err := NewKubeClient(cfg, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer k.Close()
		if err := k.Delete(context.Background(), "v1", "Namespace", "", ns, nil); err != nil && !errors.Is(err, ErrNotFound) {
			t.Errorf("delete namespace %s: %v", ns, err)
		}
	})
}

// field reads a dotted path of an object's JSON.
func field(t *testing.T, obj json.RawMessage, path string) any {
	t.Helper()
	var v any
	if err := json.Unmarshal(obj, &v); err != nil {
		t.Fatalf("%s: %v", obj, err)
	}
	for _, key := range strings.Split(path, ".") {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[key]
	}
	return v
}

func TestKubeLiveResolve(t *testing.T) {
	t.Parallel()
	k := liveClient(t)
	ctx := context.Background()
	for _, c := range []struct {
		name, apiVersion, kind string
		namespaced             bool
	}{
		{"deploy", "apps/v1", "Deployment", true},
		{"deployments.apps", "apps/v1", "Deployment", true},
		{"ns", "v1", "Namespace", false},
		{"ConfigMap", "v1", "ConfigMap", true},
	} {
		av, kind, namespaced, err := k.Resolve(ctx, c.name)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		eq(t, c.name, []any{av, kind, namespaced}, []any{c.apiVersion, c.kind, c.namespaced})
	}
	_, _, _, err := k.Resolve(ctx, "gadgets")
	kubeErr(t, err, ErrNotFound, `the server doesn't have a resource type "gadgets"`, "", 0, 0)
}

func TestKubeLiveObjects(t *testing.T) {
	t.Parallel()
	k := liveClient(t)
	ctx := context.Background()
	liveRun := uniqueSuffix()
	ns := "cicd-go-objects-" + liveRun
	dropNamespace(t, ns)
	eq(t, "namespace", mustApply(t, k, "apiVersion: v1\nkind: Namespace\nmetadata: {name: "+ns+"}\n"),
		[]string{"Namespace " + ns + " created"})
	cm := func(mode string) *Node {
		return loadYAML(t, "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\n  namespace: "+ns+
			"\n  labels: {cicd.test/set: go-objects}\ndata: {mode: "+mode+"}\n").Root(0)
	}
	// apply: created, unchanged, configured, with the object as stored
	for _, c := range []struct {
		mode   string
		action ApplyAction
	}{{"fast", ApplyCreated}, {"fast", ApplyUnchanged}, {"slow", ApplyConfigured}} {
		action, obj, err := k.Apply(ctx, cm(c.mode), nil)
		if err != nil {
			t.Fatal(err)
		}
		eq(t, "apply "+c.mode, []any{action, field(t, obj, "data.mode"), field(t, obj, "metadata.namespace")},
			[]any{c.action, c.mode, ns})
	}
	// another field manager: a conflict naming the manager and field, unless forced
	_, _, err := k.Apply(ctx, cm("other"), &KubeApplyOptions{FieldManager: "go-test"})
	kubeErr(t, err, ErrConflict, "ConfigMap "+ns+"/settings: conflict: .data.mode is managed by \"cicd\"", "", 0, 0)
	action, _, err := k.Apply(ctx, cm("other"), &KubeApplyOptions{FieldManager: "go-test", Force: true})
	if err != nil || action != ApplyConfigured {
		t.Fatalf("forced apply: %v %v", action, err)
	}
	// a dry run stores nothing; Namespace fills in an object that names none
	ghost := loadYAML(t, "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ghost}\n").Root(0)
	action, obj, err := k.Apply(ctx, ghost, &KubeApplyOptions{DryRun: true, Namespace: ns})
	if err != nil || action != ApplyCreated || field(t, obj, "metadata.namespace") != ns {
		t.Fatalf("dry run: %v %s %v", action, obj, err)
	}
	_, err = k.Get(ctx, "v1", "ConfigMap", ns, "ghost")
	kubeErr(t, err, ErrNotFound, "ConfigMap "+ns+`/ghost: configmaps "ghost" not found`, "", 0, 0)

	// create, then create again
	made := []byte(`{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"made","namespace":"` + ns +
		`","labels":{"cicd.test/set":"go-objects"}},"data":{"k":"v"}}`)
	obj, err = k.Create(ctx, made)
	if err != nil {
		t.Fatal(err)
	}
	eq(t, "created", []any{field(t, obj, "metadata.name"), field(t, obj, "data.k")}, []any{"made", "v"})
	_, err = k.Create(ctx, made)
	kubeErr(t, err, ErrExists, "ConfigMap "+ns+`/made: configmaps "made" already exists`, "", 0, 0)
	_, err = k.Create(ctx, []byte(`{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"Bad_Name","namespace":"`+ns+`"}}`))
	if !errors.Is(err, ErrValidate) || !strings.Contains(err.Error(), `ConfigMap "Bad_Name" is invalid: metadata.name: Invalid value: "Bad_Name"`) {
		t.Fatalf("invalid name: %v", err)
	}

	// get
	got, err := k.Get(ctx, "v1", "ConfigMap", ns, "settings")
	if err != nil {
		t.Fatal(err)
	}
	eq(t, "get", []any{field(t, got, "kind"), field(t, got, "data.mode")}, []any{"ConfigMap", "other"})

	// list, one object per request
	var names []string
	rv, err := k.List(ctx, "v1", "ConfigMap", ns, &KubeListOptions{LabelSelector: "cicd.test/set=go-objects", PageSize: 1},
		func(item json.RawMessage) error {
			names = append(names, field(t, item, "metadata.name").(string))
			return nil
		})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(names)
	eq(t, "listed", names, []string{"made", "settings"})
	if _, err := strconv.ParseUint(rv, 10, 64); err != nil {
		t.Errorf("resourceVersion %q", rv)
	}
	names = nil
	if _, err = k.List(ctx, "v1", "ConfigMap", "", &KubeListOptions{AllNamespaces: true, FieldSelector: "metadata.name=made"},
		func(item json.RawMessage) error {
			names = append(names, field(t, item, "metadata.namespace").(string))
			return nil
		}); err != nil {
		t.Fatal(err)
	}
	eq(t, "across namespaces", names, []string{ns})
	stop := errors.New("enough")
	calls := 0
	_, err = k.List(ctx, "v1", "ConfigMap", ns, &KubeListOptions{PageSize: 1}, func(json.RawMessage) error { calls++; return stop })
	if err != stop || calls != 1 {
		t.Fatalf("stopped list: %v after %d", err, calls)
	}

	// delete: a dry run keeps the object; then it is gone, and a second delete is NotFound
	if err := k.Delete(ctx, "v1", "ConfigMap", ns, "made", &KubeDeleteOptions{DryRun: true}); err != nil {
		t.Fatal(err)
	}
	if _, err := k.Get(ctx, "v1", "ConfigMap", ns, "made"); err != nil {
		t.Fatalf("after a dry-run delete: %v", err)
	}
	zero := time.Duration(0)
	if err := k.Delete(ctx, "v1", "ConfigMap", ns, "made",
		&KubeDeleteOptions{Propagation: PropagationBackground, GracePeriod: &zero}); err != nil {
		t.Fatal(err)
	}
	_, err = k.Get(ctx, "v1", "ConfigMap", ns, "made")
	kubeErr(t, err, ErrNotFound, "ConfigMap "+ns+`/made: configmaps "made" not found`, "", 0, 0)
	err = k.Delete(ctx, "v1", "ConfigMap", ns, "made", nil)
	kubeErr(t, err, ErrNotFound, "ConfigMap "+ns+`/made: configmaps "made" not found`, "", 0, 0)

	// what came back is Go memory: still readable after the client is closed
	k.Close()
	runtime.GC()
	eq(t, "after close", field(t, got, "metadata.name"), "settings")
}

func crdYAML(group string) string {
	return "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\n" +
		"metadata: {name: gowidgets." + group + "}\n" +
		"spec:\n  group: " + group + "\n  scope: Namespaced\n" +
		"  names: {plural: gowidgets, singular: gowidget, kind: GoWidget}\n" +
		"  versions:\n  - name: v1\n    served: true\n    storage: true\n" +
		"    schema:\n      openAPIV3Schema:\n        type: object\n" +
		"        x-kubernetes-preserve-unknown-fields: true\n"
}

func TestKubeLiveApplySetWithCRD(t *testing.T) {
	t.Parallel()
	k := liveClient(t)
	ctx := context.Background()
	liveRun := uniqueSuffix()
	ns, group := "cicd-go-crd-"+liveRun, "r"+liveRun+".cicd-go.example"
	dropNamespace(t, ns)
	t.Cleanup(func() {
		k.Delete(context.Background(), "apiextensions.k8s.io/v1", "CustomResourceDefinition", "", "gowidgets."+group, nil)
	})
	// the custom resource comes first: the set still creates the Namespace and the CRD first
	stream := "apiVersion: " + group + "/v1\nkind: GoWidget\nmetadata: {name: w1, namespace: " + ns + "}\nspec: {size: 3}\n---\n" +
		"apiVersion: v1\nkind: Namespace\nmetadata: {name: " + ns + "}\n---\n" + crdYAML(group)
	var results []ApplyResult
	collect := func(r ApplyResult) error { results = append(results, r); return nil }
	if err := k.ApplySet(ctx, []*Document{loadYAML(t, stream)}, nil, collect); err != nil {
		t.Fatal(err)
	}
	want := []ApplyResult{
		{APIVersion: "v1", Kind: "Namespace", Name: ns, Action: ApplyCreated, File: "objects.yaml", Line: 6},
		{APIVersion: "apiextensions.k8s.io/v1", Kind: "CustomResourceDefinition", Name: "gowidgets." + group,
			Action: ApplyCreated, File: "objects.yaml", Line: 10},
		{APIVersion: group + "/v1", Kind: "GoWidget", Namespace: ns, Name: "w1", Action: ApplyCreated, File: "objects.yaml", Line: 1},
	}
	eq(t, "first set", results, want)
	got, err := k.Get(ctx, group+"/v1", "GoWidget", ns, "w1")
	if err != nil || field(t, got, "spec.size") != 3.0 {
		t.Fatalf("widget: %s %v", got, err)
	}
	av, kind, namespaced, err := k.Resolve(ctx, "gowidgets."+group)
	eq(t, "resolved", []any{av, kind, namespaced, err}, []any{group + "/v1", "GoWidget", true, nil})
	// again (without the Namespace, whose first re-apply the server may store): nothing changes
	results = nil
	again := strings.Replace(stream, "apiVersion: v1\nkind: Namespace\nmetadata: {name: "+ns+"}\n---\n", "", 1)
	if err := k.ApplySet(ctx, []*Document{loadYAML(t, again)}, nil, collect); err != nil {
		t.Fatal(err)
	}
	want = want[1:]
	want[0].Line, want[1].Line = 6, 1
	for i := range want {
		want[i].Action = ApplyUnchanged
	}
	eq(t, "second set", results, want)

	// a manifest set from a folder: positions are the file's, a kind nobody defined fails
	dir := t.TempDir()
	file := filepath.Join(dir, "app.yaml")
	if err := os.WriteFile(file, []byte("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: app, namespace: "+ns+"}\n---\n"+
		"apiVersion: "+group+"/v1\nkind: GoWidget\nmetadata: {name: w2, namespace: "+ns+"}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	set, err := LoadManifests(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer set.Close()
	results = nil
	if err := k.ApplyManifests(ctx, set, &KubeApplyOptions{FieldManager: "go-manifests"}, collect); err != nil {
		t.Fatal(err)
	}
	eq(t, "manifests", results, []ApplyResult{
		{APIVersion: "v1", Kind: "ConfigMap", Namespace: ns, Name: "app", Action: ApplyCreated, File: file, Line: 1},
		{APIVersion: group + "/v1", Kind: "GoWidget", Namespace: ns, Name: "w2", Action: ApplyCreated, File: file, Line: 5},
	})
	// a dry run of a custom resource whose CRD is only in the set fails, and says so per object
	results = nil
	other := "d" + group
	err = k.ApplySet(ctx, []*Document{loadYAML(t, crdYAML(other)+"---\napiVersion: "+other+"/v1\nkind: GoWidget\n"+
		"metadata: {name: w3, namespace: "+ns+"}\n")}, &KubeApplyOptions{DryRun: true}, collect)
	if !errors.Is(err, ErrNotFound) || len(results) != 2 || results[0].Err != nil || results[0].Action != ApplyCreated ||
		!errors.Is(results[1].Err, ErrNotFound) || results[1].Err.Error() != err.Error() || results[1].Action != 0 {
		t.Fatalf("dry run with a new CRD: %v %+v", err, results)
	}
}

// watchNext is the next event other than a BOOKMARK, as "TYPE name".
func watchNext(t *testing.T, w *KubeWatch) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	for {
		ev, err := w.Next(ctx)
		if err != nil {
			t.Fatalf("next: %v", err)
		}
		if ev.Type != KubeEventBookmark {
			return ev.Type.String() + " " + field(t, ev.Object, "metadata.name").(string)
		}
	}
}

// watchFrom starts a watch on a client that only the watch keeps.
func watchFrom(t *testing.T, ns string) *KubeWatch {
	t.Helper()
	k := liveClient(t)
	w, err := k.Watch(context.Background(), "v1", "ConfigMap", ns, &KubeWatchOptions{LabelSelector: "cicd.test/watch=yes"})
	if err != nil {
		t.Fatal(err)
	}
	return w
}

func TestKubeLiveWatch(t *testing.T) {
	t.Parallel()
	k := liveClient(t)
	ctx := context.Background()
	liveRun := uniqueSuffix()
	ns := "cicd-go-watch-" + liveRun
	dropNamespace(t, ns)
	cm := func(name, value string) string {
		return "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: " + name + ", namespace: " + ns +
			", labels: {cicd.test/watch: 'yes'}}\ndata: {v: '" + value + "'}\n"
	}
	mustApply(t, k, "apiVersion: v1\nkind: Namespace\nmetadata: {name: "+ns+"}\n---\n"+cm("before", "1"))

	// the watch's client is reachable only through it
	w := watchFrom(t, ns)
	for i := 0; i < 3; i++ {
		runtime.GC()
		time.Sleep(20 * time.Millisecond) // finalizers run on their own goroutine
	}
	eq(t, "sync", watchNext(t, w), "SYNC before")
	mustApply(t, k, cm("after", "1"))
	eq(t, "added", watchNext(t, w), "ADDED after")
	mustApply(t, k, cm("after", "2"))
	eq(t, "modified", watchNext(t, w), "MODIFIED after")
	if err := k.Delete(ctx, "v1", "ConfigMap", ns, "after", nil); err != nil {
		t.Fatal(err)
	}
	eq(t, "deleted", watchNext(t, w), "DELETED after")
	rv := w.ResourceVersion()
	if _, err := strconv.ParseUint(rv, 10, 64); err != nil || w.Relists() != 0 {
		t.Fatalf("resourceVersion %q, relists %d", rv, w.Relists())
	}

	// a watch from a resourceVersion sees only what came after it
	w2, err := k.Watch(ctx, "v1", "ConfigMap", ns, &KubeWatchOptions{ResourceVersion: rv, LabelSelector: "cicd.test/watch=yes",
		NoBookmarks: true, ServerTimeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	// while it waits in another goroutine, the client serves other calls
	type result struct {
		ev  KubeEvent
		err error
		at  time.Duration
	}
	waitCtx, cancel := context.WithCancel(ctx)
	done := make(chan result, 1)
	start := time.Now()
	go func() {
		ev, err := w2.Next(waitCtx)
		done <- result{ev, err, time.Since(start)}
	}()
	time.Sleep(300 * time.Millisecond)
	if _, err := k.Get(ctx, "v1", "ConfigMap", ns, "before"); err != nil || time.Since(start) > 300*time.Millisecond+interruptSlack {
		t.Fatalf("get during a watch: %v after %s", err, time.Since(start))
	}
	cancel()
	r := <-done
	if r.err != context.Canceled || r.at > 300*time.Millisecond+interruptSlack {
		t.Fatalf("canceled next: %v %v after %s", r.ev, r.err, r.at)
	}
	// it stays usable after a canceled wait
	mustApply(t, k, cm("later", "1"))
	eq(t, "from rv", watchNext(t, w2), "ADDED later")
	short, cancelShort := context.WithTimeout(ctx, 300*time.Millisecond)
	defer cancelShort()
	if _, err := w2.Next(short); err != context.DeadlineExceeded {
		t.Fatalf("next with a deadline: %v", err)
	}
	w2.Close()
	w2.Close()
	eq(t, "rv after close", w2.ResourceVersion() != "", true)
	mustPanic(t, "next after close", "cicd: use of a closed KubeWatch", func() { w2.Next(ctx) })

	// a Close from another goroutine ends a waiting Next
	w4, err := k.Watch(ctx, "v1", "ConfigMap", ns, &KubeWatchOptions{FieldSelector: "metadata.name=nothing-here"})
	if err != nil {
		t.Fatal(err)
	}
	time.AfterFunc(300*time.Millisecond, func() { w4.Close() })
	start = time.Now()
	_, err = w4.Next(ctx)
	kubeErr(t, err, ErrCanceled, "cicd: the KubeWatch was closed while Next waited", "", 0, 0)
	if time.Since(start) > 300*time.Millisecond+interruptSlack {
		t.Fatalf("next after a close: %s", time.Since(start))
	}

	// closing the client closes its watches
	w3, err := k.Watch(ctx, "v1", "ConfigMap", ns, nil)
	if err != nil {
		t.Fatal(err)
	}
	k.Close()
	mustPanic(t, "next after the client's close", "cicd: use of a KubeWatch whose KubeClient was closed", func() { w3.Next(ctx) })
	if err := w3.Close(); err != nil {
		t.Fatal(err)
	}
	w.Close()
}

// kwokLog writes the container log kwok serves for pods of namespace cicd-go-logs.
func kwokLog(t *testing.T, name, text string, appendTo bool) {
	t.Helper()
	dir := os.Getenv("CICD_K8S_KWOK_LOGS")
	if dir == "" {
		t.Fatal("CICD_K8S_KWOK_LOGS is not set")
	}
	flags := os.O_CREATE | os.O_WRONLY | os.O_TRUNC
	if appendTo {
		flags = os.O_CREATE | os.O_WRONLY | os.O_APPEND
	}
	f, err := os.OpenFile(filepath.Join(dir, name), flags, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteString(text); err != nil {
		t.Fatal(err)
	}
}

// stopAt is a writer that fails with errStopAt once it has seen mark.
type stopAt struct {
	mu   sync.Mutex
	buf  bytes.Buffer
	mark string
}

var errStopAt = errors.New("seen the mark")

func (s *stopAt) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.buf.Write(p)
	if s.mark != "" && strings.Contains(s.buf.String(), s.mark) {
		return len(p), errStopAt
	}
	return len(p), nil
}

func (s *stopAt) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.buf.String()
}

type failingWriter struct{ short bool }

var errDiskFull = errors.New("disk full")

func (f failingWriter) Write(p []byte) (int, error) {
	if f.short {
		return len(p) / 2, nil
	}
	return 0, errDiskFull
}

func TestKubeLiveLogs(t *testing.T) {
	t.Parallel()
	k := liveClient(t)
	ctx := context.Background()
	const ns = "cicd-go-logs"
	liveRun := uniqueSuffix()
	pod := "talker-" + liveRun
	kwokLog(t, "go.log", "2026-01-01T00:00:01.000000000Z stdout F line one\n"+
		"2026-01-01T00:00:02.000000000Z stderr F line two\n2026-01-01T00:00:03.000000000Z stdout F line three\n", false)
	t.Cleanup(func() { k.Delete(context.Background(), "v1", "Pod", ns, pod, nil) })
	mustApply(t, k, "apiVersion: v1\nkind: Namespace\nmetadata: {name: "+ns+"}\n---\n"+
		"apiVersion: v1\nkind: Pod\nmetadata: {name: "+pod+", namespace: "+ns+"}\n"+
		"spec: {containers: [{name: app, image: busybox}, {name: side, image: busybox}]}\n")
	if _, err := k.RolloutWait(ctx, "v1", "Pod", ns, pod, &KubeRolloutOptions{Timeout: time.Minute}); err != nil {
		t.Fatal(err)
	}
	logs := func(o *KubeLogOptions) string {
		t.Helper()
		var out bytes.Buffer
		if err := k.Logs(ctx, ns, pod, o, &out); err != nil {
			t.Fatal(err)
		}
		return out.String()
	}
	eq(t, "all", logs(&KubeLogOptions{Container: "app"}), "line one\nline two\nline three\n")
	eq(t, "tail", logs(&KubeLogOptions{Container: "app", TailLines: 1, Timestamps: true}),
		"2026-01-01T00:00:03.000000000Z line three\n")
	eq(t, "since", logs(&KubeLogOptions{Container: "app", Since: time.Minute}), "")
	eq(t, "limit", logs(&KubeLogOptions{Container: "app", LimitBytes: 12}), "line one\nlin")

	// follow: a line written after the stream started arrives; the writer's error stops it
	w := &stopAt{mark: "appended while following\n"}
	go func() {
		time.Sleep(700 * time.Millisecond)
		kwokLog(t, "go.log", "2026-01-01T00:00:04.000000000Z stdout F appended while following\n", true)
	}()
	if err := k.Logs(ctx, ns, pod, &KubeLogOptions{Container: "app", Follow: true}, w); err != errStopAt {
		t.Fatalf("follow: %v", err)
	}
	eq(t, "followed", w.String(), "line one\nline two\nline three\nappended while following\n")
	// a follow ends with its context
	w = &stopAt{}
	followCtx, cancel := context.WithCancel(ctx)
	time.AfterFunc(500*time.Millisecond, cancel)
	start := time.Now()
	err := k.Logs(followCtx, ns, pod, &KubeLogOptions{Container: "app", Follow: true}, w)
	if err != context.Canceled || time.Since(start) > 500*time.Millisecond+interruptSlack {
		t.Fatalf("canceled follow: %v after %s", err, time.Since(start))
	}
	eq(t, "before the cancel", w.String(), "line one\nline two\nline three\nappended while following\n")
	// write errors stop the stream and come back as they are
	if err := k.Logs(ctx, ns, pod, &KubeLogOptions{Container: "app"}, failingWriter{}); err != errDiskFull {
		t.Fatalf("failing writer: %v", err)
	}
	if err := k.Logs(ctx, ns, pod, &KubeLogOptions{Container: "app"}, failingWriter{short: true}); err != io.ErrShortWrite {
		t.Fatalf("short writer: %v", err)
	}
	// the server's refusals
	err = k.Logs(ctx, ns, pod, &KubeLogOptions{Container: "nope"}, io.Discard)
	kubeErr(t, err, ErrValidate, fmt.Sprintf("logs of pod %s/%s: container nope is not valid for pod %s", ns, pod, pod), "", 0, 0)
	err = k.Logs(ctx, ns, pod, nil, io.Discard)
	if !errors.Is(err, ErrValidate) || !strings.Contains(err.Error(), "a container name must be specified for pod "+pod) {
		t.Fatalf("no container: %v", err)
	}
	err = k.Logs(ctx, ns, "missing-"+liveRun, nil, io.Discard)
	if !errors.Is(err, ErrNotFound) {
		t.Fatalf("missing pod: %v", err)
	}
}

const goDeployment = `apiVersion: apps/v1
kind: Deployment
metadata: {name: %[1]s, namespace: %[2]s}
spec:
  replicas: %[3]d
  selector: {matchLabels: {app: %[1]s}}
  template:
    metadata: {labels: {app: %[1]s}}
    spec:
      containers:
      - {name: app, image: '%[4]s'}
`

func TestKubeLiveRollout(t *testing.T) {
	t.Parallel()
	k := liveClient(t)
	ctx := context.Background()
	liveRun := uniqueSuffix()
	ns := "cicd-go-rollout-" + liveRun
	dropNamespace(t, ns)
	mustApply(t, k, "apiVersion: v1\nkind: Namespace\nmetadata: {name: "+ns+"}\n---\n"+
		fmt.Sprintf(goDeployment, "ok", ns, 2, "nginx:1.25")+"---\n"+
		fmt.Sprintf(goDeployment, "badimage", ns, 1, "registry.example/doesnotexist:1.0")+"---\n"+
		fmt.Sprintf(goDeployment, "stuck", ns, 1, "registry.example/doesnotexist:2.0"))

	var progress []string
	msg, err := k.RolloutWait(ctx, "apps/v1", "Deployment", ns, "ok", &KubeRolloutOptions{Timeout: time.Minute,
		Progress: func(m string) { progress = append(progress, m) }})
	if err != nil {
		t.Fatal(err)
	}
	eq(t, "done", msg, `deployment "ok" successfully rolled out`)
	if len(progress) == 0 {
		t.Fatal("no progress message")
	}
	for _, p := range progress {
		if !strings.HasPrefix(p, "Waiting for deployment ") && p != msg {
			t.Errorf("progress %q", p)
		}
	}

	msg, err = k.RolloutWait(ctx, "apps/v1", "Deployment", ns, "badimage", &KubeRolloutOptions{Timeout: time.Minute})
	var e *Error
	if !errors.As(err, &e) || e.Code != ErrCodeGeneric ||
		!strings.HasPrefix(e.Message, "Deployment "+ns+"/badimage cannot roll out: ImagePullBackOff: pod ") ||
		!strings.Contains(e.Message, `cannot pull image "registry.example/doesnotexist:1.0"`) || msg == "" {
		t.Fatalf("bad image: %q %v", msg, err)
	}

	// KeepWaiting: the deadline decides, and the message says what was awaited
	msg, err = k.RolloutWait(ctx, "apps/v1", "Deployment", ns, "stuck", &KubeRolloutOptions{Timeout: 2 * time.Second, KeepWaiting: true})
	if !errors.As(err, &e) || e.Code != ErrCodeTimeout ||
		!strings.HasPrefix(e.Message, "Deployment "+ns+"/stuck did not roll out within 2000 ms: Waiting for deployment \"stuck\" rollout to finish") {
		t.Fatalf("deadline: %q %v", msg, err)
	}
	// a cancel from another goroutine ends the wait
	waitCtx, cancel := context.WithCancel(ctx)
	time.AfterFunc(500*time.Millisecond, cancel)
	start := time.Now()
	_, err = k.RolloutWait(waitCtx, "apps/v1", "Deployment", ns, "stuck", &KubeRolloutOptions{Timeout: time.Minute, KeepWaiting: true})
	if err != context.Canceled || time.Since(start) > 500*time.Millisecond+interruptSlack {
		t.Fatalf("canceled wait: %v after %s", err, time.Since(start))
	}
	// and the client goes on working
	if _, err := k.Get(ctx, "apps/v1", "Deployment", ns, "ok"); err != nil {
		t.Fatal(err)
	}
}

// One client shared by goroutines: the calls are serialised, each sees its own results and errors.
func TestKubeLiveSharedClient(t *testing.T) {
	t.Parallel()
	k := liveClient(t)
	ctx := context.Background()
	ns := "cicd-go-shared-" + uniqueSuffix()
	dropNamespace(t, ns)
	mustApply(t, k, "apiVersion: v1\nkind: Namespace\nmetadata: {name: "+ns+"}\n")
	w, err := k.Watch(ctx, "v1", "ConfigMap", ns, &KubeWatchOptions{LabelSelector: "cicd.test/shared=yes"})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	const workers, rounds = 6, 5
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for i := 0; i < workers; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			name := fmt.Sprintf("shared-%d", i)
			for r := 0; r < rounds; r++ {
				doc, err := Load([]byte(fmt.Sprintf("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: %s, namespace: %s, "+
					"labels: {cicd.test/shared: 'yes'}}\ndata: {round: '%d'}\n", name, ns, r)), name+".yaml", nil)
				if err != nil {
					errs <- err
					return
				}
				action, _, err := k.Apply(ctx, doc.Root(0), nil)
				doc.Close()
				want := ApplyConfigured
				if r == 0 {
					want = ApplyCreated
				}
				if err != nil || action != want {
					errs <- fmt.Errorf("%s round %d: %v %v", name, r, action, err)
					return
				}
				obj, err := k.Get(ctx, "v1", "ConfigMap", ns, name)
				var cm struct{ Data map[string]string }
				if err == nil {
					err = json.Unmarshal(obj, &cm)
				}
				if err != nil || cm.Data["round"] != strconv.Itoa(r) {
					errs <- fmt.Errorf("%s round %d: get %s %v", name, r, obj, err)
					return
				}
				if _, err := k.Get(ctx, "v1", "ConfigMap", ns, name+"-missing"); !errors.Is(err, ErrNotFound) ||
					!strings.Contains(err.Error(), name+"-missing") {
					errs <- fmt.Errorf("%s round %d: missing: %v", name, r, err)
					return
				}
			}
		}(i)
	}
	// the watch sees every object being created while the workers run
	seen := map[string]bool{}
	for len(seen) < workers {
		ev := watchNext(t, w)
		if strings.HasPrefix(ev, "ADDED ") || strings.HasPrefix(ev, "SYNC ") {
			seen[strings.Fields(ev)[1]] = true
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	n := 0
	if _, err := k.List(ctx, "v1", "ConfigMap", ns, &KubeListOptions{LabelSelector: "cicd.test/shared=yes", PageSize: 2},
		func(json.RawMessage) error { n++; return nil }); err != nil || n != workers {
		t.Fatalf("listed %d: %v", n, err)
	}
}

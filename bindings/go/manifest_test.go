package cicd

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const frontend = "registry.example.com/web/frontend"

func webSet(t *testing.T, version string) *ManifestSet {
	t.Helper()
	s, err := LoadManifests(filepath.Join("..", "..", "examples", "deploy", "web", version), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func kinds(s *ManifestSet) string {
	var out []string
	for _, m := range s.Objects() {
		out = append(out, m.Kind())
	}
	return strings.Join(out, " ")
}

func mustText(t *testing.T) func(string, error) string {
	return func(s string, err error) string {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
}

func TestManifestAccessors(t *testing.T) {
	s := webSet(t, "v2")
	text := mustText(t)
	eq(t, "len", s.Len(), 7)
	hpa := s.At(5)
	file, doc, line := hpa.Position()
	eq(t, "hpa", []any{hpa.APIVersion(), hpa.Group(), hpa.Version(), hpa.Kind(), hpa.Name(), hpa.GenerateName(), hpa.Namespace(),
		filepath.Base(file), doc, line, hpa.Scope()},
		[]any{"autoscaling/v2", "autoscaling", "v2", "HorizontalPodAutoscaler", "web", "", "web", "20-app.yaml", 3, 72, "namespaced"})
	eq(t, "namespace scope", s.At(0).Scope(), "cluster")
	if s.At(7) != nil || s.At(-1) != nil {
		t.Fatal("At out of range")
	}
	d, err := s.Find("apps", "Deployment", "web", "web")
	if err != nil {
		t.Fatal(err)
	}
	if v, ok := d.Label("app.kubernetes.io/version"); !ok || v != "1.1.0" {
		t.Fatalf("label %q %v", v, ok)
	}
	if _, ok := d.Label("nope"); ok {
		t.Fatal("absent label")
	}
	if _, ok := d.Annotation("x"); ok || d.Annotations() != nil {
		t.Fatal("annotations")
	}
	eq(t, "labels", nodeJSON(t, d.Labels()), `{"app.kubernetes.io/name":"web","app.kubernetes.io/version":"1.1.0"}`)
	img, _ := d.Node().Get("spec").Get("template").Get("spec").Get("containers").Item(0).Get("image").Text()
	eq(t, "image", img, frontend+":1.1.0")
	h := text(d.Hash())
	var canon map[string]any
	if len(h) != 64 || json.Unmarshal([]byte(text(d.Canonical())), &canon) != nil || canon["kind"] != "Deployment" {
		t.Fatalf("hash %q canonical %v", h, canon)
	}
	if r := text(d.Render(ManifestYAML, false, false)); !strings.HasPrefix(r, "apiVersion: apps/v1\nkind: Deployment\n") {
		t.Fatalf("render %q", r)
	}
	if r := text(d.Render(ManifestJSON, true, true)); !strings.HasPrefix(r, "{\n  \"apiVersion\"") {
		t.Fatalf("json %q", r)
	}
	_, err = s.Find("apps", "Deployment", "", "nope")
	var e *Error
	if !errors.As(err, &e) || !errors.Is(err, ErrNotFound) || e.Message != "no Deployment nope in the set" {
		t.Fatalf("find: %v", err)
	}
}

func TestManifestValidateSortHashTransforms(t *testing.T) {
	s := webSet(t, "v2")
	text := mustText(t)
	if w, err := s.Validate(nil); err != nil || len(w) != 0 {
		t.Fatalf("validate %v %v", w, err)
	}
	before := text(s.Hash())
	if err := s.Sort(OrderApply); err != nil {
		t.Fatal(err)
	}
	eq(t, "apply", kinds(s), "Namespace Secret Service Service Deployment HorizontalPodAutoscaler Ingress")
	s.Sort(OrderDelete)
	eq(t, "delete", kinds(s), "Ingress HorizontalPodAutoscaler Deployment Service Service Secret Namespace")
	s.Sort(OrderSource)
	eq(t, "hash is order-free", text(s.Hash()), before)
	if r := text(s.Render(ManifestYAML, false, false)); strings.Count(r, "\n---\n") != 6 {
		t.Fatalf("render %q", r)
	}
	d, _ := s.Find("apps", "Deployment", "web", "web")
	oldTree := d.Node()
	if n, err := s.SetImage(frontend, "", "2.0.1", ""); err != nil || n != 1 {
		t.Fatalf("image %d %v", n, err)
	}
	if n, _ := s.SetImage("nope", "x", "", ""); n != 0 {
		t.Fatal("no such image")
	}
	if n, _ := s.SetImage(frontend, "mirror/web", "", "sha256:"+strings.Repeat("a", 64)); n != 1 {
		t.Fatal("digest")
	}
	if err := s.SetLabel("team", "platform", true); err != nil {
		t.Fatal(err)
	}
	s.SetAnnotation("owner", "ci", false)
	if err := s.SetNamespace("staging"); err != nil {
		t.Fatal(err)
	}
	img, _ := d.Node().Get("spec").Get("template").Get("spec").Get("containers").Item(0).Get("image").Text()
	old, _ := oldTree.Get("spec").Get("template").Get("spec").Get("containers").Item(0).Get("image").Text()
	team, _ := d.Label("team")
	owner, _ := d.Annotation("owner")
	tmpl, _ := d.Node().Get("spec").Get("template").Get("metadata").Get("labels").Get("team").Text()
	eq(t, "after", []string{img, old, team, owner, d.Namespace(), tmpl},
		[]string{"mirror/web@sha256:" + strings.Repeat("a", 64), frontend + ":1.1.0", "platform", "ci", "staging", "platform"})
	var e *Error
	if err := s.SetNamespace("Bad_NS"); !errors.As(err, &e) || !strings.HasPrefix(e.Message, `namespace "Bad_NS": a lowercase RFC 1123 label`) {
		t.Fatalf("bad ns: %v", err)
	}
}

func TestManifestDiff(t *testing.T) {
	old, newer := webSet(t, "v1"), webSet(t, "v2")
	d, err := old.Diff(newer)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	var added, removed, dep, secret *DiffEntry
	for i := range d.Entries {
		e := &d.Entries[i]
		switch {
		case e.Change == Added && e.New.Name() == "web-metrics":
			added = e
		case e.Change == Removed && e.Old.Kind() == "ConfigMap":
			removed = e
		case e.Change == Changed && e.New.Kind() == "Deployment":
			dep = e
		case e.Change == Changed && e.New.Kind() == "Secret":
			secret = e
		}
	}
	if added == nil || removed == nil || dep == nil || secret == nil || added.Old != nil || removed.New != nil || len(added.Fields) != 0 {
		t.Fatalf("entries %+v", d.Entries)
	}
	found := false
	for _, f := range dep.Fields {
		if f == (FieldChange{`metadata.labels["app.kubernetes.io/version"]`, `"1.0.0"`, `"1.1.0"`, false, Changed}) {
			found = true
		}
	}
	if !found {
		t.Fatalf("deployment fields %+v", dep.Fields)
	}
	for _, f := range secret.Fields {
		if f.Hidden && (f.Old != "" || f.New != "") {
			t.Fatalf("secret value leaked: %+v", f)
		}
	}
	eq(t, "change names", []string{Added.String(), Removed.String(), Changed.String()}, []string{"added", "removed", "changed"})
	txt := mustText(t)(d.Render(false))
	var doc map[string]any
	if !strings.Contains(txt, "DATABASE_PASSWORD") || json.Unmarshal([]byte(mustText(t)(d.Render(true))), &doc) != nil || doc["added"] == nil {
		t.Fatalf("render %q", txt)
	}
}

func TestManifestErrors(t *testing.T) {
	s, _ := NewManifestSet()
	defer s.Close()
	err := s.Add([]byte("a: [1\n"), "bad.yaml", nil)
	var e *Error
	if !errors.As(err, &e) || e.Code != ErrCodeParse || e.File != "bad.yaml" || e.Line != 2 || e.Column != 1 || s.Len() != 0 {
		t.Fatalf("parse: %v", err)
	}
	if err := s.Add([]byte("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n---\n- 1\n"), "two.yaml", nil); err != nil {
		t.Fatal(err)
	}
	if err := s.Add([]byte(`{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "j"}}`), "j", &ManifestOptions{Format: ManifestJSON}); err != nil {
		t.Fatal(err)
	}
	_, err = s.Validate(&ValidateOptions{MaxDiagnostics: 10})
	if !errors.As(err, &e) || e.Message != "document is not a mapping" || e.Line != 5 || len(e.Diagnostics) != 1 || e.Diagnostics[0].Line != 5 {
		t.Fatalf("validate: %v", err)
	}
	if _, err := LoadManifests("/nonexistent", nil); !errors.As(err, &e) || !errors.Is(err, ErrIO) || e.Message != "no such file or directory" {
		t.Fatalf("io: %v", err)
	}
	lim, _ := NewManifestSet()
	defer lim.Close()
	if err := lim.Add([]byte("a: 1\n---\nb: 2\n---\nc: 3\n"), "", &ManifestOptions{MaxObjects: 2}); !errors.Is(err, ErrLimit) {
		t.Fatalf("limit: %v", err)
	}
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "a", "b"), 0o755)
	os.WriteFile(filepath.Join(dir, "a", "b", "cm.yaml"), []byte("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: deep}\n"), 0o644)
	flat, _ := LoadManifests(dir, nil)
	deep, _ := LoadManifests(dir, &ManifestOptions{Recursive: true})
	eq(t, "walks", []int{flat.Len(), deep.Len()}, []int{0, 1})
	flat.Close()
	deep.Close()
}

func TestManifestOwnership(t *testing.T) {
	old, _ := LoadManifests(filepath.Join("..", "..", "examples", "deploy", "web", "v1"), nil)
	newer := webSet(t, "v2")
	d, _ := old.Diff(newer)
	entry := d.Entries[0]
	m := old.At(0)
	d.Close()
	d.Close()
	old.Close()
	old.Close()
	eq(t, "copied entry", entry.Change == Changed || entry.Change == Added || entry.Change == Removed, true)
	for name, use := range map[string]func(){
		"Manifest.Kind": func() { m.Kind() },
		"Set.Len":       func() { old.Len() },
		"Set.Hash":      func() { old.Hash() },
		"Diff.Render":   func() { d.Render(false) },
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

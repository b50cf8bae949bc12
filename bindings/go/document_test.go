package cicd

import (
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
)

func mustLoad(t *testing.T, text string) *Document {
	t.Helper()
	d, err := Load([]byte(text), "ci.yml", nil)
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	t.Cleanup(func() { d.Close() })
	return d
}

func TestVersion(t *testing.T) {
	if v := Version(); len(strings.Split(v, ".")) != 3 {
		t.Fatalf("version %q", v)
	}
}

func TestLoadAndWalk(t *testing.T) {
	d := mustLoad(t, "stages: [build, test]\njob:\n  script: make\n")
	if d.Len() != 1 || d.Name() != "ci.yml" {
		t.Fatalf("len %d name %q", d.Len(), d.Name())
	}
	root := d.Root(0)
	if root.Kind() != Mapping {
		t.Fatalf("kind %v", root.Kind())
	}
	keys, _ := root.Pairs()
	if len(keys) != 2 {
		t.Fatalf("keys %d", len(keys))
	}
	if k, _ := keys[1].Text(); k != "job" {
		t.Fatalf("key %q", k)
	}
	if s, ok := root.Get("job").Get("script").Text(); !ok || s != "make" {
		t.Fatalf("script %q %v", s, ok)
	}
	if s, _ := root.Get("stages").Item(1).Text(); s != "test" {
		t.Fatalf("stage %q", s)
	}
	if root.Get("nope") != nil || root.Get("stages").Item(9) != nil || d.Root(5) != nil {
		t.Fatal("missing lookups must be nil")
	}
	file, line, col := root.Get("job").Position()
	if file != "ci.yml" || line != 3 || col != 3 {
		t.Fatalf("position %s:%d:%d", file, line, col)
	}
}

func TestParseErrorHasPositionAndCode(t *testing.T) {
	_, err := Load([]byte("a:\n  b: 1\n c: 2\n"), "bad.yml", nil)
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("want *Error, got %T %v", err, err)
	}
	if e.Code != ErrCodeParse || e.File != "bad.yml" || e.Line != 3 || e.Column != 2 {
		t.Fatalf("error %+v", e)
	}
	if !errors.Is(err, ErrParse) || errors.Is(err, ErrLimit) {
		t.Fatal("errors.Is by code")
	}
	if !strings.HasPrefix(err.Error(), "bad.yml:3:2: did not find expected key") {
		t.Fatalf("message %q", err.Error())
	}
	if e.Code.Name() != "CICD_EPARSE" {
		t.Fatalf("name %q", e.Code.Name())
	}
}

func TestLimitsAndStrictKeys(t *testing.T) {
	_, err := Load([]byte("a: &a [x, x, x]\nb: [*a, *a, *a, *a, *a]\n"), "b.yml", &LoadOptions{MaxAliasExpansion: 5})
	if !errors.Is(err, ErrLimit) {
		t.Fatalf("want limit, got %v", err)
	}
	d := mustLoad(t, "a: 1\na: 2\n")
	w := d.Warnings()
	if len(w) != 1 || !w[0].Warning || w[0].Line != 2 {
		t.Fatalf("warnings %+v", w)
	}
	if _, err := Load([]byte("a: 1\na: 2\n"), "", &LoadOptions{StrictKeys: true}); !errors.Is(err, ErrParse) {
		t.Fatalf("strict: %v", err)
	}
}

func TestMissingFile(t *testing.T) {
	_, err := LoadFile("/nonexistent/x.yml", nil)
	if !errors.Is(err, ErrIO) || !strings.Contains(err.Error(), "no such file or directory") {
		t.Fatalf("err %v", err)
	}
}

func TestJSONAndDecode(t *testing.T) {
	d, err := LoadJSON([]byte(`{"a": [1, "yes", true, null], "b": {"c": 1.5}}`), "in.json", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	s, err := d.Root(0).JSON(true)
	if err != nil || s != `{"a":[1,"yes",true,null],"b":{"c":1.5}}` {
		t.Fatalf("json %q %v", s, err)
	}
	var v struct {
		A []any              `json:"a"`
		B map[string]float64 `json:"b"`
	}
	if err := d.Root(0).Decode(&v); err != nil || v.B["c"] != 1.5 || v.A[1] != "yes" {
		t.Fatalf("decode %+v %v", v, err)
	}
}

func TestEmbeddedNulAndUnicode(t *testing.T) {
	d := mustLoad(t, "a: \"caf\u00e9\\0x\"\n")
	if s, _ := d.Root(0).Get("a").Text(); s != "caf\u00e9\x00x" {
		t.Fatalf("text %q", s)
	}
}

func TestExamplePipelineFile(t *testing.T) {
	path := filepath.Join("..", "..", "examples", "pipeline", ".gitlab-ci.yml")
	if _, err := os.Stat(path); err != nil {
		t.Skip("example not found")
	}
	d, err := LoadFile(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if s, _ := d.Root(0).Get("lint").Get("stage").Text(); s != "static-check" {
		t.Fatalf("stage %q", s)
	}
}

func TestCloseIsIdempotentAndUseAfterClosePanics(t *testing.T) {
	d, _ := Load([]byte("a: 1\n"), "", nil)
	n := d.Root(0)
	d.Close()
	d.Close()
	defer func() {
		if recover() == nil {
			t.Fatal("want panic on use after Close")
		}
	}()
	n.Kind()
}

func TestConcurrentLoadsHaveTheirOwnErrors(t *testing.T) {
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; i < 200; i++ {
				if g%2 == 0 {
					_, err := Load([]byte("a: [1\n"), "bad.yml", nil)
					var e *Error
					if !errors.As(err, &e) || e.Line != 2 || e.File != "bad.yml" {
						t.Errorf("goroutine %d: %v", g, err)
						return
					}
				} else {
					d, err := Load([]byte("k: v\n"), "ok.yml", nil)
					if err != nil {
						t.Errorf("goroutine %d: %v", g, err)
						return
					}
					d.Close()
				}
				runtime.Gosched()
			}
		}(g)
	}
	wg.Wait()
}

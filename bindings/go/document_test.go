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
	if n := root.Get("stages").Len(); n != 2 {
		t.Fatalf("stages len %d", n)
	}
	if n := root.Len(); n != 2 {
		t.Fatalf("root pairs %d", n)
	}
	tagged := mustLoad(t, "a: !reference [.x, script]\nb: plain\n").Root(0)
	if tag, plain := tagged.Get("a").Tag(), tagged.Get("b").Tag(); tag != "!reference" || plain != "" {
		t.Fatalf("tags %q %q", tag, plain)
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
	if e.Code.Name() != "CICD_EPARSE" || e.Code.String() == "" || e.Code.String() == e.Code.Name() {
		t.Fatalf("name %q, description %q", e.Code.Name(), e.Code.String())
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

func TestDocumentLinesStylesAndValueTypes(t *testing.T) {
	d := mustLoad(t, "a: 1\n---\nplain: x\nsingle: 'x'\ndouble: \"x\"\nliteral: |\n  x\nfolded: >\n  x\n"+
		"null: ~\nbool: yes\nint: 0x1F\nfloat: 1.5\nstring: \"1\"\nlist: [1]\n")
	eq(t, "lines", []int{d.Line(0), d.Line(1), d.Line(2), d.Line(-1)}, []int{1, 2, 0, 0})
	root := d.Root(1)
	var styles, types []string
	for _, k := range []string{"plain", "single", "double", "literal", "folded", "list"} {
		styles = append(styles, root.Get(k).Style().String())
	}
	for _, k := range []string{"null", "bool", "int", "float", "string", "plain", "list"} {
		types = append(types, root.Get(k).ValueType().String())
	}
	eq(t, "styles", styles, []string{"plain", "single-quoted", "double-quoted", "literal", "folded", "none"})
	eq(t, "value types", types, []string{"null", "bool", "int", "float", "string", "string", "none"})
	eq(t, "typed", []any{root.Get("list").Style(), root.Get("list").ValueType(), root.Get("bool").ValueType()},
		[]any{NotScalar, NoValue, ValueBool})
	eq(t, "unknown", []string{ScalarStyle(9).String(), ValueType(9).String(), Kind(9).String(), Mapping.String()},
		[]string{"ScalarStyle(9)", "ValueType(9)", "Kind(9)", "mapping"})

	j, err := LoadJSON([]byte(`{"s": "1", "n": 1}`), "x.json", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	jr := j.Root(0)
	eq(t, "json", []any{jr.Get("s").Style(), jr.Get("s").ValueType(), jr.Get("n").Style(), jr.Get("n").ValueType()},
		[]any{StyleDoubleQuoted, ValueString, StylePlain, ValueInt})
}

func TestNodeYAML(t *testing.T) {
	d := mustLoad(t, "base: &b {image: alpine, tags: [a]}\njob:\n  <<: *b\n  z: 'true'\n  script: |\n    make\n    make test\n  a: !reference [x, y]\n")
	y, err := d.Root(0).Get("job").YAML(false)
	if err != nil {
		t.Fatal(err)
	}
	// merge keys applied and the alias written out; a string that reads as a bool stays quoted
	eq(t, "yaml", y, "image: alpine\ntags:\n- a\nz: \"true\"\nscript: |\n  make\n  make test\na: !reference\n- x\n- y\n")
	sorted, err := d.Root(0).Get("job").YAML(true)
	if err != nil {
		t.Fatal(err)
	}
	eq(t, "sorted", sorted, "a: !reference\n- x\n- y\nimage: alpine\nscript: |\n  make\n  make test\ntags:\n- a\nz: \"true\"\n")
	// It reads back to the same data.
	back := mustLoad(t, y)
	a, _ := d.Root(0).Get("job").JSON(true)
	b, _ := back.Root(0).JSON(true)
	eq(t, "round trip", b, a)
	d.Close()
	defer func() {
		if recover() == nil {
			t.Fatal("YAML on a node of a closed document must panic")
		}
	}()
	_, _ = d.Root(0).YAML(false)
}

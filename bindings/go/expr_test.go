package cicd

import (
	"errors"
	"strings"
	"sync"
	"testing"
)

var flow = map[string]string{
	"CI_COMMIT_BRANCH":   "feature/80-optimize-allocate",
	"CI_PIPELINE_SOURCE": "push",
	"EMPTY":              "",
}

func mustCompile(t *testing.T, text string) *Expr {
	t.Helper()
	e, err := CompileExpr(text, nil)
	if err != nil {
		t.Fatalf("compile %q: %v", text, err)
	}
	t.Cleanup(func() { e.Close() })
	return e
}

func TestExprCompileEvalTextVariables(t *testing.T) {
	text := `$CI_COMMIT_BRANCH =~ /^(feature|hotfix)\// && $CI_PIPELINE_SOURCE == "push"`
	e := mustCompile(t, text)
	if e.Text() != text {
		t.Fatalf("text %q", e.Text())
	}
	if v := e.Variables(); strings.Join(v, ",") != "CI_COMMIT_BRANCH,CI_PIPELINE_SOURCE" {
		t.Fatalf("variables %v", v)
	}
	for _, c := range []struct {
		vars map[string]string
		want bool
	}{
		{flow, true},
		{map[string]string{"CI_COMMIT_BRANCH": "dev", "CI_PIPELINE_SOURCE": "push"}, false},
		{nil, false},
	} {
		got, err := e.Eval(c.vars)
		if err != nil || got != c.want {
			t.Fatalf("eval %v: %v %v", c.vars, got, err)
		}
	}
}

func TestExprRubySemanticsAndNul(t *testing.T) {
	for text, want := range map[string]bool{
		"$NOPE == null":                     true,
		"$EMPTY":                            false,
		"$EMPTY && $CI_PIPELINE_SOURCE":     true,
		"$EMPTY || $CI_PIPELINE_SOURCE":     false,
		`$CI_PIPELINE_SOURCE == "push"`:     true,
		`$CI_COMMIT_BRANCH =~ /^FEATURE/i`:  true,
		`$CI_COMMIT_BRANCH !~ /^feature\//`: false,
	} {
		got, err := mustCompile(t, text).Eval(flow)
		if err != nil || got != want {
			t.Errorf("%s: got %v %v, want %v", text, got, err, want)
		}
	}
	// Values are passed with their length: an embedded NUL does not cut them.
	got, _ := mustCompile(t, `$A == "a"`).Eval(map[string]string{"A": "a\x00b"})
	if got {
		t.Fatal("value with NUL compared equal to its prefix")
	}
}

func TestExprSyntaxErrorPositionInFileCoordinates(t *testing.T) {
	_, err := CompileExpr("$A ==", &ExprOptions{File: ".gitlab-ci.yml", Line: 12, Column: 11})
	var e *Error
	if !errors.As(err, &e) || !errors.Is(err, ErrParse) {
		t.Fatalf("want parse error, got %v", err)
	}
	if e.File != ".gitlab-ci.yml" || e.Line != 12 || e.Column != 14 ||
		e.Message != "invalid expression syntax: == has no right operand" {
		t.Fatalf("error %+v", e)
	}
	if err.Error() != ".gitlab-ci.yml:12:14: invalid expression syntax: == has no right operand" {
		t.Fatalf("text %q", err.Error())
	}
}

func TestExprLimitsAndBadOptions(t *testing.T) {
	text := "$A" + strings.Repeat(" && $A", 49)
	mustCompile(t, text)
	_, err := CompileExpr(text+" &&", nil)
	if e, ok := err.(*Error); !ok || e.Code != ErrCodeParse || e.Message != "invalid expression syntax: too many tokens" {
		t.Fatalf("tokens: %v", err)
	}
	_, err = CompileExpr(text, &ExprOptions{MaxBytes: 10})
	if e, ok := err.(*Error); !ok || !errors.Is(err, ErrLimit) || e.Message != "expression longer than 10 bytes" {
		t.Fatalf("bytes: %v", err)
	}
	if _, err := CompileExpr("$A", &ExprOptions{MaxTokens: 100000}); !errors.Is(err, ErrInvalid) {
		t.Fatalf("bad option: %v", err)
	}
	if _, err := CompileExpr("", nil); !errors.Is(err, ErrParse) {
		t.Fatalf("empty: %v", err)
	}
}

func TestExpand(t *testing.T) {
	vars := map[string]string{"X": "1", "Y": "2", "Z": "3"}
	for _, c := range []struct {
		in    string
		flags ExpandFlags
		want  string
	}{
		{"a $X ${Y} %Z% $$ $NOPE.", 0, "a 1 2 3 $$ ."},
		{"$NOPE ${NOPE} $X", ExpandKeepUndefined, "$NOPE ${NOPE} 1"},
		{"cost $$5", ExpandUnescape, "cost $5"},
		{"", 0, ""},
	} {
		got, err := Expand(c.in, vars, c.flags)
		if err != nil || got != c.want {
			t.Errorf("expand %q: %q %v, want %q", c.in, got, err, c.want)
		}
	}
	if got, _ := Expand("$X", nil, 0); got != "" {
		t.Fatalf("nil vars: %q", got)
	}
}

func TestExprCloseTwiceAndUseAfterClosePanics(t *testing.T) {
	e, _ := CompileExpr("$A", nil)
	e.Close()
	e.Close()
	for name, use := range map[string]func(){
		"Eval":      func() { e.Eval(nil) },
		"Text":      func() { e.Text() },
		"Variables": func() { e.Variables() },
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

func TestExprConcurrentEval(t *testing.T) {
	e := mustCompile(t, `$B =~ /^feature\// && $N != "x"`)
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; i < 300; i++ {
				want := (g+i)%2 == 0
				b := "dev"
				if want {
					b = "feature/x"
				}
				got, err := e.Eval(map[string]string{"B": b, "N": "y"})
				if err != nil || got != want {
					t.Errorf("goroutine %d: %v %v", g, got, err)
					return
				}
			}
		}(g)
	}
	wg.Wait()
}

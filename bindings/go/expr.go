package cicd

/*
#include <stdlib.h>
#include <string.h>
#include <cicd/cicd.h>

// Variables packed by Go: blob holds "name\0value\0..." sorted by name; offs
// holds (offset, length) pairs, name then value.
typedef struct {
	const char *blob;
	const size_t *offs;
	size_t count;
} shim_vars;

static int shim_lookup(const char **value, size_t *len, const char *name, void *payload)
{
	const shim_vars *v = payload;
	size_t lo = 0, hi = v->count;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(name, v->blob + v->offs[4 * mid]);
		if (c == 0) {
			*value = v->blob + v->offs[4 * mid + 2];
			*len = v->offs[4 * mid + 3];
			return 1;
		}
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return 0;
}

static int shim_expr_compile(cicd_expr **out, const char *text, size_t len, const char *file, unsigned line,
			     unsigned column, unsigned max_tokens, size_t max_bytes, cicd_error **err)
{
	cicd_expr_options o = CICD_EXPR_OPTIONS_INIT;
	int rc;
	o.file = file;
	o.line = line;
	o.column = column;
	o.max_tokens = max_tokens;
	o.max_bytes = max_bytes;
	rc = cicd_expr_compile(out, text, len, &o);
	if (rc < 0)
		cicd_error_dup(err);
	return rc;
}

static int shim_expr_eval(int *result, const cicd_expr *e, const void *blob, const void *offs, size_t count,
			  cicd_error **err)
{
	shim_vars v = {blob, offs, count};
	int rc = cicd_expr_eval(result, e, shim_lookup, &v);
	if (rc < 0)
		cicd_error_dup(err);
	return rc;
}

static int shim_expand(cicd_buf *out, const char *text, size_t len, unsigned flags, const void *blob,
		       const void *offs, size_t count, cicd_error **err)
{
	shim_vars v = {blob, offs, count};
	int rc = cicd_expand(out, text, len, flags, shim_lookup, &v);
	if (rc < 0)
		cicd_error_dup(err);
	return rc;
}
*/
import "C"

import (
	"runtime"
	"unsafe"
)

// ExprOptions place an expression in its file, so that error positions are
// file coordinates, and limit it; zero values mean the library's defaults
// (99 tokens, GitLab's limit, and 64 KiB of text).
type ExprOptions struct {
	File      string
	Line      int // line of the expression's first character (0: 1)
	Column    int // column of the expression's first character (0: 1)
	MaxTokens int
	MaxBytes  int
}

// Expr is a compiled `rules:if` expression. It is immutable: Eval may be
// called from several goroutines at once. Close it when done.
type Expr struct {
	ptr *C.cicd_expr
}

// bytesPtr is a pointer to data's first byte, or nil for an empty slice.
func bytesPtr(data []byte) *C.char {
	if len(data) == 0 {
		return nil
	}
	return (*C.char)(unsafe.Pointer(&data[0]))
}

// CompileExpr compiles an expression. Syntax errors are *Error with
// ErrCodeParse and the position of the offending token.
func CompileExpr(text string, o *ExprOptions) (*Expr, error) {
	if o == nil {
		o = &ExprOptions{}
	}
	var out *C.cicd_expr
	var cerr *C.cicd_error
	data := []byte(text)
	var cfile *C.char
	if o.File != "" {
		cfile = cstring(o.File)
		defer free(cfile)
	}
	rc := C.shim_expr_compile(&out, bytesPtr(data), C.size_t(len(data)), cfile, C.uint(o.Line), C.uint(o.Column),
		C.uint(o.MaxTokens), C.size_t(o.MaxBytes), &cerr)
	runtime.KeepAlive(data)
	if err := fromC(rc, cerr); err != nil {
		return nil, err
	}
	e := &Expr{ptr: out}
	runtime.SetFinalizer(e, (*Expr).Close)
	return e, nil
}

// Close frees the expression. Safe to call twice; not concurrently with Eval.
func (e *Expr) Close() error {
	if e.ptr != nil {
		C.cicd_expr_free(e.ptr)
		e.ptr = nil
		runtime.SetFinalizer(e, nil)
	}
	return nil
}

func (e *Expr) live() *C.cicd_expr {
	if e.ptr == nil {
		panic("cicd: use of a closed Expr")
	}
	return e.ptr
}

// Text is the expression as compiled.
func (e *Expr) Text() string {
	s := C.GoString(C.cicd_expr_text(e.live()))
	runtime.KeepAlive(e)
	return s
}

// Variables are the names the expression reads, in order of first use.
func (e *Expr) Variables() []string {
	p := e.live()
	n := int(C.cicd_expr_variable_count(p))
	out := make([]string, n)
	for i := range out {
		out[i] = C.GoString(C.cicd_expr_variable_name(p, C.size_t(i)))
	}
	runtime.KeepAlive(e)
	return out
}

// Eval reports whether the expression holds for vars (a missing name is an
// undefined variable), with GitLab's semantics.
func (e *Expr) Eval(vars map[string]string) (bool, error) {
	packed, count := packVars(vars)
	blob, offs := packed.ptrs()
	var result C.int
	var cerr *C.cicd_error
	rc := C.shim_expr_eval(&result, e.live(), blob, offs, C.size_t(count), &cerr)
	runtime.KeepAlive(packed)
	runtime.KeepAlive(e)
	if err := fromC(rc, cerr); err != nil {
		return false, err
	}
	return result != 0, nil
}

// ExpandFlags change how Expand treats references.
type ExpandFlags uint

const (
	// ExpandKeepUndefined keeps references to undefined variables as written.
	ExpandKeepUndefined ExpandFlags = C.CICD_EXPAND_KEEP_UNDEFINED
	// ExpandUnescape turns `$$` into `$` (the runner's last step).
	ExpandUnescape ExpandFlags = C.CICD_EXPAND_UNESCAPE
)

// Expand replaces $NAME, ${NAME} and %NAME% in text as GitLab expands
// variable values.
func Expand(text string, vars map[string]string, flags ExpandFlags) (string, error) {
	packed, count := packVars(vars)
	blob, offs := packed.ptrs()
	data := []byte(text)
	var buf C.cicd_buf
	var cerr *C.cicd_error
	rc := C.shim_expand(&buf, bytesPtr(data), C.size_t(len(data)), C.uint(flags), blob, offs, C.size_t(count), &cerr)
	runtime.KeepAlive(packed)
	runtime.KeepAlive(data)
	defer C.cicd_buf_dispose(&buf)
	if err := fromC(rc, cerr); err != nil {
		return "", err
	}
	return C.GoStringN(buf.ptr, C.int(buf.size)), nil
}

package cicd

/*
#include <stdlib.h>
#include <cicd/cicd.h>

static int shim_document_load(cicd_document **out, const char *buf, size_t len, const char *name, int json,
			      unsigned flags, size_t max_bytes, unsigned max_depth, size_t max_nodes,
			      size_t max_alias, cicd_error **err)
{
	cicd_document_options o = CICD_DOCUMENT_OPTIONS_INIT;
	int rc;
	o.flags = flags;
	o.max_bytes = max_bytes;
	o.max_depth = max_depth;
	o.max_nodes = max_nodes;
	o.max_alias_expansion = max_alias;
	rc = json ? cicd_document_load_json(out, buf, len, name, &o) : cicd_document_load_buffer(out, buf, len, name, &o);
	if (rc < 0)
		cicd_error_dup(err);
	return rc;
}

static int shim_document_load_file(cicd_document **out, const char *path, unsigned flags, size_t max_bytes,
				   unsigned max_depth, size_t max_nodes, size_t max_alias, cicd_error **err)
{
	cicd_document_options o = CICD_DOCUMENT_OPTIONS_INIT;
	int rc;
	o.flags = flags;
	o.max_bytes = max_bytes;
	o.max_depth = max_depth;
	o.max_nodes = max_nodes;
	o.max_alias_expansion = max_alias;
	rc = cicd_document_load_file(out, path, &o);
	if (rc < 0)
		cicd_error_dup(err);
	return rc;
}

static int shim_node_json(const cicd_node *n, unsigned flags, cicd_buf *out, cicd_error **err)
{
	int rc = cicd_node_to_json(out, n, flags);
	if (rc < 0)
		cicd_error_dup(err);
	return rc;
}

static int shim_node_yaml(const cicd_node *n, unsigned flags, cicd_buf *out, cicd_error **err)
{
	int rc = cicd_node_to_yaml(out, n, flags);
	if (rc < 0)
		cicd_error_dup(err);
	return rc;
}
*/
import "C"

import (
	"encoding/json"
	"fmt"
	"runtime"
	"unsafe"
)

// LoadOptions limit and tune the document loader; zero values mean the
// library's defaults (64 MiB, depth 256, 10M nodes, 1M alias-expanded nodes).
type LoadOptions struct {
	StrictKeys        bool // duplicate keys are errors instead of warnings
	MaxBytes          int
	MaxDepth          int
	MaxNodes          int
	MaxAliasExpansion int
}

// Document is a loaded YAML stream or JSON text. Close it when done; its
// nodes are valid until then.
type Document struct {
	ptr *C.cicd_document
}

// Diagnostic is a problem found in input.
type Diagnostic struct {
	Warning bool
	Code    Code
	Message string
	File    string
	Line    int
	Column  int
}

func flagsOf(o *LoadOptions) C.uint {
	if o != nil && o.StrictKeys {
		return C.CICD_DOCUMENT_STRICT_KEYS
	}
	return 0
}

func newDocument(ptr *C.cicd_document) *Document {
	d := &Document{ptr: ptr}
	runtime.SetFinalizer(d, (*Document).Close)
	return d
}

func load(data []byte, name string, jsonText bool, o *LoadOptions) (*Document, error) {
	if o == nil {
		o = &LoadOptions{}
	}
	var out *C.cicd_document
	var cerr *C.cicd_error
	cname := cstring(name)
	defer free(cname)
	var buf *C.char
	if len(data) > 0 {
		buf = (*C.char)(unsafe.Pointer(&data[0]))
	}
	js := C.int(0)
	if jsonText {
		js = 1
	}
	rc := C.shim_document_load(&out, buf, C.size_t(len(data)), cname, js, flagsOf(o), C.size_t(o.MaxBytes),
		C.uint(o.MaxDepth), C.size_t(o.MaxNodes), C.size_t(o.MaxAliasExpansion), &cerr)
	runtime.KeepAlive(data)
	if err := fromC(rc, cerr); err != nil {
		return nil, err
	}
	return newDocument(out), nil
}

// Load reads a YAML stream from memory; name labels positions in errors.
func Load(data []byte, name string, o *LoadOptions) (*Document, error) {
	return load(data, name, false, o)
}

// LoadJSON reads one JSON text into the same model.
func LoadJSON(data []byte, name string, o *LoadOptions) (*Document, error) {
	return load(data, name, true, o)
}

// LoadFile reads a YAML stream from a file.
func LoadFile(path string, o *LoadOptions) (*Document, error) {
	if o == nil {
		o = &LoadOptions{}
	}
	var out *C.cicd_document
	var cerr *C.cicd_error
	cpath := cstring(path)
	defer free(cpath)
	rc := C.shim_document_load_file(&out, cpath, flagsOf(o), C.size_t(o.MaxBytes), C.uint(o.MaxDepth),
		C.size_t(o.MaxNodes), C.size_t(o.MaxAliasExpansion), &cerr)
	if err := fromC(rc, cerr); err != nil {
		return nil, err
	}
	return newDocument(out), nil
}

// Close frees the document; its nodes must not be used afterwards. Safe to call twice.
func (d *Document) Close() error {
	if d.ptr != nil {
		C.cicd_document_free(d.ptr)
		d.ptr = nil
		runtime.SetFinalizer(d, nil)
	}
	return nil
}

func (d *Document) live() *C.cicd_document {
	if d.ptr == nil {
		panic("cicd: use of a closed Document")
	}
	return d.ptr
}

// Len is the number of documents in the stream.
func (d *Document) Len() int {
	n := int(C.cicd_document_count(d.live()))
	runtime.KeepAlive(d)
	return n
}

// Name is the name given at load time (or the path).
func (d *Document) Name() string {
	s := C.GoString(C.cicd_document_name(d.live()))
	runtime.KeepAlive(d)
	return s
}

// Root is the root node of document i, or nil for an empty document or i out of range.
func (d *Document) Root(i int) *Node {
	if i < 0 {
		return nil
	}
	n := C.cicd_document_root(d.live(), C.size_t(i))
	runtime.KeepAlive(d)
	if n == nil {
		return nil
	}
	return &Node{ptr: n, doc: d}
}

// Line is the 1-based line where document i of the stream starts (its
// "---", or its first node), or 0 when i is out of range.
func (d *Document) Line(i int) int {
	if i < 0 {
		return 0
	}
	l := int(C.cicd_document_line(d.live(), C.size_t(i)))
	runtime.KeepAlive(d)
	return l
}

// Warnings found while loading (duplicate keys).
func (d *Document) Warnings() []Diagnostic {
	list := C.cicd_document_diagnostics(d.live())
	count := int(C.cicd_diagnostics_count(list))
	out := make([]Diagnostic, 0, count)
	for i := 0; i < count; i++ {
		x := C.cicd_diagnostics_get(list, C.size_t(i))
		out = append(out, Diagnostic{
			Warning: x.severity == C.CICD_SEVERITY_WARNING,
			Code:    Code(x.code),
			Message: C.GoString(x.message),
			File:    C.GoString(x.file),
			Line:    int(x.line),
			Column:  int(x.column),
		})
	}
	runtime.KeepAlive(d)
	return out
}

// Kind of a node.
type Kind int

const (
	Scalar   Kind = C.CICD_NODE_SCALAR
	Sequence Kind = C.CICD_NODE_SEQUENCE
	Mapping  Kind = C.CICD_NODE_MAPPING
)

// String is "scalar", "sequence" or "mapping".
func (k Kind) String() string {
	switch k {
	case Scalar:
		return "scalar"
	case Sequence:
		return "sequence"
	case Mapping:
		return "mapping"
	}
	return fmt.Sprintf("Kind(%d)", int(k))
}

// ScalarStyle is how a scalar was written; JSON strings are double-quoted,
// other JSON scalars plain.
type ScalarStyle int

const (
	NotScalar         ScalarStyle = 0 // the node is a sequence or a mapping
	StylePlain        ScalarStyle = C.CICD_SCALAR_PLAIN
	StyleSingleQuoted ScalarStyle = C.CICD_SCALAR_SINGLE_QUOTED
	StyleDoubleQuoted ScalarStyle = C.CICD_SCALAR_DOUBLE_QUOTED
	StyleLiteral      ScalarStyle = C.CICD_SCALAR_LITERAL // |
	StyleFolded       ScalarStyle = C.CICD_SCALAR_FOLDED  // >
)

// String is "plain", "single-quoted", "double-quoted", "literal", "folded",
// or "none" for a collection.
func (s ScalarStyle) String() string {
	switch s {
	case NotScalar:
		return "none"
	case StylePlain:
		return "plain"
	case StyleSingleQuoted:
		return "single-quoted"
	case StyleDoubleQuoted:
		return "double-quoted"
	case StyleLiteral:
		return "literal"
	case StyleFolded:
		return "folded"
	}
	return fmt.Sprintf("ScalarStyle(%d)", int(s))
}

// ValueType is what a scalar means under YAML 1.1 resolution (as GitLab's
// Ruby reads it: yes/no/on/off are booleans, 0x1F an int, "1" a string).
type ValueType int

const (
	NoValue     ValueType = 0 // the node is a sequence or a mapping
	ValueNull   ValueType = C.CICD_VALUE_NULL
	ValueBool   ValueType = C.CICD_VALUE_BOOL
	ValueInt    ValueType = C.CICD_VALUE_INT
	ValueFloat  ValueType = C.CICD_VALUE_FLOAT
	ValueString ValueType = C.CICD_VALUE_STRING
)

// String is "null", "bool", "int", "float", "string", or "none" for a collection.
func (v ValueType) String() string {
	switch v {
	case NoValue:
		return "none"
	case ValueNull:
		return "null"
	case ValueBool:
		return "bool"
	case ValueInt:
		return "int"
	case ValueFloat:
		return "float"
	case ValueString:
		return "string"
	}
	return fmt.Sprintf("ValueType(%d)", int(v))
}

// nodeOwner is what a Node is borrowed from (a Document, a Pipeline): it
// panics once closed, and the Node keeps it reachable.
type nodeOwner interface {
	checkLive()
}

func (d *Document) checkLive() { d.live() }

// Node is an immutable node of a Document (or of a Pipeline), valid until
// its owner is closed.
type Node struct {
	ptr *C.cicd_node
	doc nodeOwner
}

func (n *Node) live() *C.cicd_node {
	n.doc.checkLive()
	return n.ptr
}

func (n *Node) wrap(p *C.cicd_node) *Node {
	if p == nil {
		return nil
	}
	return &Node{ptr: p, doc: n.doc}
}

// Kind is Scalar, Sequence or Mapping.
func (n *Node) Kind() Kind {
	k := Kind(C.cicd_node_kind_of(n.live()))
	runtime.KeepAlive(n.doc)
	return k
}

// Tag is the tag as written ("!reference"), or "".
func (n *Node) Tag() string {
	s := C.GoString(C.cicd_node_tag(n.live()))
	runtime.KeepAlive(n.doc)
	return s
}

// Position is the node's file, line and column (1-based).
func (n *Node) Position() (file string, line, column int) {
	p := n.live()
	file, line, column = C.GoString(C.cicd_node_file(p)), int(C.cicd_node_line(p)), int(C.cicd_node_column(p))
	runtime.KeepAlive(n.doc)
	return
}

// Style is how a scalar was written, or NotScalar for a collection.
func (n *Node) Style() ScalarStyle {
	s := ScalarStyle(C.cicd_node_scalar_style(n.live()))
	runtime.KeepAlive(n.doc)
	return s
}

// ValueType is the resolved type of a scalar, or NoValue for a collection.
func (n *Node) ValueType() ValueType {
	v := ValueType(C.cicd_node_value_type(n.live()))
	runtime.KeepAlive(n.doc)
	return v
}

// Text is a scalar's text (embedded NULs kept) and true, or "" and false for collections.
func (n *Node) Text() (string, bool) {
	var length C.size_t
	s := C.cicd_node_scalar(n.live(), &length)
	defer runtime.KeepAlive(n.doc)
	if s == nil {
		return "", false
	}
	return C.GoStringN(s, C.int(length)), true
}

// Len is the number of items of a sequence or pairs of a mapping.
func (n *Node) Len() int { l := int(C.cicd_node_size(n.live())); runtime.KeepAlive(n.doc); return l }

// Item is the i-th item of a sequence, or nil.
func (n *Node) Item(i int) *Node {
	if i < 0 {
		return nil
	}
	p := C.cicd_node_item(n.live(), C.size_t(i))
	runtime.KeepAlive(n.doc)
	return n.wrap(p)
}

// Get is the value of a mapping under a key, or nil.
func (n *Node) Get(key string) *Node {
	ckey := cstring(key)
	defer free(ckey)
	p := C.cicd_node_get(n.live(), ckey)
	runtime.KeepAlive(n.doc)
	return n.wrap(p)
}

// Pairs are a mapping's keys and values in insertion order.
func (n *Node) Pairs() (keys, values []*Node) {
	p := n.live()
	count := int(C.cicd_node_size(p))
	if C.cicd_node_kind_of(p) != C.CICD_NODE_MAPPING {
		return nil, nil
	}
	for i := 0; i < count; i++ {
		keys = append(keys, n.wrap(C.cicd_node_key(p, C.size_t(i))))
		values = append(values, n.wrap(C.cicd_node_value(p, C.size_t(i))))
	}
	runtime.KeepAlive(n.doc)
	return
}

// JSON is the node as JSON text, scalars typed as YAML 1.1 reads them.
func (n *Node) JSON(sortKeys bool) (string, error) {
	var buf C.cicd_buf
	var cerr *C.cicd_error
	flags := C.uint(0)
	if sortKeys {
		flags = C.CICD_FORMAT_SORT_KEYS
	}
	rc := C.shim_node_json(n.live(), flags, &buf, &cerr)
	runtime.KeepAlive(n.doc)
	defer C.cicd_buf_dispose(&buf)
	if err := fromC(rc, cerr); err != nil {
		return "", err
	}
	return C.GoStringN(buf.ptr, C.int(buf.size)), nil
}

// YAML is the node as a YAML document, written deterministically: aliases
// written out in full, merge keys applied, tags kept, a string that would
// read back as another type quoted. sortKeys orders mapping keys.
func (n *Node) YAML(sortKeys bool) (string, error) {
	var buf C.cicd_buf
	var cerr *C.cicd_error
	flags := C.uint(0)
	if sortKeys {
		flags = C.CICD_FORMAT_SORT_KEYS
	}
	rc := C.shim_node_yaml(n.live(), flags, &buf, &cerr)
	runtime.KeepAlive(n.doc)
	defer C.cicd_buf_dispose(&buf)
	if err := fromC(rc, cerr); err != nil {
		return "", err
	}
	return C.GoStringN(buf.ptr, C.int(buf.size)), nil
}

// Decode unmarshals the node's JSON form into v (as encoding/json does).
func (n *Node) Decode(v any) error {
	s, err := n.JSON(false)
	if err != nil {
		return err
	}
	return json.Unmarshal([]byte(s), v)
}

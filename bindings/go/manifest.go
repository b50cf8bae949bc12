package cicd

/*
#include <stdlib.h>
#include <cicd/cicd.h>
#include <cicd/manifest.h>

static int shim_manifest_set_new(cicd_manifest_set **out, cicd_error **err)
{
	int rc = cicd_manifest_set_new(out);
	if (rc < 0)
		cicd_error_dup(err);
	return rc;
}

static int shim_manifest_add(cicd_manifest_set *set, const char *path, const char *buf, size_t len, const char *name,
			     int format, unsigned flags, size_t max_objects, size_t max_files, cicd_error **err)
{
	cicd_manifest_options o = CICD_MANIFEST_OPTIONS_INIT;
	int rc;
	o.flags = flags;
	o.format = (cicd_manifest_format)format;
	o.max_objects = max_objects;
	o.max_files = max_files;
	rc = path ? cicd_manifest_set_add_path(set, path, &o) : cicd_manifest_set_add_buffer(set, buf, len, name, &o);
	if (rc < 0)
		cicd_error_dup(err);
	return rc;
}

static int shim_manifest_find(const cicd_manifest **out, const cicd_manifest_set *set, const char *group,
			      const char *kind, const char *ns, const char *name, cicd_error **err)
{
	int rc = cicd_manifest_set_find(out, set, group, kind, ns, name);
	if (rc < 0)
		cicd_error_dup(err);
	return rc;
}

static int shim_manifest_validate(cicd_diagnostics **out, const cicd_manifest_set *set, const char *openapi,
				  size_t openapi_len, size_t max_diagnostics, cicd_error **err)
{
	cicd_manifest_validate_options o = CICD_MANIFEST_VALIDATE_OPTIONS_INIT;
	int rc;
	o.openapi = openapi;
	o.openapi_len = openapi_len;
	o.max_diagnostics = max_diagnostics;
	rc = cicd_manifest_set_validate(out, set, &o);
	if (rc < 0)
		cicd_error_dup(err);
	return rc;
}

// what: 0 sort(order=n), 1 image, 2 label, 3 annotation, 4 namespace.
static int shim_manifest_transform(cicd_manifest_set *set, int what, unsigned n, const char *a, const char *b,
				   const char *c, const char *d, size_t *changed, cicd_error **err)
{
	int rc = CICD_EINVALID;
	switch (what) {
	case 0: rc = cicd_manifest_set_sort(set, (cicd_manifest_order)n); break;
	case 1: rc = cicd_manifest_set_image(changed, set, a, b, c, d); break;
	case 2: rc = cicd_manifest_set_label(set, a, b, n); break;
	case 3: rc = cicd_manifest_set_annotation(set, a, b, n); break;
	case 4: rc = cicd_manifest_set_namespace(set, a); break;
	}
	if (rc < 0)
		cicd_error_dup(err);
	return rc;
}

// what: 0 render object, 1 render set, 2 canonical object, 5 render diff.
static int shim_manifest_text(cicd_buf *out, const cicd_manifest *obj, const cicd_manifest_set *set,
			      const cicd_manifest_diff *diff, int what, int format, unsigned flags, cicd_error **err)
{
	int rc = CICD_EINVALID;
	switch (what) {
	case 0: rc = cicd_manifest_render(out, obj, (cicd_manifest_format)format, flags); break;
	case 1: rc = cicd_manifest_set_render(out, set, (cicd_manifest_format)format, flags); break;
	case 2: rc = cicd_manifest_canonical(out, obj); break;
	case 5: rc = cicd_manifest_diff_render(out, diff, (cicd_manifest_diff_format)format); break;
	}
	if (rc < 0)
		cicd_error_dup(err);
	return rc;
}

// The hash of obj, or of set when obj is NULL, into out (CICD_MANIFEST_HASH_SIZE bytes).
static int shim_manifest_hash(char *out, const cicd_manifest *obj, const cicd_manifest_set *set, cicd_error **err)
{
	int rc = obj ? cicd_manifest_hash(out, CICD_MANIFEST_HASH_SIZE, obj)
		     : cicd_manifest_set_hash(out, CICD_MANIFEST_HASH_SIZE, set);
	if (rc < 0)
		cicd_error_dup(err);
	return rc;
}

static int shim_manifest_diff_new(cicd_manifest_diff **out, const cicd_manifest_set *a, const cicd_manifest_set *b,
				  cicd_error **err)
{
	int rc = cicd_manifest_diff_new(out, a, b);
	if (rc < 0)
		cicd_error_dup(err);
	return rc;
}
*/
import "C"

import (
	"runtime"
)

// ManifestFormat is the syntax of manifest input or output.
type ManifestFormat int

const (
	ManifestAuto ManifestFormat = C.CICD_MANIFEST_FORMAT_AUTO // by file name: *.json is JSON
	ManifestYAML ManifestFormat = C.CICD_MANIFEST_FORMAT_YAML
	ManifestJSON ManifestFormat = C.CICD_MANIFEST_FORMAT_JSON
)

// ManifestOrder is an order of objects in a set.
type ManifestOrder int

const (
	OrderApply  ManifestOrder = C.CICD_MANIFEST_ORDER_APPLY  // Namespaces, CRDs, then Helm's install order
	OrderDelete ManifestOrder = C.CICD_MANIFEST_ORDER_DELETE // the reverse of OrderApply
	OrderSource ManifestOrder = C.CICD_MANIFEST_ORDER_SOURCE // the order objects were added in
)

// ManifestOptions tune adding files; zero values are the library's defaults
// (100,000 objects in a set, 10,000 files from one walk).
type ManifestOptions struct {
	Format     ManifestFormat
	Recursive  bool // walk directories recursively
	MaxObjects int
	MaxFiles   int
}

// ManifestSet is a set of Kubernetes objects. Not shared between
// goroutines. Close it when done; Manifests and nodes taken from it are
// valid until then.
type ManifestSet struct {
	ptr *C.cicd_manifest_set
}

// NewManifestSet is an empty set.
func NewManifestSet() (*ManifestSet, error) {
	var out *C.cicd_manifest_set
	var cerr *C.cicd_error
	if err := fromC(C.shim_manifest_set_new(&out, &cerr), cerr); err != nil {
		return nil, err
	}
	s := &ManifestSet{ptr: out}
	runtime.SetFinalizer(s, (*ManifestSet).Close)
	return s, nil
}

// LoadManifests is a set with one file or the manifest files of a directory.
func LoadManifests(path string, o *ManifestOptions) (*ManifestSet, error) {
	s, err := NewManifestSet()
	if err != nil {
		return nil, err
	}
	if err := s.AddPath(path, o); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// Close frees the set. Safe to call twice.
func (s *ManifestSet) Close() error {
	if s.ptr != nil {
		C.cicd_manifest_set_free(s.ptr)
		s.ptr = nil
		runtime.SetFinalizer(s, nil)
	}
	return nil
}

func (s *ManifestSet) live() *C.cicd_manifest_set {
	if s.ptr == nil {
		panic("cicd: use of a closed ManifestSet")
	}
	return s.ptr
}

func (s *ManifestSet) checkLive() { s.live() }

func (s *ManifestSet) add(path *string, data []byte, name string, o *ManifestOptions) error {
	if o == nil {
		o = &ManifestOptions{}
	}
	var cpath, cname *C.char
	if path != nil {
		cpath = cstring(*path)
		defer free(cpath)
	}
	if name != "" {
		cname = cstring(name)
		defer free(cname)
	}
	flags := C.uint(0)
	if o.Recursive {
		flags = C.CICD_MANIFEST_RECURSIVE
	}
	var cerr *C.cicd_error
	rc := C.shim_manifest_add(s.live(), cpath, bytesPtr(data), C.size_t(len(data)), cname, C.int(o.Format), flags,
		C.size_t(o.MaxObjects), C.size_t(o.MaxFiles), &cerr)
	runtime.KeepAlive(data)
	runtime.KeepAlive(s)
	return fromC(rc, cerr)
}

// Add adds the objects of a YAML stream or JSON text; name labels positions.
// On error (ErrCodeParse/ErrCodeLimit with the position) the set is unchanged.
func (s *ManifestSet) Add(data []byte, name string, o *ManifestOptions) error {
	return s.add(nil, data, name, o)
}

// AddPath adds a file or every *.yaml, *.yml and *.json file of a directory.
func (s *ManifestSet) AddPath(path string, o *ManifestOptions) error { return s.add(&path, nil, "", o) }

// Len is the number of objects.
func (s *ManifestSet) Len() int {
	n := int(C.cicd_manifest_set_count(s.live()))
	runtime.KeepAlive(s)
	return n
}

// At is the i-th object, or nil out of range.
func (s *ManifestSet) At(i int) *Manifest {
	if i < 0 || i >= s.Len() {
		return nil
	}
	return &Manifest{ptr: C.cicd_manifest_set_get(s.live(), C.size_t(i)), set: s}
}

// Objects are the set's objects in their current order.
func (s *ManifestSet) Objects() []*Manifest {
	out := make([]*Manifest, s.Len())
	for i := range out {
		out[i] = s.At(i)
	}
	return out
}

// Find is the object with this identity (group "" for the core group, ns
// "" for cluster-scoped objects); an ErrNotFound error when absent.
func (s *ManifestSet) Find(group, kind, ns, name string) (*Manifest, error) {
	cg, ck, cn, cm := cstring(group), cstring(kind), cstring(ns), cstring(name)
	defer free(cg)
	defer free(ck)
	defer free(cn)
	defer free(cm)
	var out *C.cicd_manifest
	var cerr *C.cicd_error
	if err := fromC(C.shim_manifest_find(&out, s.live(), cg, ck, cn, cm, &cerr), cerr); err != nil {
		return nil, err
	}
	return &Manifest{ptr: out, set: s}, nil
}

// ValidateOptions: OpenAPI is the JSON of an API server's OpenAPI v2 or v3
// document (optional); MaxDiagnostics defaults to 1,000.
type ValidateOptions struct {
	OpenAPI        []byte
	MaxDiagnostics int
}

// Validate returns the warnings, or an *Error with ErrCodeValidate whose
// Diagnostics list every problem.
func (s *ManifestSet) Validate(o *ValidateOptions) ([]Diagnostic, error) {
	if o == nil {
		o = &ValidateOptions{}
	}
	var diags *C.cicd_diagnostics
	var cerr *C.cicd_error
	rc := C.shim_manifest_validate(&diags, s.live(), bytesPtr(o.OpenAPI), C.size_t(len(o.OpenAPI)),
		C.size_t(o.MaxDiagnostics), &cerr)
	runtime.KeepAlive(o.OpenAPI)
	runtime.KeepAlive(s)
	list := takeDiagnostics(diags)
	if err := fromC(rc, cerr); err != nil {
		if e, ok := err.(*Error); ok {
			e.Diagnostics = list
		}
		return nil, err
	}
	return list, nil
}

func (s *ManifestSet) transform(what int, n uint, args ...string) (int, error) {
	var c [4]*C.char
	for i, a := range args {
		if a == "" && what == 1 && i > 0 {
			continue // NULL: keep that part of the image
		}
		c[i] = cstring(a)
		defer free(c[i])
	}
	var changed C.size_t
	var cerr *C.cicd_error
	rc := C.shim_manifest_transform(s.live(), C.int(what), C.uint(n), c[0], c[1], c[2], c[3], &changed, &cerr)
	runtime.KeepAlive(s)
	return int(changed), fromC(rc, cerr)
}

// Sort reorders the objects.
func (s *ManifestSet) Sort(order ManifestOrder) error {
	_, err := s.transform(0, uint(order))
	return err
}

// SetImage sets the image of every container whose image name is name
// (kustomize's images:); "" keeps that part. It returns how many it set.
func (s *ManifestSet) SetImage(name, newName, newTag, digest string) (int, error) {
	return s.transform(1, 0, name, newName, newTag, digest)
}

func metaFlags(templates bool) uint {
	if templates {
		return C.CICD_MANIFEST_META_TEMPLATES
	}
	return 0
}

// SetLabel adds or replaces a label of every object (and of pod templates with templates).
func (s *ManifestSet) SetLabel(key, value string, templates bool) error {
	_, err := s.transform(2, metaFlags(templates), key, value)
	return err
}

// SetAnnotation adds or replaces an annotation of every object.
func (s *ManifestSet) SetAnnotation(key, value string, templates bool) error {
	_, err := s.transform(3, metaFlags(templates), key, value)
	return err
}

// SetNamespace puts every namespaced object in ns.
func (s *ManifestSet) SetNamespace(ns string) error { _, err := s.transform(4, 0, ns); return err }

func manifestText(obj *C.cicd_manifest, set *C.cicd_manifest_set, diff *C.cicd_manifest_diff, what, format int,
	flags C.uint) (string, error) {
	var buf C.cicd_buf
	var cerr *C.cicd_error
	rc := C.shim_manifest_text(&buf, obj, set, diff, C.int(what), C.int(format), flags, &cerr)
	defer C.cicd_buf_dispose(&buf)
	if err := fromC(rc, cerr); err != nil {
		return "", err
	}
	return C.GoStringN(buf.ptr, C.int(buf.size)), nil
}

func renderFlags(pretty, sortKeys bool) C.uint {
	f := C.uint(0)
	if pretty {
		f |= C.CICD_FORMAT_PRETTY
	}
	if sortKeys {
		f |= C.CICD_FORMAT_SORT_KEYS
	}
	return f
}

// Render writes the set as a YAML stream or a JSON list.
func (s *ManifestSet) Render(format ManifestFormat, pretty, sortKeys bool) (string, error) {
	defer runtime.KeepAlive(s)
	return manifestText(nil, s.live(), nil, 1, int(format), renderFlags(pretty, sortKeys))
}

func manifestHash(obj *C.cicd_manifest, set *C.cicd_manifest_set) (string, error) {
	var out [C.CICD_MANIFEST_HASH_SIZE]C.char
	var cerr *C.cicd_error
	if err := fromC(C.shim_manifest_hash(&out[0], obj, set, &cerr), cerr); err != nil {
		return "", err
	}
	return C.GoString(&out[0]), nil
}

// Hash is the SHA-256 of the set's canonical form, as hex.
func (s *ManifestSet) Hash() (string, error) {
	defer runtime.KeepAlive(s)
	return manifestHash(nil, s.live())
}

// Manifest is an object of a set, valid until the set is closed.
type Manifest struct {
	ptr *C.cicd_manifest
	set *ManifestSet
}

func (m *Manifest) live() *C.cicd_manifest {
	m.set.live()
	return m.ptr
}

func (m *Manifest) str(get func(*C.cicd_manifest) *C.char) string {
	s := C.GoString(get(m.live()))
	runtime.KeepAlive(m.set)
	return s
}

// Identity and metadata; "" when absent.
func (m *Manifest) APIVersion() string {
	return m.str(func(p *C.cicd_manifest) *C.char { return C.cicd_manifest_api_version(p) })
}
func (m *Manifest) Group() string {
	return m.str(func(p *C.cicd_manifest) *C.char { return C.cicd_manifest_group(p) })
}
func (m *Manifest) Version() string {
	return m.str(func(p *C.cicd_manifest) *C.char { return C.cicd_manifest_version(p) })
}
func (m *Manifest) Kind() string {
	return m.str(func(p *C.cicd_manifest) *C.char { return C.cicd_manifest_kind(p) })
}
func (m *Manifest) Name() string {
	return m.str(func(p *C.cicd_manifest) *C.char { return C.cicd_manifest_name(p) })
}
func (m *Manifest) GenerateName() string {
	return m.str(func(p *C.cicd_manifest) *C.char { return C.cicd_manifest_generate_name(p) })
}
func (m *Manifest) Namespace() string {
	return m.str(func(p *C.cicd_manifest) *C.char { return C.cicd_manifest_namespace(p) })
}

// Label is a label's value and whether it is set.
func (m *Manifest) Label(key string) (string, bool) {
	ckey := cstring(key)
	defer free(ckey)
	v := C.cicd_manifest_label(m.live(), ckey)
	runtime.KeepAlive(m.set)
	return gostr(v), v != nil
}

// Annotation is an annotation's value and whether it is set.
func (m *Manifest) Annotation(key string) (string, bool) {
	ckey := cstring(key)
	defer free(ckey)
	v := C.cicd_manifest_annotation(m.live(), ckey)
	runtime.KeepAlive(m.set)
	return gostr(v), v != nil
}

func (m *Manifest) node(n *C.cicd_node) *Node {
	if n == nil {
		return nil
	}
	return &Node{ptr: n, doc: m.set}
}

// Labels and Annotations are the metadata mappings, or nil.
func (m *Manifest) Labels() *Node      { return m.node(C.cicd_manifest_labels(m.live())) }
func (m *Manifest) Annotations() *Node { return m.node(C.cicd_manifest_annotations(m.live())) }

// Node is the object's current tree (transforms give it a new one; old ones stay valid).
func (m *Manifest) Node() *Node { return m.node(C.cicd_manifest_node(m.live())) }

// Position is where the object was read: file, document index and line.
func (m *Manifest) Position() (file string, document, line int) {
	p := m.live()
	file, document, line = gostr(C.cicd_manifest_file(p)), int(C.cicd_manifest_document_index(p)), int(C.cicd_manifest_line(p))
	runtime.KeepAlive(m.set)
	return
}

// Scope is "namespaced", "cluster", or "" for a kind the set does not know.
func (m *Manifest) Scope() string {
	sc := C.cicd_manifest_set_scope(m.set.live(), m.live())
	runtime.KeepAlive(m.set)
	switch sc {
	case C.CICD_MANIFEST_SCOPE_NAMESPACED:
		return "namespaced"
	case C.CICD_MANIFEST_SCOPE_CLUSTER:
		return "cluster"
	}
	return ""
}

// Render writes the object as YAML (a document without "---") or JSON.
func (m *Manifest) Render(format ManifestFormat, pretty, sortKeys bool) (string, error) {
	defer runtime.KeepAlive(m.set)
	return manifestText(m.live(), nil, nil, 0, int(format), renderFlags(pretty, sortKeys))
}

// Canonical is the object's canonical JSON form.
func (m *Manifest) Canonical() (string, error) {
	defer runtime.KeepAlive(m.set)
	return manifestText(m.live(), nil, nil, 2, 0, 0)
}

// Hash is the SHA-256 of the canonical form, as hex.
func (m *Manifest) Hash() (string, error) {
	defer runtime.KeepAlive(m.set)
	return manifestHash(m.live(), nil)
}

// ManifestChange is how an object or field differs.
type ManifestChange int

const (
	Added   ManifestChange = C.CICD_MANIFEST_ADDED
	Removed ManifestChange = C.CICD_MANIFEST_REMOVED
	Changed ManifestChange = C.CICD_MANIFEST_CHANGED
)

func (c ManifestChange) String() string {
	return map[ManifestChange]string{Added: "added", Removed: "removed", Changed: "changed"}[c]
}

// FieldChange is a changed field; Hidden fields (a Secret's data) never carry values.
type FieldChange struct {
	Path     string
	Old, New string
	Hidden   bool
	Change   ManifestChange
}

// DiffEntry is an object that differs: Old is nil when Added, New when Removed.
type DiffEntry struct {
	Change   ManifestChange
	Old, New *Manifest
	Fields   []FieldChange
}

// ManifestDiff is what changes from one set to another. It reads both sets;
// close it before them.
type ManifestDiff struct {
	ptr      *C.cicd_manifest_diff
	old, new *ManifestSet
	// Entries in apply order of the new set, then removed objects in delete order.
	Entries []DiffEntry
}

// Diff compares the set (old) with newer.
func (s *ManifestSet) Diff(newer *ManifestSet) (*ManifestDiff, error) {
	var out *C.cicd_manifest_diff
	var cerr *C.cicd_error
	if err := fromC(C.shim_manifest_diff_new(&out, s.live(), newer.live(), &cerr), cerr); err != nil {
		return nil, err
	}
	d := &ManifestDiff{ptr: out, old: s, new: newer}
	for i, n := C.size_t(0), C.cicd_manifest_diff_count(out); i < n; i++ {
		var change C.cicd_manifest_change
		var o, nw *C.cicd_manifest
		if C.cicd_manifest_diff_get(&change, &o, &nw, out, i) < 0 {
			continue
		}
		e := DiffEntry{Change: ManifestChange(change)}
		if o != nil {
			e.Old = &Manifest{ptr: o, set: s}
		}
		if nw != nil {
			e.New = &Manifest{ptr: nw, set: newer}
		}
		for j, nf := C.size_t(0), C.cicd_manifest_diff_field_count(out, i); j < nf; j++ {
			f := C.cicd_manifest_diff_field(out, i, j)
			e.Fields = append(e.Fields, FieldChange{gostr(f.path), gostr(f.old_value), gostr(f.new_value),
				f.hidden != 0, ManifestChange(f.change)})
		}
		d.Entries = append(d.Entries, e)
	}
	runtime.SetFinalizer(d, (*ManifestDiff).Close)
	return d, nil
}

// Close frees the diff. Safe to call twice.
func (d *ManifestDiff) Close() error {
	if d.ptr != nil {
		C.cicd_manifest_diff_free(d.ptr)
		d.ptr = nil
		runtime.SetFinalizer(d, nil)
	}
	return nil
}

// Render writes the diff as text (json false) or JSON.
func (d *ManifestDiff) Render(json bool) (string, error) {
	if d.ptr == nil {
		panic("cicd: use of a closed ManifestDiff")
	}
	d.old.live()
	d.new.live()
	format := C.CICD_MANIFEST_DIFF_TEXT
	if json {
		format = C.CICD_MANIFEST_DIFF_JSON
	}
	defer runtime.KeepAlive(d)
	return manifestText(nil, nil, d.ptr, 5, int(format), 0)
}

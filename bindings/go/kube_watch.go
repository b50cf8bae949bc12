package cicd

// Watches: a stream of events on a kind, resumed and re-listed by the library.

/*
#include <stdlib.h>
#include <cicd/cicd.h>
#include <cicd/kube.h>

#define SHIM_END(rc) do { if ((rc) < 0) cicd_error_dup(err); return (rc); } while (0)

static int shim_kube_watch_new(cicd_kube_watch **out, cicd_kube_client *c, const char *api_version, const char *kind,
			       const char *ns, const char *resource_version, const char *label_selector,
			       const char *field_selector, int bookmarks, long server_timeout_seconds, cicd_error **err)
{
	cicd_kube_watch_options o = CICD_KUBE_WATCH_OPTIONS_INIT;
	int rc;
	o.resource_version = resource_version;
	o.label_selector = label_selector;
	o.field_selector = field_selector;
	o.bookmarks = bookmarks;
	o.server_timeout_seconds = server_timeout_seconds;
	rc = cicd_kube_watch_new(out, c, api_version, kind, ns, &o);
	SHIM_END(rc);
}

// The event's object is borrowed until the next call: its JSON is copied here.
static int shim_kube_watch_next(int *type, cicd_buf *json, cicd_kube_watch *w, long timeout_ms, cicd_error **err)
{
	cicd_kube_event_type t = 0;
	const cicd_node *object = NULL;
	int rc = cicd_kube_watch_next(&t, &object, w, timeout_ms);
	*type = (int)t;
	if (rc == 0 && object)
		rc = cicd_node_to_json(json, object, 0);
	SHIM_END(rc);
}
*/
import "C"

import (
	"context"
	"encoding/json"
	"errors"
	"runtime"
	"time"
)

// KubeEventType is the kind of a watch event.
type KubeEventType int

const (
	KubeEventAdded    KubeEventType = C.CICD_KUBE_EVENT_ADDED
	KubeEventModified KubeEventType = C.CICD_KUBE_EVENT_MODIFIED
	KubeEventDeleted  KubeEventType = C.CICD_KUBE_EVENT_DELETED
	KubeEventBookmark KubeEventType = C.CICD_KUBE_EVENT_BOOKMARK
	// KubeEventSync: the object exists now. Sent for every object when a
	// watch starts without a resourceVersion, and again after the server
	// said the watch's resourceVersion expired (410 Gone) and the kind was
	// listed again.
	KubeEventSync KubeEventType = C.CICD_KUBE_EVENT_SYNC
)

// String is the event's word: "ADDED", "MODIFIED", "DELETED", "BOOKMARK", "SYNC".
func (t KubeEventType) String() string {
	switch t {
	case KubeEventAdded:
		return "ADDED"
	case KubeEventModified:
		return "MODIFIED"
	case KubeEventDeleted:
		return "DELETED"
	case KubeEventBookmark:
		return "BOOKMARK"
	case KubeEventSync:
		return "SYNC"
	}
	return "UNKNOWN"
}

// KubeEvent is one watch event with a copy of its object.
type KubeEvent struct {
	Type   KubeEventType
	Object json.RawMessage
}

// KubeWatchOptions: zero values start with a listing of the current objects
// (SYNC events), ask for bookmarks and let each watch request run 300 s.
type KubeWatchOptions struct {
	ResourceVersion string // start after this point; "": list first
	LabelSelector   string
	FieldSelector   string
	AllNamespaces   bool // watch every namespace (the namespace argument is ignored)
	NoBookmarks     bool // do not ask for BOOKMARK events
	// ServerTimeout is one watch request's length, in whole seconds, before
	// the library resumes it; 0: 300 s.
	ServerTimeout time.Duration
}

// watchSlice bounds one wait of Next, so the client's mutex is released
// (other goroutines may use the client) and ctx is looked at between waits.
const watchSlice = 200 * time.Millisecond

// watchState is the C watch, owned by its client's mutex.
type watchState struct {
	ptr             *C.cicd_kube_watch
	closedByClient  bool
	resourceVersion string // kept up to date, so it outlives the C watch
	relists         int
}

func (w *watchState) free(byClient bool) {
	w.refresh()
	C.cicd_kube_watch_free(w.ptr)
	w.ptr, w.closedByClient = nil, byClient
}

func (w *watchState) refresh() {
	w.resourceVersion = C.GoString(C.cicd_kube_watch_resource_version(w.ptr))
	w.relists = int(C.cicd_kube_watch_relists(w.ptr))
}

// KubeWatch is a watch on one kind. It keeps its client reachable; closing
// the client closes the watch. Close it when done.
type KubeWatch struct {
	client *KubeClient
	st     *watchState
}

// Watch starts watching a kind (namespace "": the client's). The watch
// resumes by itself when the server ends a request and lists the kind again
// after 410 Gone. ctx bounds the discovery request that resolves the kind.
func (k *KubeClient) Watch(ctx context.Context, apiVersion, kind, namespace string, o *KubeWatchOptions) (*KubeWatch, error) {
	if o == nil {
		o = &KubeWatchOptions{}
	}
	timeout, err := wholeSeconds("KubeWatchOptions.ServerTimeout", o.ServerTimeout)
	if err != nil {
		return nil, err
	}
	var cs cstrs
	defer cs.release()
	cav, ckind, cns := cs.str(apiVersion), cs.str(kind), cs.str(namespace)
	if o.AllNamespaces {
		cns = C.CString("") // "" in C: every namespace
		defer free(cns)
	}
	crv, clabel, cfield := cs.str(o.ResourceVersion), cs.str(o.LabelSelector), cs.str(o.FieldSelector)
	var w *KubeWatch
	err = k.call(ctx, func(p *C.cicd_kube_client) error {
		var out *C.cicd_kube_watch
		var cerr *C.cicd_error
		rc := C.shim_kube_watch_new(&out, p, cav, ckind, cns, crv, clabel, cfield, cbool(!o.NoBookmarks), timeout, &cerr)
		if err := fromC(rc, cerr); err != nil {
			return err
		}
		st := &watchState{ptr: out}
		k.watches[st] = struct{}{}
		w = &KubeWatch{client: k, st: st}
		return nil
	})
	if err != nil {
		return nil, err
	}
	runtime.SetFinalizer(w, (*KubeWatch).Close)
	return w, nil
}

// live is the C watch; the client's mutex is held.
func (w *KubeWatch) live() *C.cicd_kube_watch {
	if w.st.ptr == nil {
		if w.st.closedByClient {
			panic("cicd: use of a KubeWatch whose KubeClient was closed")
		}
		panic("cicd: use of a closed KubeWatch")
	}
	return w.st.ptr
}

// Next waits for the next event until ctx ends (then it returns ctx.Err()).
// It waits in slices of at most 200 ms, releasing the client between them.
// Called on a closed watch it panics; a watch closed (or whose client is
// closed) by another goroutine while Next waits makes it return
// ErrCanceled.
func (w *KubeWatch) Next(ctx context.Context) (KubeEvent, error) {
	check := func() error { w.live(); return nil }
	for {
		slice := watchSlice
		if deadline, ok := ctx.Deadline(); ok {
			if left := time.Until(deadline); left < slice {
				slice = max(left, 0)
			}
		}
		ev, got, err := w.next(ctx, slice, check)
		if err != nil || got {
			return ev, err
		}
		check = w.closedWhileWaiting
	}
}

func (w *KubeWatch) closedWhileWaiting() error {
	if w.st.ptr == nil {
		return &Error{Code: ErrCodeCanceled, Message: "cicd: the KubeWatch was closed while Next waited"}
	}
	return nil
}

// next waits up to one slice; got is false when nothing came in time.
func (w *KubeWatch) next(ctx context.Context, slice time.Duration, check func() error) (ev KubeEvent, got bool, err error) {
	err = w.client.callChecked(ctx, check, func(*C.cicd_kube_client) error {
		ptr := w.st.ptr
		var typ C.int
		var buf C.cicd_buf
		var cerr *C.cicd_error
		rc := C.shim_kube_watch_next(&typ, &buf, ptr, C.long(slice/time.Millisecond), &cerr)
		w.st.refresh()
		obj, err := takeJSON(rc, &buf, cerr)
		if errors.Is(err, ErrTimeout) {
			return nil
		}
		if err != nil {
			return err
		}
		ev, got = KubeEvent{Type: KubeEventType(typ), Object: obj}, true
		return nil
	})
	return ev, got, err
}

// ResourceVersion is the last resourceVersion seen ("" before the first).
// It stays readable after Close.
func (w *KubeWatch) ResourceVersion() string {
	w.client.mu.Lock()
	defer w.client.mu.Unlock()
	return w.st.resourceVersion
}

// Relists is how many times the watch listed the kind again after 410 Gone.
func (w *KubeWatch) Relists() int {
	w.client.mu.Lock()
	defer w.client.mu.Unlock()
	return w.st.relists
}

// Close stops the watch. Safe to call twice, and after the client's Close.
func (w *KubeWatch) Close() error {
	w.client.mu.Lock()
	defer w.client.mu.Unlock()
	if w.st.ptr != nil {
		w.st.free(false)
		delete(w.client.watches, w.st)
		runtime.SetFinalizer(w, nil)
	}
	return nil
}

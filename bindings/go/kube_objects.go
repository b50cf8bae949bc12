package cicd

// Reading and writing objects: Resolve, Get, List, Create, Delete.

/*
#include <stdint.h>
#include <stdlib.h>
#include <cicd/cicd.h>
#include <cicd/kube.h>

extern int cicdGoKubeItem(char *json, size_t len, uintptr_t handle);

#define SHIM_END(rc) do { if ((rc) < 0) cicd_error_dup(err); return (rc); } while (0)

// The item is borrowed for the callback: Go gets a JSON copy.
static int shim_kube_item(const cicd_node *item, void *payload)
{
	cicd_buf json = CICD_BUF_INIT;
	int rc = cicd_node_to_json(&json, item, 0);
	if (rc == 0)
		rc = cicdGoKubeItem(json.ptr, json.size, (uintptr_t)payload);
	cicd_buf_dispose(&json);
	return rc;
}

static int shim_kube_resolve(cicd_buf *api_version, cicd_buf *kind, int *namespaced, cicd_kube_client *c,
			     const char *name, cicd_error **err)
{
	int rc = cicd_kube_resolve(api_version, kind, namespaced, c, name);
	SHIM_END(rc);
}

static int shim_kube_get(cicd_buf *out, cicd_kube_client *c, const char *api_version, const char *kind,
			 const char *ns, const char *name, cicd_error **err)
{
	int rc = cicd_kube_get(out, c, api_version, kind, ns, name);
	SHIM_END(rc);
}

static int shim_kube_list(cicd_buf *rv, cicd_kube_client *c, const char *api_version, const char *kind, const char *ns,
			  const char *label_selector, const char *field_selector, unsigned page_size, int all_namespaces,
			  uintptr_t handle, cicd_error **err)
{
	cicd_kube_list_options o = CICD_KUBE_LIST_OPTIONS_INIT;
	int rc;
	o.label_selector = label_selector;
	o.field_selector = field_selector;
	o.page_size = page_size;
	o.all_namespaces = all_namespaces;
	rc = cicd_kube_list(rv, c, api_version, kind, ns, &o, handle ? shim_kube_item : NULL, (void *)handle);
	SHIM_END(rc);
}

static int shim_kube_create(cicd_buf *out, cicd_kube_client *c, const char *json, size_t len, cicd_error **err)
{
	int rc = cicd_kube_create(out, c, json ? json : "", len);
	SHIM_END(rc);
}

static int shim_kube_delete(cicd_kube_client *c, const char *api_version, const char *kind, const char *ns,
			    const char *name, int propagation, long grace_period_seconds, int dry_run, cicd_error **err)
{
	cicd_kube_delete_options o = CICD_KUBE_DELETE_OPTIONS_INIT;
	int rc;
	o.propagation = (cicd_kube_propagation)propagation;
	o.grace_period_seconds = grace_period_seconds;
	o.dry_run = dry_run;
	rc = cicd_kube_delete(c, api_version, kind, ns, name, &o);
	SHIM_END(rc);
}
*/
import "C"

import (
	"context"
	"encoding/json"
	"math"
	"runtime"
	"runtime/cgo"
	"time"
)

// cbool is a Go bool as a C int.
func cbool(v bool) C.int {
	if v {
		return 1
	}
	return 0
}

// takeJSON copies a reply out of buf (disposed) as JSON.
func takeJSON(rc C.int, buf *C.cicd_buf, cerr *C.cicd_error) (json.RawMessage, error) {
	defer C.cicd_buf_dispose(buf)
	if err := fromC(rc, cerr); err != nil {
		return nil, err
	}
	return C.GoBytes(unsafePointer(buf.ptr), C.int(buf.size)), nil
}

// Resolve turns what a user typed ("deploy", "deployments",
// "deployments.apps", "Widget.example.com") into apiVersion and kind through
// API discovery; namespaced tells whether objects of the kind live in a
// namespace. ErrNotFound when no resource matches.
func (k *KubeClient) Resolve(ctx context.Context, name string) (apiVersion, kind string, namespaced bool, err error) {
	var cs cstrs
	defer cs.release()
	cname := cs.str(name)
	err = k.call(ctx, func(p *C.cicd_kube_client) error {
		var av, kd C.cicd_buf
		var ns C.int
		var cerr *C.cicd_error
		rc := C.shim_kube_resolve(&av, &kd, &ns, p, cname, &cerr)
		defer C.cicd_buf_dispose(&kd)
		var err error
		if apiVersion, err = takeText(rc, &av, cerr); err != nil {
			return err
		}
		kind, namespaced = C.GoStringN(kd.ptr, C.int(kd.size)), ns != 0
		return nil
	})
	if err != nil {
		return "", "", false, err
	}
	return apiVersion, kind, namespaced, nil
}

// Get returns a copy of the object's JSON (namespace "": the client's; it is
// ignored for cluster-scoped kinds). ErrNotFound when it does not exist.
func (k *KubeClient) Get(ctx context.Context, apiVersion, kind, namespace, name string) (json.RawMessage, error) {
	var cs cstrs
	defer cs.release()
	cav, ckind, cns, cname := cs.str(apiVersion), cs.str(kind), cs.str(namespace), cs.str(name)
	var obj json.RawMessage
	err := k.call(ctx, func(p *C.cicd_kube_client) error {
		var buf C.cicd_buf
		var cerr *C.cicd_error
		var err error
		obj, err = takeJSON(C.shim_kube_get(&buf, p, cav, ckind, cns, cname, &cerr), &buf, cerr)
		return err
	})
	return obj, err
}

// KubeListOptions: zero values list everything in the namespace, 500 objects
// per request.
type KubeListOptions struct {
	LabelSelector string
	FieldSelector string
	PageSize      int  // objects per request (limit/continue); 0: 500
	AllNamespaces bool // list across namespaces (the namespace argument is ignored)
}

// itemState is what List shares with its callback.
type itemState struct {
	cbState
	fn func(json.RawMessage) error
}

// List calls fn with a copy of each object of a kind (namespace "": the
// client's), fetched page by page, and returns the list's resourceVersion:
// the point a Watch can start from. An error from fn stops the listing and
// is returned as is. fn may be nil to get only the resourceVersion.
func (k *KubeClient) List(ctx context.Context, apiVersion, kind, namespace string, o *KubeListOptions,
	fn func(json.RawMessage) error) (resourceVersion string, err error) {
	if o == nil {
		o = &KubeListOptions{}
	}
	if o.PageSize < 0 || o.PageSize > math.MaxUint32 {
		return "", invalidf("KubeListOptions.PageSize must be between 0 and %d, got %d", uint32(math.MaxUint32), o.PageSize)
	}
	var cs cstrs
	defer cs.release()
	cav, ckind, cns := cs.str(apiVersion), cs.str(kind), cs.str(namespace)
	clabel, cfield := cs.str(o.LabelSelector), cs.str(o.FieldSelector)
	st := &itemState{fn: fn}
	var handle cgo.Handle
	if fn != nil {
		handle = cgo.NewHandle(st)
		defer handle.Delete()
	}
	err = k.call(ctx, func(p *C.cicd_kube_client) error {
		var rv C.cicd_buf
		var cerr *C.cicd_error
		rc := C.shim_kube_list(&rv, p, cav, ckind, cns, clabel, cfield, C.uint(o.PageSize), cbool(o.AllNamespaces),
			C.uintptr_t(handle), &cerr)
		defer C.cicd_buf_dispose(&rv)
		if err := st.result(rc, cerr); err != nil {
			return err
		}
		resourceVersion = C.GoStringN(rv.ptr, C.int(rv.size))
		return nil
	})
	if err != nil {
		return "", err
	}
	return resourceVersion, nil
}

// Create creates the object given as JSON and returns it as stored.
// ErrExists when it is already there.
func (k *KubeClient) Create(ctx context.Context, object []byte) (json.RawMessage, error) {
	var obj json.RawMessage
	err := k.call(ctx, func(p *C.cicd_kube_client) error {
		var buf C.cicd_buf
		var cerr *C.cicd_error
		rc := C.shim_kube_create(&buf, p, bytesPtr(object), C.size_t(len(object)), &cerr)
		runtime.KeepAlive(object)
		var err error
		obj, err = takeJSON(rc, &buf, cerr)
		return err
	})
	return obj, err
}

// Propagation is how a delete treats the object's dependents.
type Propagation int

const (
	PropagationDefault    Propagation = C.CICD_KUBE_PROPAGATION_DEFAULT // the kind's default
	PropagationBackground Propagation = C.CICD_KUBE_PROPAGATION_BACKGROUND
	PropagationForeground Propagation = C.CICD_KUBE_PROPAGATION_FOREGROUND
	PropagationOrphan     Propagation = C.CICD_KUBE_PROPAGATION_ORPHAN
)

// String is Kubernetes' propagationPolicy word, or "default".
func (p Propagation) String() string {
	switch p {
	case PropagationDefault:
		return "default"
	case PropagationBackground:
		return "Background"
	case PropagationForeground:
		return "Foreground"
	case PropagationOrphan:
		return "Orphan"
	}
	return "unknown"
}

// KubeDeleteOptions: zero values delete with the kind's propagation and the
// object's grace period.
type KubeDeleteOptions struct {
	Propagation Propagation
	// GracePeriod in whole seconds; nil: the object's default (0 deletes at once).
	GracePeriod *time.Duration
	DryRun      bool // validated by the server, nothing deleted
}

// Delete asks for an object's deletion (finalizers may keep it a while).
// ErrNotFound when it does not exist.
func (k *KubeClient) Delete(ctx context.Context, apiVersion, kind, namespace, name string, o *KubeDeleteOptions) error {
	if o == nil {
		o = &KubeDeleteOptions{}
	}
	if o.Propagation < PropagationDefault || o.Propagation > PropagationOrphan {
		return invalidf("unknown KubeDeleteOptions.Propagation %d", int(o.Propagation))
	}
	grace := C.long(-1)
	if o.GracePeriod != nil {
		var err error
		if grace, err = wholeSeconds("KubeDeleteOptions.GracePeriod", *o.GracePeriod); err != nil {
			return err
		}
	}
	var cs cstrs
	defer cs.release()
	cav, ckind, cns, cname := cs.str(apiVersion), cs.str(kind), cs.str(namespace), cs.str(name)
	return k.call(ctx, func(p *C.cicd_kube_client) error {
		var cerr *C.cicd_error
		rc := C.shim_kube_delete(p, cav, ckind, cns, cname, C.int(o.Propagation), grace, cbool(o.DryRun), &cerr)
		return fromC(rc, cerr)
	})
}

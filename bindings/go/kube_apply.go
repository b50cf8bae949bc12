package cicd

// Server-side apply: one object, a set of documents, a manifest set.

/*
#include <stdint.h>
#include <stdlib.h>
#include <cicd/cicd.h>
#include <cicd/kube.h>

extern int cicdGoKubeApplyItem(cicd_kube_apply_item *item, uintptr_t handle);

#define SHIM_END(rc) do { if ((rc) < 0) cicd_error_dup(err); return (rc); } while (0)

static int shim_kube_apply_item(const cicd_kube_apply_item *item, void *payload)
{
	return cicdGoKubeApplyItem((cicd_kube_apply_item *)item, (uintptr_t)payload);
}

static void shim_apply_options(cicd_kube_apply_options *o, const char *field_manager, int force, int dry_run,
			       const char *ns, long wait_established_ms)
{
	cicd_kube_apply_options init = CICD_KUBE_APPLY_OPTIONS_INIT;
	*o = init;
	o->field_manager = field_manager;
	o->force = force;
	o->dry_run = dry_run;
	o->namespace_name = ns;
	o->wait_established_ms = wait_established_ms;
}

static int shim_kube_apply(int *action, cicd_buf *out, cicd_kube_client *c, const cicd_node *object,
			   const char *field_manager, int force, int dry_run, const char *ns, long wait_ms, cicd_error **err)
{
	cicd_kube_apply_options o;
	cicd_kube_apply_action a = 0;
	int rc;
	shim_apply_options(&o, field_manager, force, dry_run, ns, wait_ms);
	rc = cicd_kube_apply(&a, out, c, object, &o);
	*action = (int)a;
	SHIM_END(rc);
}

static int shim_kube_apply_set(cicd_kube_client *c, const cicd_document *const *docs, size_t count,
			       const char *field_manager, int force, int dry_run, const char *ns, long wait_ms,
			       uintptr_t handle, cicd_error **err)
{
	cicd_kube_apply_options o;
	int rc;
	shim_apply_options(&o, field_manager, force, dry_run, ns, wait_ms);
	rc = cicd_kube_apply_set(c, docs, count, &o, handle ? shim_kube_apply_item : NULL, (void *)handle);
	SHIM_END(rc);
}

static int shim_kube_apply_manifests(cicd_kube_client *c, cicd_manifest_set *set, const char *field_manager, int force,
				     int dry_run, const char *ns, long wait_ms, uintptr_t handle, cicd_error **err)
{
	cicd_kube_apply_options o;
	int rc;
	shim_apply_options(&o, field_manager, force, dry_run, ns, wait_ms);
	rc = cicd_kube_apply_manifests(c, set, &o, handle ? shim_kube_apply_item : NULL, (void *)handle);
	SHIM_END(rc);
}
*/
import "C"

import (
	"context"
	"encoding/json"
	"runtime"
	"runtime/cgo"
	"time"
)

// ApplyAction is what a server-side apply did to an object.
type ApplyAction int

const (
	ApplyCreated    ApplyAction = C.CICD_KUBE_APPLY_CREATED
	ApplyConfigured ApplyAction = C.CICD_KUBE_APPLY_CONFIGURED
	ApplyUnchanged  ApplyAction = C.CICD_KUBE_APPLY_UNCHANGED
)

// String is "created", "configured", "unchanged" ("failed" for the zero
// value of a failed object).
func (a ApplyAction) String() string {
	return C.GoString(C.cicd_kube_apply_action_name(C.cicd_kube_apply_action(a)))
}

// KubeApplyOptions: zero values apply as field manager "cicd", without
// force, into the client's namespace, waiting up to 60 s for a set's CRDs.
type KubeApplyOptions struct {
	FieldManager string // "": "cicd"
	Force        bool   // take fields owned by other managers instead of failing with ErrConflict
	DryRun       bool   // dryRun=All: validated and admitted, never stored
	Namespace    string // for namespaced objects that name none; "": the client's
	// WaitEstablished bounds the wait of ApplySet and ApplyManifests for a
	// CRD to be Established and a Namespace to exist; 0: 60 s.
	WaitEstablished time.Duration
}

// applyArgs are the options as C wants them; release frees the strings.
type applyArgs struct {
	cs                cstrs
	fieldManager, ns  *C.char
	force, dryRun     C.int
	waitEstablishedMS C.long
}

func newApplyArgs(o *KubeApplyOptions) (*applyArgs, error) {
	if o == nil {
		o = &KubeApplyOptions{}
	}
	wait, err := milliseconds("KubeApplyOptions.WaitEstablished", o.WaitEstablished)
	if err != nil {
		return nil, err
	}
	a := &applyArgs{force: cbool(o.Force), dryRun: cbool(o.DryRun), waitEstablishedMS: wait}
	a.fieldManager, a.ns = a.cs.str(o.FieldManager), a.cs.str(o.Namespace)
	return a, nil
}

// Apply server-side applies one object (a mapping with apiVersion, kind and
// metadata.name) and returns what happened and a copy of the object as the
// server returned it. A conflict with another field manager is ErrConflict
// naming each manager and field; an object that is not one is ErrInvalid
// with its position.
func (k *KubeClient) Apply(ctx context.Context, object *Node, o *KubeApplyOptions) (ApplyAction, json.RawMessage, error) {
	if object == nil {
		return 0, nil, invalidf("Apply of a nil node")
	}
	a, err := newApplyArgs(o)
	if err != nil {
		return 0, nil, err
	}
	defer a.cs.release()
	var action C.int
	var obj json.RawMessage
	err = k.call(ctx, func(p *C.cicd_kube_client) error {
		var buf C.cicd_buf
		var cerr *C.cicd_error
		rc := C.shim_kube_apply(&action, &buf, p, object.live(), a.fieldManager, a.force, a.dryRun, a.ns,
			a.waitEstablishedMS, &cerr)
		runtime.KeepAlive(object.doc)
		var err error
		obj, err = takeJSON(rc, &buf, cerr)
		return err
	})
	if err != nil {
		return 0, nil, err
	}
	return ApplyAction(action), obj, nil
}

// ApplyResult is what happened to one object of ApplySet or ApplyManifests.
type ApplyResult struct {
	APIVersion, Kind string
	Namespace        string // "" for cluster-scoped objects
	Name             string
	Action           ApplyAction // 0 when Err is set
	Err              error       // nil, or an *Error with the object's failure
	File             string      // where the object was read
	Line             int
}

// applyState is what ApplySet and ApplyManifests share with their callback.
type applyState struct {
	cbState
	fn func(ApplyResult) error
}

// ApplySet applies every object of the documents in dependency order:
// Namespaces and CustomResourceDefinitions first (a custom kind's objects
// wait until its CRD is Established), workloads last, the objects of one
// rank in parallel. fn (may be nil) gets each object's result in order; an
// error from it stops the set and is returned as is. The error is the first
// failure's, after the other objects of its rank reported.
func (k *KubeClient) ApplySet(ctx context.Context, docs []*Document, o *KubeApplyOptions, fn func(ApplyResult) error) error {
	ptrs := make([]*C.cicd_document, len(docs)+1) // never empty, so &ptrs[0] is valid
	for i, d := range docs {
		if d == nil {
			return invalidf("ApplySet document %d is nil", i)
		}
		ptrs[i] = d.live()
	}
	return k.applyMany(ctx, o, fn, func(p *C.cicd_kube_client, a *applyArgs, handle cgo.Handle, cerr **C.cicd_error) C.int {
		rc := C.shim_kube_apply_set(p, &ptrs[0], C.size_t(len(docs)), a.fieldManager, a.force, a.dryRun, a.ns,
			a.waitEstablishedMS, C.uintptr_t(handle), cerr)
		runtime.KeepAlive(docs)
		return rc
	})
}

// ApplyManifests applies a manifest set the same way, in the manifest
// module's apply order (the set is sorted in place with OrderApply).
// Validate the set first to report every problem with its position.
func (k *KubeClient) ApplyManifests(ctx context.Context, set *ManifestSet, o *KubeApplyOptions, fn func(ApplyResult) error) error {
	if set == nil {
		return invalidf("ApplyManifests of a nil ManifestSet")
	}
	cset := set.live()
	return k.applyMany(ctx, o, fn, func(p *C.cicd_kube_client, a *applyArgs, handle cgo.Handle, cerr **C.cicd_error) C.int {
		rc := C.shim_kube_apply_manifests(p, cset, a.fieldManager, a.force, a.dryRun, a.ns, a.waitEstablishedMS,
			C.uintptr_t(handle), cerr)
		runtime.KeepAlive(set)
		return rc
	})
}

func (k *KubeClient) applyMany(ctx context.Context, o *KubeApplyOptions, fn func(ApplyResult) error,
	run func(p *C.cicd_kube_client, a *applyArgs, handle cgo.Handle, cerr **C.cicd_error) C.int) error {
	a, err := newApplyArgs(o)
	if err != nil {
		return err
	}
	defer a.cs.release()
	st := &applyState{fn: fn}
	var handle cgo.Handle
	if fn != nil {
		handle = cgo.NewHandle(st)
		defer handle.Delete()
	}
	return k.call(ctx, func(p *C.cicd_kube_client) error {
		var cerr *C.cicd_error
		rc := run(p, a, handle, &cerr)
		return st.result(rc, cerr)
	})
}

// applyResult copies a borrowed C item.
func applyResult(item *C.cicd_kube_apply_item) ApplyResult {
	r := ApplyResult{
		APIVersion: C.GoString(item.api_version),
		Kind:       C.GoString(item.kind),
		Namespace:  C.GoString(item.namespace_name),
		Name:       C.GoString(item.name),
		Action:     ApplyAction(item.action),
		File:       C.GoString(item.file),
		Line:       int(item.line),
	}
	if item.error != 0 {
		code := Code(item.error)
		msg := C.GoString(item.message)
		if msg == "" {
			msg = code.String()
		}
		r.Err = &Error{Code: code, Message: msg}
	}
	return r
}

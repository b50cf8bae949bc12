package cicd

// Callbacks from the library into Go: the include resolver, the `exists`
// and `compare_to` answers of a trigger, deploy progress and log lines, and the kube module's
// listed items, apply results and streamed bytes. A file with //export may
// only declare C in its preamble, so the shims that call these are in
// pipeline.go, plan.go, deploy.go and kube_*.go.

/*
#include <stdint.h>
#include <stdlib.h>
#include <cicd/cicd.h>
#include <cicd/pipeline.h>
#include <cicd/plan.h>
#include <cicd/deploy.h>
#include <cicd/kube.h>
*/
import "C"

import (
	"encoding/json"
	"errors"
	"runtime"
	"runtime/cgo"
	"unsafe"
)

// resolveState is what a load with a Go resolver shares with the callback.
type resolveState struct {
	resolver IncludeResolver
	err      error // the first error other than ErrNotFound, returned by the load
}

//export cicdGoResolve
func cicdGoResolve(result *C.cicd_include_result, req *C.cicd_include_request, handle C.uintptr_t) C.int {
	st := cgo.Handle(handle).Value().(*resolveState)
	if st.err != nil {
		return C.CICD_EUSER
	}
	r := IncludeRequest{
		Kind:     IncludeKind(req.kind),
		Location: C.GoString(req.location),
		Project:  C.GoString(req.project),
		Ref:      C.GoString(req.ref),
		Parent:   C.GoString(req.parent),
		Depth:    int(req.depth),
	}
	data, name, err := st.resolver(r)
	if errors.Is(err, ErrNotFound) {
		return C.CICD_ENOTFOUND
	}
	if err != nil {
		st.err = err
		msg := C.CString("the include resolver failed")
		C.cicd_include_result_fail(result, msg)
		C.free(unsafe.Pointer(msg))
		return C.CICD_EUSER
	}
	var cname *C.char
	if name != "" {
		cname = C.CString(name)
		defer C.free(unsafe.Pointer(cname))
	}
	// The library copies the content during this call.
	rc := C.cicd_include_result_set(result, bytesPtr(data), C.size_t(len(data)), cname)
	runtime.KeepAlive(data)
	return rc
}

// triggerState is what a plan or load with a trigger's Go functions (Exists,
// Compare) shares with their callbacks; err keeps the first error one returned.
type triggerState struct {
	exists  func(glob string) (bool, error)
	compare func(ref string) ([]string, error)
	err     error
}

//export cicdGoExists
func cicdGoExists(found *C.int, glob *C.char, handle C.uintptr_t) C.int {
	st := cgo.Handle(handle).Value().(*triggerState)
	if st.err != nil {
		return C.CICD_EUSER
	}
	ok, err := st.exists(C.GoString(glob))
	if err != nil {
		st.err = err
		return C.CICD_EUSER
	}
	*found = 0
	if ok {
		*found = 1
	}
	return 0
}

//export cicdGoCompare
func cicdGoCompare(changed *C.cicd_path_list, ref *C.char, handle C.uintptr_t) C.int {
	st := cgo.Handle(handle).Value().(*triggerState)
	if st.err != nil {
		return C.CICD_EUSER
	}
	paths, err := st.compare(C.GoString(ref))
	if errors.Is(err, ErrNotFound) {
		return C.CICD_ENOTFOUND // the ref names no commit
	}
	if err != nil {
		st.err = err
		return C.CICD_EUSER
	}
	for _, p := range paths {
		cp := C.CString(p)
		rc := C.cicd_path_list_add(changed, cp)
		C.free(unsafe.Pointer(cp))
		if rc != 0 {
			return rc
		}
	}
	return 0
}

//export cicdGoProgress
func cicdGoProgress(level C.int, message, fields *C.char, handle C.uintptr_t) {
	st := cgo.Handle(handle).Value().(*progressState)
	var f map[string]any
	_ = json.Unmarshal([]byte(C.GoString(fields)), &f)
	st.fn(int(level), C.GoString(message), f)
}

//export cicdGoLogLine
func cicdGoLogLine(seq, at C.longlong, level C.int, message, fields *C.char, handle C.uintptr_t) C.int {
	st := cgo.Handle(handle).Value().(*logState)
	var f map[string]any
	_ = json.Unmarshal([]byte(C.GoString(fields)), &f)
	if err := st.fn(LogLine{Seq: int64(seq), AtMS: int64(at), Level: int(level), Message: C.GoString(message), Fields: f}); err != nil {
		st.err = err
		return C.CICD_EUSER
	}
	return 0
}

//export cicdGoKubeItem
func cicdGoKubeItem(data *C.char, n C.size_t, handle C.uintptr_t) C.int {
	st := cgo.Handle(handle).Value().(*itemState)
	obj := json.RawMessage(C.GoBytes(unsafe.Pointer(data), C.int(n)))
	return st.run(func() error { return st.fn(obj) })
}

//export cicdGoKubeApplyItem
func cicdGoKubeApplyItem(item *C.cicd_kube_apply_item, handle C.uintptr_t) C.int {
	st := cgo.Handle(handle).Value().(*applyState)
	r := applyResult(item)
	return st.run(func() error { return st.fn(r) })
}

//export cicdGoKubeData
func cicdGoKubeData(data *C.char, n C.size_t, handle C.uintptr_t) C.int {
	st := cgo.Handle(handle).Value().(*dataState)
	b := C.GoBytes(unsafe.Pointer(data), C.int(n))
	return st.run(func() error { return st.fn(b) })
}

//export cicdGoLog
func cicdGoLog(level C.int, message *C.char) {
	deliverLog(LogLevel(level), C.GoString(message))
}

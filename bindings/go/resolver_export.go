package cicd

// The include resolver's way back into Go. A file with //export may only
// declare C in its preamble, so the shims that call it are in pipeline.go.

/*
#include <stdint.h>
#include <stdlib.h>
#include <cicd/cicd.h>
#include <cicd/pipeline.h>
*/
import "C"

import (
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

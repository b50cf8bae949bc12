package cicd

/*
#cgo pkg-config: libcicd
#include <stdlib.h>
#include <cicd/cicd.h>
*/
import "C"

import (
	"fmt"
	"unsafe"
)

// Code is a libcicd error code (a negative CICD_E* number).
type Code int

// The library's error codes; the numbers never change.
const (
	ErrCodeGeneric     Code = C.CICD_ERROR
	ErrCodeNoMemory    Code = C.CICD_ENOMEM
	ErrCodeNotFound    Code = C.CICD_ENOTFOUND
	ErrCodeInvalid     Code = C.CICD_EINVALID
	ErrCodeParse       Code = C.CICD_EPARSE
	ErrCodeLimit       Code = C.CICD_ELIMIT
	ErrCodeIO          Code = C.CICD_EIO
	ErrCodeHTTP        Code = C.CICD_EHTTP
	ErrCodeTimeout     Code = C.CICD_ETIMEOUT
	ErrCodeValidate    Code = C.CICD_EVALIDATE
	ErrCodeExists      Code = C.CICD_EEXISTS
	ErrCodeConflict    Code = C.CICD_ECONFLICT
	ErrCodeAuth        Code = C.CICD_EAUTH
	ErrCodeTLS         Code = C.CICD_ETLS
	ErrCodeUnsupported Code = C.CICD_EUNSUPPORTED
	ErrCodeDenied      Code = C.CICD_EDENIED
	ErrCodeStore       Code = C.CICD_ESTORE
	ErrCodeCanceled    Code = C.CICD_ECANCELED
	ErrCodeUser        Code = C.CICD_EUSER
)

// Name is the code's symbolic name, such as "CICD_EPARSE".
func (c Code) Name() string { return C.GoString(C.cicd_error_name(C.int(c))) }

// String is the code's short description.
func (c Code) String() string { return C.GoString(C.cicd_strerror(C.int(c))) }

// Error is a libcicd failure. File, Line and Column are set for input errors
// (1-based; 0 when unknown). Compare with errors.Is against the Err* values.
type Error struct {
	Code    Code
	Message string
	File    string
	Line    int
	Column  int
	// Diagnostics lists every error and warning when loading a pipeline
	// failed validation (the first error is the one above).
	Diagnostics []Diagnostic
}

func (e *Error) Error() string {
	if e.File != "" && e.Line > 0 {
		return fmt.Sprintf("%s:%d:%d: %s", e.File, e.Line, e.Column, e.Message)
	}
	return e.Message
}

// Is reports whether target is an *Error with the same code, so that
// errors.Is(err, cicd.ErrParse) works.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Code == e.Code && t.Message == ""
}

// Sentinels for errors.Is.
var (
	ErrNoMemory    = &Error{Code: ErrCodeNoMemory}
	ErrNotFound    = &Error{Code: ErrCodeNotFound}
	ErrInvalid     = &Error{Code: ErrCodeInvalid}
	ErrParse       = &Error{Code: ErrCodeParse}
	ErrLimit       = &Error{Code: ErrCodeLimit}
	ErrIO          = &Error{Code: ErrCodeIO}
	ErrValidate    = &Error{Code: ErrCodeValidate}
	ErrTimeout     = &Error{Code: ErrCodeTimeout}
	ErrExists      = &Error{Code: ErrCodeExists}
	ErrConflict    = &Error{Code: ErrCodeConflict}
	ErrDenied      = &Error{Code: ErrCodeDenied}
	ErrCanceled    = &Error{Code: ErrCodeCanceled}
	ErrHTTP        = &Error{Code: ErrCodeHTTP}
	ErrAuth        = &Error{Code: ErrCodeAuth}
	ErrTLS         = &Error{Code: ErrCodeTLS}
	ErrUnsupported = &Error{Code: ErrCodeUnsupported}
)

// fromC turns a status and the error copied by a shim into a Go error, and
// frees the copy.
func fromC(rc C.int, e *C.cicd_error) error {
	if rc >= 0 {
		if e != nil {
			C.cicd_error_free(e)
		}
		return nil
	}
	if e == nil {
		return &Error{Code: Code(rc), Message: Code(rc).String()}
	}
	defer C.cicd_error_free(e)
	return &Error{
		Code:    Code(e.code),
		Message: C.GoString(e.message),
		File:    C.GoString(e.file),
		Line:    int(e.line),
		Column:  int(e.column),
	}
}

// Version is the version of the libcicd the program runs on.
func Version() string { return C.GoString(C.cicd_version()) }

// VersionNumbers is the version of the libcicd the program runs on as numbers.
func VersionNumbers() (major, minor, patch int) {
	var ma, mi, pa C.int
	C.cicd_version_numbers(&ma, &mi, &pa)
	return int(ma), int(mi), int(pa)
}

func cstring(s string) *C.char { return C.CString(s) }

func free(p *C.char) { C.free(unsafe.Pointer(p)) }

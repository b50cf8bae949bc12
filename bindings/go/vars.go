package cicd

import "C"

import (
	"sort"
	"unsafe"
)

// packedStrings lays strings out for C in one Go byte slice: each string is
// followed by a NUL, and offs holds (offset, length) pairs. Both slices are
// free of Go pointers, so they may be passed to C for the duration of a call.
type packedStrings struct {
	blob []byte
	offs []uintptr
}

func packStrings(list ...string) packedStrings {
	var p packedStrings
	size := 0
	for _, s := range list {
		size += len(s) + 1
	}
	p.blob = make([]byte, 0, size+1)
	p.offs = make([]uintptr, 0, 2*len(list)+1)
	for _, s := range list {
		p.offs = append(p.offs, uintptr(len(p.blob)), uintptr(len(s)))
		p.blob = append(p.blob, s...)
		p.blob = append(p.blob, 0)
	}
	// Never empty, so &blob[0] and &offs[0] are always valid.
	p.blob = append(p.blob, 0)
	p.offs = append(p.offs, 0)
	return p
}

func (p *packedStrings) ptrs() (unsafe.Pointer, unsafe.Pointer) {
	return unsafe.Pointer(&p.blob[0]), unsafe.Pointer(&p.offs[0])
}

// packVars packs a variable map as name, value, name, value... sorted by
// name, for the binary search of the C lookup shim.
func packVars(vars map[string]string) (packedStrings, int) {
	names := make([]string, 0, len(vars))
	for k := range vars {
		names = append(names, k)
	}
	sort.Strings(names)
	list := make([]string, 0, 2*len(names))
	for _, k := range names {
		list = append(list, k, vars[k])
	}
	return packStrings(list...), len(names)
}

func unsafePointer(p *C.char) unsafe.Pointer { return unsafe.Pointer(p) }

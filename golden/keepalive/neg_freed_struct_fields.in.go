package p

// #include <stdlib.h>
// typedef struct { char *key; char *value; } attr;
// static char *upper(char *s) { return s; }
import "C"

import (
	"runtime"
	"unsafe"
)

// The finalizer frees only the attr block itself, with C.free; key and value are separate
// allocations it never frees. A getter hands C the pointer loaded from the block before the
// call, so the call never touches memory the finalizer frees (no finding).
type Attribute struct {
	native *C.attr
}

func wrap(p unsafe.Pointer) *Attribute {
	a := &Attribute{native: (*C.attr)(p)}
	runtime.SetFinalizer(a, func(a *Attribute) {
		C.free(unsafe.Pointer(a.native))
	})
	return a
}

func (a *Attribute) Key() string {
	return C.GoString(a.native.key)
}

func (a *Attribute) Upper() *C.char {
	return C.upper(a.native.value)
}

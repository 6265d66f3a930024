// gomapfix-golden: --unsafe-fixes

package attrs

// #include <stdlib.h>
// #include <string.h>
// typedef struct { char *key; } attr;
// static size_t key_len(attr *a) { return a->key ? strlen(a->key) : 0; }
import "C"

import (
	"runtime"
	"unsafe"
)

// Attribute is what callers hold; it embeds the finalized part.
type Attribute struct {
	*attribute
}

// attribute owns the C struct; its finalizer frees it.
type attribute struct {
	native *C.attr
}

func wrap(p *C.attr) *Attribute {
	inner := &attribute{native: p}
	runtime.SetFinalizer(inner, func(a *attribute) { C.free(unsafe.Pointer(a.native)) })
	outer := &Attribute{inner}
	// An empty cleanup on the outer object releases nothing: the finalizer of the
	// embedded *attribute is the one that frees native.
	runtime.AddCleanup(outer, func(struct{}) {}, struct{}{})
	return outer
}

// KeyLen hands C a.native, the block the finalizer of a's attribute frees.
func (a *Attribute) KeyLen() int {
	return int(C.key_len(a.native))
}

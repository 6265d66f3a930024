package p

// #include <stdlib.h>
// #include <string.h>
import "C"

import (
	"runtime"
	"unsafe"
)

type widget struct {
	c *C.char
}

func newWidget() *widget {
	w := &widget{c: (*C.char)(C.malloc(16))}
	runtime.SetFinalizer(w, func(w *widget) { C.free(unsafe.Pointer(w.c)) })
	return w
}

// Both widgets must outlive the call, in the order of the arguments.
func copyTo(dst, src *widget) {
	C.strncpy(dst.c, src.c, 15)
}

func equal(a, b *widget) bool {
	return C.strcmp(a.c, b.c) == 0
}

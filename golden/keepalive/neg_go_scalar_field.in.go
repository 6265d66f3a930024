package p

// #include <stdlib.h>
// static int num(int n) { return n; }
import "C"

import (
	"runtime"
	"unsafe"
)

type widget struct {
	c *C.char
	n int
}

func newWidget() *widget {
	w := &widget{c: (*C.char)(C.malloc(16)), n: 4}
	runtime.SetFinalizer(w, func(w *widget) { C.free(unsafe.Pointer(w.c)) })
	return w
}

// w.n is a Go int copied into the argument: nothing of w's C memory is used.
func (w *widget) count() C.int {
	return C.num(C.int(w.n))
}

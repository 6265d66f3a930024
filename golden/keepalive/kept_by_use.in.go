package p

// #include <stdlib.h>
// static int use(char *p) { return p != 0; }
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

// Each owner is used again after the call, so it is reachable while C runs:
// nothing to add.
func (w *widget) Close() {
	C.free(unsafe.Pointer(w.c))
	w.c = nil
	runtime.SetFinalizer(w, nil)
}

func (w *widget) size(extra int) int {
	n := C.use(w.c)
	return int(n) + extra + len(w.name())
}

func (w *widget) name() string { return "w" }

func scoped() {
	w := newWidget()
	defer w.Close()
	C.use(w.c)
}

func passOn() *widget {
	w := newWidget()
	C.use(w.c)
	return w
}

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

// `_ = w.c` may be compiled away: it does not keep w alive.
func (w *widget) touch() {
	C.use(w.c)
	runtime.KeepAlive(w)
	_ = w.c
}

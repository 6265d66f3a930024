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

func (w *widget) use() bool {
	r := C.use(w.c)
	if r == 0 {
		return false
	}
	runtime.KeepAlive(w)
	return true
}

func (w *widget) branch(fast bool) {
	if fast {
		C.use(w.c)
	}
	runtime.KeepAlive(w)
}

package p

// #include <stdlib.h>
// static void lock(char *p) {}
// static void unlock(char *p) {}
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

func (w *widget) locked(f func()) {
	C.lock(w.c)
	defer runtime.KeepAlive(w)
	defer C.unlock(w.c)
	f()
}

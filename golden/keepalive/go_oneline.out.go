package p

// #include <stdlib.h>
// static int use(char *p) { return p != 0; }
// static int next(char *p) { return 0; }
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

func (w *widget) background(done chan struct{}) {
	go func() {
		C.use(w.c)
		runtime.KeepAlive(w)
		close(done)
	}()
}

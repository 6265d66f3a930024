package addcleanup

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
	runtime.AddCleanup(w, func(c *C.char) { C.free(unsafe.Pointer(c)) }, w.c)
	return w
}

func (w *widget) use() C.int {
	r := C.use(w.c)
	runtime.KeepAlive(w)
	return r
}

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

// A local variable named runtime hides the package here: runtime.KeepAlive
// would not compile, so this is reported without a fix.
func (w *widget) use() int {
	runtime := 3
	C.use(w.c)
	return runtime
}

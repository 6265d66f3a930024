package p

// #include <stdlib.h>
// static int use(char *p) { return p != 0; }
// static int num(int n) { return n; }
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

func values(s string) C.int {
	n := C.num(C.int(3))
	cs := C.CString(s)
	defer C.free(unsafe.Pointer(cs))
	return n + C.use(cs)
}

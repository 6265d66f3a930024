package p

// #include <stdlib.h>
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

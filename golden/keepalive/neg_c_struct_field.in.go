package p

// #include <stdlib.h>
// struct point { int x, y; };
// static int sum(int x, int y) { return x + y; }
import "C"

import (
	"runtime"
	"unsafe"
)

type widget struct {
	c *C.char
}

func newWidget() *widget {
	w := &widget{c: (*C.char)(C.CBytes(make([]byte, 16)))}
	runtime.SetFinalizer(w, func(w *widget) { C.free(unsafe.Pointer(w.c)) })
	return w
}

// p is a C struct value held in Go memory: its fields are plain values.
func length(p C.struct_point) C.int {
	var q C.struct_point = p
	return C.sum(q.x, p.y)
}

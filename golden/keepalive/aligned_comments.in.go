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

// gofmt aligns the trailing comments of consecutive lines: the KeepAlive goes
// right after the call and splits the block, whose two halves gofmt aligns apart.
func (w *widget) aligned() int {
	C.use(w.c)   // hand the buffer to C
	count := 1   // one call so far
	count += 100 // and some more
	return count
}

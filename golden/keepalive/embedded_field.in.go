package p

// #include <stdlib.h>
// static int use(char *p) { return p != 0; }
import "C"

import (
	"runtime"
	"unsafe"
)

type handle struct {
	c *C.char
}

func newHandle() *handle {
	h := &handle{c: (*C.char)(C.malloc(16))}
	runtime.SetFinalizer(h, func(h *handle) { C.free(unsafe.Pointer(h.c)) })
	return h
}

// stream embeds the finalized *handle: s.c is promoted from it.
type stream struct {
	*handle
	name string
}

func (s *stream) ping() {
	C.use(s.c)
}

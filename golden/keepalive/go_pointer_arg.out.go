package p

// #include <stdlib.h>
// #include <string.h>
import "C"

import (
	"runtime"
	"unsafe"
)

type frame struct {
	c     *C.char
	head  [16]byte
	tail  []byte
	state C.int
}

func newFrame() *frame {
	fr := &frame{c: (*C.char)(C.malloc(16)), tail: make([]byte, 16)}
	runtime.SetFinalizer(fr, func(fr *frame) { C.free(unsafe.Pointer(fr.c)) })
	return fr
}

// &fr.head[0] points into *fr: cgo keeps that argument, and so fr, alive.
func (fr *frame) readHead() {
	C.memcpy(unsafe.Pointer(&fr.head[0]), unsafe.Pointer(fr.c), 16)
}

// &fr.tail[0] points into the slice's own array, not into *fr.
func (fr *frame) readTail() {
	C.memcpy(unsafe.Pointer(&fr.tail[0]), unsafe.Pointer(fr.c), 16)
	runtime.KeepAlive(fr)
}

package p

// #include <stdlib.h>
// #include <string.h>
import "C"

import (
	"runtime"
	"unsafe"
)

type buffer struct {
	data *C.char
	size C.size_t
}

func newBuffer(n int) *buffer {
	b := &buffer{data: (*C.char)(C.malloc(C.size_t(n))), size: C.size_t(n)}
	runtime.SetFinalizer(b, func(b *buffer) { C.free(unsafe.Pointer(b.data)) })
	return b
}

func (b *buffer) zero() {
	C.memset(
		unsafe.Pointer(b.data),
		0,
		b.size,
	)
}

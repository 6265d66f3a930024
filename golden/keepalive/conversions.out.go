package p

// #include <stdlib.h>
// static int use(char *p) { return p != 0; }
// static int usev(void *p) { return p != 0; }
import "C"

import (
	"runtime"
	"unsafe"
)

type image struct {
	buf unsafe.Pointer
	p   *C.char
}

func newImage() *image {
	im := &image{buf: C.malloc(64), p: (*C.char)(C.malloc(8))}
	runtime.SetFinalizer(im, func(im *image) {
		C.free(im.buf)
		C.free(unsafe.Pointer(im.p))
	})
	return im
}

func (im *image) first() C.int {
	r := C.use((*C.char)(im.buf))
	runtime.KeepAlive(im)
	return r
}

func (im *image) second() C.int {
	r := C.usev(unsafe.Pointer(im.p))
	runtime.KeepAlive(im)
	return r
}

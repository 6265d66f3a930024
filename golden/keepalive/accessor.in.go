package p

// #include <stdlib.h>
// typedef struct { int r, g, b; } color;
// static int color_sum(color *c) { return c->r + c->g + c->b; }
import "C"

import (
	"runtime"
	"unsafe"
)

// Color owns C memory. Its finalizer hands the method value c.free to a helper,
// which gomapfix follows to the field it releases.
type Color struct {
	ptr unsafe.Pointer
}

func finalize(release func()) { release() }

func NewColor() *Color {
	c := &Color{ptr: C.malloc(C.sizeof_color)}
	runtime.SetFinalizer(c, func(c *Color) { finalize(c.free) })
	return c
}

func (c *Color) free() { C.free(c.ptr) }

// native is an accessor: it returns a conversion of a receiver field.
func (c *Color) native() *C.color {
	if c == nil {
		return nil
	}
	return (*C.color)(c.ptr)
}

// Sum hands C only what native returns: c may be finalized while color_sum runs.
func (c *Color) Sum() int {
	n := C.color_sum(c.native())
	return int(n)
}

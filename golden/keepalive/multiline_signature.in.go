package p

/*
#include <stdlib.h>
static int state(void *p, int flags) { return p != 0 ? flags : 0; }
*/
import "C"

import (
	"runtime"
	"unsafe"
)

type Renderer struct {
	c unsafe.Pointer
}

func NewRenderer() *Renderer {
	r := &Renderer{c: C.malloc(8)}
	runtime.SetFinalizer(r, func(r *Renderer) { C.free(r.c) })
	return r
}

// State has a signature on two lines: its body is indented from the func line, not from the
// line holding the brace.
func (v *Renderer) State(widget int,
	flags int) int {
	return int(C.state(v.c,
		C.int(flags)))
}

// Ready's condition spans two lines; the defer goes at the top of the function.
func (v *Renderer) Ready(flags int) bool {
	if n := int(C.state(v.c, C.int(flags))); n > 0 &&
		n < 8 {
		return true
	}
	return false
}

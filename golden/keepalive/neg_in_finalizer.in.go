package p

// #include <stdlib.h>
// static void release(char *p) { free(p); }
import "C"

import (
	"runtime"
)

type widget struct {
	c *C.char
}

type gadget struct {
	c *C.char
}

func newWidget() *widget {
	w := &widget{c: (*C.char)(C.malloc(16))}
	runtime.SetFinalizer(w, func(w *widget) { C.release(w.c) })
	return w
}

func newGadget() *gadget {
	g := &gadget{c: (*C.char)(C.malloc(16))}
	runtime.SetFinalizer(g, (*gadget).finalize)
	return g
}

func (g *gadget) finalize() {
	C.release(g.c)
}

type gizmo struct {
	c *C.char
}

func newGizmo() *gizmo {
	z := &gizmo{c: (*C.char)(C.malloc(16))}
	runtime.SetFinalizer(z, freeGizmo)
	return z
}

func freeGizmo(z *gizmo) {
	C.release(z.c)
}

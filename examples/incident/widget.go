package main

/*
#include <stdlib.h>
#include <string.h>

#include "widget.h"
*/
import "C"

import (
	"runtime"
	"unsafe"
)

// Widget owns a C-allocated widget_state and frees it in a finalizer.
type Widget struct {
	c *C.widget_state
}

// NewWidget allocates the C state; it is freed when the Widget becomes
// unreachable.
func NewWidget() *Widget {
	w := &Widget{c: (*C.widget_state)(C.malloc(C.sizeof_widget_state))}
	C.memset(unsafe.Pointer(w.c), 0, C.sizeof_widget_state)
	runtime.SetFinalizer(w, (*Widget).free)
	return w
}

func (w *Widget) free() {
	C.free(unsafe.Pointer(w.c))
	w.c = nil
}

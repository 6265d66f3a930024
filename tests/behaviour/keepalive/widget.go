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

// Widget owns a C buffer. Its finalizer poisons the buffer (instead of
// freeing it, so that a premature finalization is observable and the
// program stays memory-safe).
type Widget struct {
	id  int
	buf *C.char
}

var nextID int

//go:noinline
func newWidget() *Widget {
	nextID++
	w := &Widget{id: nextID, buf: (*C.char)(C.malloc(C.BUF_SIZE))}
	runtime.SetFinalizer(w, func(w *Widget) {
		C.memset(unsafe.Pointer(w.buf), C.POISON_BYTE, C.BUF_SIZE)
		select {
		case finalized <- w.id:
		default:
		}
	})
	return w
}

// Touch uses the buffer in a plain call statement.
func (w *Widget) Touch() {
	C.use_buffer(w.buf)
}

// Assign keeps the result of the call in a variable.
func (w *Widget) Assign() bool {
	r := C.use_buffer(w.buf)
	return r != 0
}

// Return returns the result of the call directly.
func (w *Widget) Return() C.int {
	return C.use_buffer(w.buf)
}

// Cond calls C in the condition of an if statement.
func (w *Widget) Cond() bool {
	if C.use_buffer(w.buf) != 0 {
		return true
	}
	return false
}

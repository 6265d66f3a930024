package main

/*
#include <stdlib.h>

#include "widget.h"
*/
import "C"

import (
	"errors"
	"unsafe"
)

// Each method below passes only w.c to C. Once w.c has been loaded, nothing
// keeps w itself reachable, so its finalizer may free w.c while the C
// function is still running.

// Touch records one use of the widget.
func (w *Widget) Touch() {
	C.widget_touch(w.c)
}

// Hits reports how often the widget was touched.
func (w *Widget) Hits() int {
	return int(C.widget_hits(w.c))
}

// Rename sets the widget's name.
func (w *Widget) Rename(name string) error {
	cs := C.CString(name)
	defer C.free(unsafe.Pointer(cs))
	if C.widget_set_name(w.c, cs) != 0 {
		return errors.New("widget name too long")
	}
	return nil
}

package p

// #include <stdlib.h>
// static int use(char *p) { return p != 0; }
// static int next(char *p) { return 0; }
import "C"

import (
	"runtime"
	"unsafe"
)

type widget struct {
	c *C.char
}

func newWidget() *widget {
	w := &widget{c: (*C.char)(C.malloc(16))}
	runtime.SetFinalizer(w, func(w *widget) { C.free(unsafe.Pointer(w.c)) })
	return w
}

func check(w *widget) bool {
	defer runtime.KeepAlive(w)
	if r := C.use(w.c); r != 0 {
		return true
	}
	return false
}

// w is declared by the if statement itself: a defer before the statement
// cannot name it, so this is reported without a fix.
func checkFresh() bool {
	if w := newWidget(); C.use(w.c) != 0 {
		return true
	}
	return false
}

package p

// #include <stdlib.h>
// static int use(char *p) { return p != 0; }
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

// A defer inside the loop would pile up one KeepAlive per iteration, and one
// outside it cannot name w: reported, not fixed.
func count(n int) int {
	ok := 0
	for i := 0; i < n; i++ {
		w := newWidget()
		if C.use(w.c) != 0 {
			ok++
		}
	}
	return ok
}

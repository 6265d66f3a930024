package p

// #include <stdlib.h>
// static int use(char *p) { return p != 0; }
import "C"

import "unsafe"

// conn owns C memory but the module registers no finalizer for it: no finding.
type conn struct {
	c *C.char
}

func (c *conn) Close() {
	C.free(unsafe.Pointer(c.c))
}

func (c *conn) ping() C.int {
	r := C.use(c.c)
	return r
}

// gomapfix-golden: --unsafe-fixes

package p

// #include <stdlib.h>
// static int use(char *p) { return p != 0; }
import "C"

import "unsafe"

// conn owns C memory, freed by Close, but nothing in the module registers a
// finalizer or cleanup for it: collecting a conn frees nothing, so there is no
// race to report, even with --unsafe-fixes.
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

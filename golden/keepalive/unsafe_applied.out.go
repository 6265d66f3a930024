// gomapfix-golden: --unsafe-fixes

package p

// #include <stdlib.h>
// static int use(char *p) { return p != 0; }
import "C"

import (
	"runtime"
	"unsafe"
)

// conn owns C memory but the package registers no finalizer for it: the fix
// is only a suggestion, applied here with --unsafe-fixes.
type conn struct {
	c *C.char
}

func (c *conn) Close() {
	C.free(unsafe.Pointer(c.c))
}

func (c *conn) ping() C.int {
	r := C.use(c.c)
	runtime.KeepAlive(c)
	return r
}

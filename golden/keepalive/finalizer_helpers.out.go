package p

// #include <stdlib.h>
// static int use(char *p) { return p != 0; }
import "C"

import (
	"runtime"
	"unsafe"
)

// The finalizer releases c through a method and a package function; table
// points to static C data that nothing releases, so calls with it need nothing.
type codec struct {
	c     *C.char
	table *C.char
}

var staticTable = (*C.char)(C.malloc(1))

func newCodec() *codec {
	k := &codec{c: (*C.char)(C.malloc(16)), table: staticTable}
	runtime.SetFinalizer(k, (*codec).finalize)
	return k
}

func (k *codec) finalize() {
	k.release()
}

func (k *codec) release() {
	freeBuffer(k)
}

func freeBuffer(k *codec) {
	C.free(unsafe.Pointer(k.c))
}

func (k *codec) check() bool {
	defer runtime.KeepAlive(k)
	return C.use(k.table) != 0 && C.use(k.c) != 0
}

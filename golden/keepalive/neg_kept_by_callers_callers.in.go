package p

// #include <stdlib.h>
// typedef struct { int level; } ctx;
// static int ctx_compress(ctx *c, int n) { return n + c->level; }
import "C"

import (
	"runtime"
	"sync"
	"unsafe"
)

// ctxWrapper owns a C context; its finalizer frees it.
type ctxWrapper struct {
	ctx *C.ctx
}

func newCtx() any {
	w := &ctxWrapper{ctx: (*C.ctx)(C.calloc(1, C.sizeof_ctx))}
	runtime.SetFinalizer(w, freeCtx)
	return w
}

func freeCtx(w *ctxWrapper) {
	C.free(unsafe.Pointer(w.ctx))
	w.ctx = nil
}

var pool = sync.Pool{New: newCtx}

// Compress takes a context from the pool and puts it back after compress returns: the
// context stays reachable across every C call below it, two calls down (no finding).
func Compress(n int) int {
	w := pool.Get().(*ctxWrapper)
	r := compress(w, n)
	pool.Put(w)
	return r
}

func compress(w *ctxWrapper, n int) int {
	if n == 0 {
		return 0
	}
	return compressInternal(w, n)
}

func compressInternal(w *ctxWrapper, n int) int {
	return int(C.ctx_compress(w.ctx, C.int(n)))
}

package p

// #include <stdlib.h>
// static int use(char *p) { return p != 0; }
import "C"

import (
	"runtime"
	"sync"
	"unsafe"
)

type filter struct {
	mu  sync.Mutex
	ctx *C.char
}

func newFilter() *filter {
	f := &filter{ctx: (*C.char)(C.malloc(8))}
	runtime.SetFinalizer(f, func(f *filter) { C.free(unsafe.Pointer(f.ctx)) })
	return f
}

// addRule does not lock and passes only f.ctx to C; it is unexported, and its only
// caller holds `defer f.mu.Unlock()` (a pointer into f) until after the call, so f
// stays reachable: no finding.
func (f *filter) addRule() int {
	return int(C.use(f.ctx))
}

// AddRule locks, then adds.
func (f *filter) AddRule() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.addRule()
}

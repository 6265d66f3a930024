package p

// #include <stdlib.h>
// typedef struct { int kind; } object;
// typedef struct { object base; int parents; } commit;
// static int commit_parents(commit *c) { return c->parents; }
import "C"

import (
	"runtime"
	"unsafe"
)

// Object owns a C object; Free releases it.
type Object struct {
	ptr *C.object
}

func (o *Object) Free() {
	runtime.SetFinalizer(o, nil)
	C.free(unsafe.Pointer(o.ptr))
}

// Commit embeds Object and keeps a second, typed pointer to the same C memory: the
// finalizer frees ptr, and with it what castPtr points at.
type Commit struct {
	Object
	castPtr *C.commit
}

func newCommit() *Commit {
	p := (*C.commit)(C.calloc(1, C.sizeof_commit))
	c := &Commit{Object: Object{ptr: (*C.object)(unsafe.Pointer(p))}, castPtr: p}
	runtime.SetFinalizer(c, (*Commit).Free)
	return c
}

func (c *Commit) ParentCount() int {
	defer runtime.KeepAlive(c)
	return int(C.commit_parents(c.castPtr))
}

package p

// #include <stdlib.h>
// static int use(char *p) { return p != 0; }
import "C"

import (
	"runtime"
	"unsafe"
)

type handle struct {
	c *C.char
}

type session struct {
	name  string
	inner handle
}

func openSession() *session {
	s := &session{name: "s", inner: handle{c: (*C.char)(C.malloc(8))}}
	runtime.SetFinalizer(s, func(s *session) { C.free(unsafe.Pointer(s.inner.c)) })
	return s
}

func (s *session) ping() {
	C.use(s.inner.c)
	runtime.KeepAlive(s)
}

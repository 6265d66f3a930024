package p

// #include <stdlib.h>
// static int use(char *p) { return p != 0; }
import "C"

import (
	"runtime"
	"unsafe"
)

type buffer struct {
	c *C.char
}

func newBuffer() *buffer {
	b := &buffer{c: (*C.char)(C.malloc(16))}
	runtime.SetFinalizer(b, func(b *buffer) { C.free(unsafe.Pointer(b.c)) })
	return b
}

// middle: the KeepAlive goes right after the call, in the middle of a run of aligned
// comments; gofmt aligns the lines above it and the lines below it apart.
func (b *buffer) middle() int {
	n := 1                // the first step
	r := int(C.use(b.c))  // hand the buffer to C
	total := n + r + 1000 // everything so far
	return total
}

// last: the call ends its run (a line without a comment follows): the KeepAlive
// splits nothing and no column moves.
func (b *buffer) last() int {
	n := 1                    // the first step
	r := int(C.use(b.c)) + 10 // hand the buffer to C
	return n + r
}

// inCase: the same inside the body of a case clause, whose statements align with
// each other.
func (b *buffer) inCase(op int) int {
	switch op {
	case 1: // the only case
		n := op * 1000       // scaled
		r := int(C.use(b.c)) // hand the buffer to C
		op = n + r           // combined
	}
	return op
}

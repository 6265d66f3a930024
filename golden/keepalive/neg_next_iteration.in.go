package p

// #include <stdlib.h>
// static int step(char *p) { return p != 0; }
import "C"

import (
	"runtime"
	"unsafe"
)

// Each call passes only s.buf to C, and s is finalized. The call is in a loop that may run
// it again, reading s once more: s is live while the call runs (no finding).
type stream struct {
	buf *C.char
}

func newStream() *stream {
	s := &stream{buf: (*C.char)(C.malloc(8))}
	runtime.SetFinalizer(s, func(s *stream) { C.free(unsafe.Pointer(s.buf)) })
	return s
}

func retry(n int) bool { return n < 0 }

func pump(s *stream) int {
	var n int
	for {
		n = int(C.step(s.buf))
		if !retry(n) {
			break
		}
	}
	return n
}

func drain(s *stream, rounds int) int {
	total := 0
	for i := 0; i < rounds; i++ {
		switch r := int(C.step(s.buf)); {
		case r < 0:
			continue
		case r == 0:
			break
		}
		total++
	}
	return total
}

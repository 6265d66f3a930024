package p

/*
#include <stdint.h>
static void keep_handle(uintptr_t h) { (void)h; }
*/
import "C"

import "runtime/cgo"

type state struct {
	counts map[string]int
}

// Negative: a cgo.Handle is the legal way to let C hold on to Go values.
func register(s *state) cgo.Handle {
	h := cgo.NewHandle(s)
	C.keep_handle(C.uintptr_t(h))
	return h
}

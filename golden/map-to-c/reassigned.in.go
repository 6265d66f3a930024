package p

/*
#include <stdlib.h>
static void consume(void *p) { (void)p; }
*/
import "C"

import "unsafe"

type entry struct {
	data map[string]int
}

// Negative: by the time of the call the variable holds C memory.
func send(e *entry) {
	p := unsafe.Pointer(e)
	_ = p
	p = C.malloc(8)
	C.consume(p)
	C.free(p)
}

package p

/*
static void consume(void *p) { (void)p; }
*/
import "C"

import "unsafe"

type index map[string][]int

func pass(idx index) {
	p := unsafe.Pointer(&idx)
	C.consume(p) // want: idx index reaches C.consume through p := unsafe.Pointer(&idx)
}

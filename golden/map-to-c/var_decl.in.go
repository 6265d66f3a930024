package p

/*
static void consume(void *p) { (void)p; }
*/
import "C"

import "unsafe"

type entry struct {
	n    int
	data map[string]int
}

type plain struct{ a, b int }

func send(e entry, q plain) {
	var p unsafe.Pointer = unsafe.Pointer(&e)
	C.consume(p) // want: e.data map[string]int reaches C.consume through p = unsafe.Pointer(&e)
	p = unsafe.Pointer(&q)
	C.consume(p)
}

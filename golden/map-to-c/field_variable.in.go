package p

/*
static void consume(void *p) { (void)p; }
*/
import "C"

import "unsafe"

type record struct {
	id   int
	meta map[string]string
}

// Written at the call, a field pointer is checked for the field only; through
// a variable the runtime cannot tell it from a pointer to the whole record.
func send(r *record) {
	C.consume(unsafe.Pointer(&r.id))
	p := unsafe.Pointer(&r.id)
	C.consume(p) // want: r.meta map[string]string reaches C.consume through p := unsafe.Pointer(&r.id)
}

package p

/*
static void consume(void *p) { (void)p; }
*/
import "C"

import "unsafe"

type point struct{ x, y int }

type record struct {
	id   int
	meta map[string]string
}

// Negatives: no map in the memory passed. A pointer to a field is checked
// only for that field's memory.
func send(p *point, r *record, xs *[4]int) {
	q := unsafe.Pointer(p)
	C.consume(q)
	C.consume(unsafe.Pointer(&r.id))
	C.consume(unsafe.Pointer(xs))
}

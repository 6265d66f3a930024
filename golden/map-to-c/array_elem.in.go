package p

/*
static void consume(void *p) { (void)p; }
*/
import "C"

import "unsafe"

type cell struct {
	x, y  int
	attrs map[string]string
}

type grid struct {
	cells [4]cell
}

// Through a variable, the runtime checks the whole object the pointer points into.
func first(g *grid) {
	p := unsafe.Pointer(&g.cells[0])
	C.consume(p) // want: g.cells[i].attrs map[string]string reaches C.consume through p := unsafe.Pointer(&g.cells[0])
}

package p

/*
static void consume(void *p) { (void)p; }
*/
import "C"

import "unsafe"

type leaf struct {
	tags map[string]bool
}

type branch struct {
	weight int
	leaves [2]*leaf
}

type tree struct {
	name string
	root branch
}

func walk(t *tree) {
	p := unsafe.Pointer(t)
	q := p
	C.consume(q) // want: t.root.leaves[i].tags map[string]bool reaches C.consume through q := p, p := unsafe.Pointer(t)
}

package p

/*
struct pair { int a; int b; };
static int sum(struct pair *p) { return p->a + p->b; }
*/
import "C"

import "unsafe"

type entry struct {
	data map[string]*string
}

type outer struct {
	id    int
	inner *entry
}

// A conversion to a C pointer type hides the Go type from go vet; the map is
// reached through a pointer field.
func total(o *outer) int {
	return int(C.sum((*C.struct_pair)(unsafe.Pointer(o)))) // want: o.inner.data map[string]*string reaches C.sum
}

package p

// #include <stdlib.h>
// static int use(char *p) { return p != 0; }
import "C"

type entry struct {
	name *C.char
}

// The package registers no finalizer or cleanup at all, and the type of e
// (a range variable) is not known to gomapfix: no finding.
func total(entries []*entry) C.int {
	n := C.int(0)
	for _, e := range entries {
		n += C.use(e.name)
	}
	return n
}

package p

/*
#include <stdlib.h>

static int use(char *p) {
	return p != 0;
}
*/
import "C"

// use passes the handle to C.
func (w *widget) use() C.int {
	n := C.use(w.c)
	return n
}

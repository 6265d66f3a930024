package p

// static int use(char *p) { return p != 0; }
import "C"

import "runtime"

func (w *widget) use() C.int {
	n := C.use(w.c)
	runtime.KeepAlive(w)
	return n
}

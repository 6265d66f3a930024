package p

// static int use(char *p) { return p != 0; }
import "C"

func (w *widget) use() C.int {
	n := C.use(w.c)
	return n
}

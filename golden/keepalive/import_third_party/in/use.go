package p

// static int use(char *p) { return p != 0; }
import "C"

import (
	"example.com/m/x"
)

func (w *widget) describe() string {
	n := C.use(w.c)
	return x.Name(int(n))
}

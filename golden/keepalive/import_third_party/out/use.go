package p

// static int use(char *p) { return p != 0; }
import "C"

import (
	"runtime"

	"example.com/m/x"
)

func (w *widget) describe() string {
	n := C.use(w.c)
	runtime.KeepAlive(w)
	return x.Name(int(n))
}

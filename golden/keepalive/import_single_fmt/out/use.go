package p

// static int use(char *p) { return p != 0; }
import "C"

import (
	"fmt"
	"runtime"
)

func (w *widget) describe() string {
	n := C.use(w.c)
	runtime.KeepAlive(w)
	return fmt.Sprint(n)
}

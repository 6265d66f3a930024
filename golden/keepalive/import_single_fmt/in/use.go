package p

// static int use(char *p) { return p != 0; }
import "C"

import "fmt"

func (w *widget) describe() string {
	n := C.use(w.c)
	return fmt.Sprint(n)
}

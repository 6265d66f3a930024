package p

// static int use(char *p) { return p != 0; }
import "C"

import (
	"fmt"
	"runtime"
	"strings"

	"example.com/m/x"
)

func (w *widget) describe() string {
	n := C.use(w.c)
	runtime.KeepAlive(w)
	return strings.ToUpper(fmt.Sprint(x.Name(int(n))))
}

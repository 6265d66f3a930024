package p

// static int use(char *p) { return p != 0; }
import "C"

import (
	"fmt"
	"strings"

	"example.com/m/x"
)

func (w *widget) describe() string {
	n := C.use(w.c)
	return strings.ToUpper(fmt.Sprint(x.Name(int(n))))
}

package p

// static int use(char *p) { return p != 0; }
import "C"

import "time"

// report has a parameter named runtime, so the package must be imported
// under another name in this file.
func report(w *widget, runtime time.Duration) bool {
	n := C.use(w.c)
	return n != 0 && runtime > 0
}

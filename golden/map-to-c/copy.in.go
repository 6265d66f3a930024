package p

/*
static void store(char *p) { (void)p; }
*/
import "C"

import (
	"maps"
	"unsafe"
)

// A copy of a map is still a Go map.
func keepCopy(m map[string]int) {
	cp := maps.Clone(m)
	C.store((*C.char)(unsafe.Pointer(&cp))) // want: cp map[string]int reaches C.store
}

package p

/*
#include <stdlib.h>
static void put(char **keys, int n) { (void)keys; (void)n; }
static void consume(void *p) { (void)p; }
*/
import "C"

import "unsafe"

// Negative: the entries are copied into C memory; only C pointers cross.
func export(m map[string]int) {
	keys := (*[1 << 20]*C.char)(C.malloc(C.size_t(len(m)) * C.size_t(unsafe.Sizeof((*C.char)(nil)))))
	i := 0
	for k := range m {
		keys[i] = C.CString(k)
		i++
	}
	C.put(&keys[0], C.int(i))
	for j := 0; j < i; j++ {
		C.free(unsafe.Pointer(keys[j]))
	}
	C.free(unsafe.Pointer(keys))
}

// Negative: a value read from the map is a plain number.
func first(m map[string]int) {
	n := C.int(m["first"])
	C.consume(unsafe.Pointer(&n))
}

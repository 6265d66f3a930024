package p

/*
static void store(char *p) { (void)p; }
*/
import "C"

import "unsafe"

type User struct{ Name string }

// userSet is the wrapper wrap-inner-map generates: still a Go map inside.
type userSet struct {
	data map[string]*User
}

func keep(set userSet) {
	C.store((*C.char)(unsafe.Pointer(&set))) // want: set.data map[string]*User reaches C.store
}

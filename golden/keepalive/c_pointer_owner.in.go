package p

// #include <stdlib.h>
// #include <string.h>
// typedef struct { char *username; } cred_t;
// static cred_t *cred_new(void) { cred_t *c = calloc(1, sizeof(cred_t)); c->username = strdup("ann"); return c; }
// static void cred_free(cred_t *c) { free(c->username); free(c); }
import "C"

import (
	"runtime"
	"unsafe"
)

type cred struct {
	ptr unsafe.Pointer
}

func newCred() *cred {
	o := &cred{ptr: unsafe.Pointer(C.cred_new())}
	runtime.SetFinalizer(o, func(o *cred) { C.cred_free((*C.cred_t)(o.ptr)) })
	return o
}

// user reads C memory through p, a C pointer converted from o.ptr: the owner to keep
// alive is o (keeping p alive would do nothing).
func (o *cred) user() string {
	p := (*C.cred_t)(o.ptr)
	return C.GoString(p.username)
}

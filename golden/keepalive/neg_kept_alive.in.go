package p

// #include <stdlib.h>
// static int use(char *p) { return p != 0; }
// static void set_hook(char *p, int h) { (void)p; (void)h; }
import "C"

import (
	"runtime"
	"sync"
	"unsafe"
)

// Every call below passes only c.db to C, and c is finalized; each function keeps c
// alive in a way Go guarantees, so there is nothing to report.
type conn struct {
	mu sync.Mutex
	db *C.char
}

func newConn() *conn {
	c := &conn{db: (*C.char)(C.malloc(8))}
	runtime.SetFinalizer(c, func(c *conn) { C.free(unsafe.Pointer(c.db)) })
	return c
}

// exec: the deferred c.mu.Unlock holds &c.mu, a pointer into c, until exec returns.
func (c *conn) exec() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return int(C.use(c.db))
}

var handles = map[int]*conn{}

func register(c *conn) C.int {
	handles[len(handles)] = c
	return C.int(len(handles))
}

// hook: the same call hands c itself to Go code, which stores it in a package-level table.
func (c *conn) hook() {
	C.set_hook(c.db, register(c))
}

type iter struct {
	c *conn
	n C.int
}

// iterate: it holds c, and it is used after the call.
func (c *conn) iterate() *iter {
	it := &iter{c: c}
	it.n = C.use(c.db)
	return it
}

// open: c is used after the call on the success path, so it is live during the call.
func (c *conn) open() *iter {
	if C.use(c.db) < 0 {
		return nil
	}
	return &iter{c: c}
}

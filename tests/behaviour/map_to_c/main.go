// Command maptoc passes team data to a C library in three ways. Only the
// first is wrong: it hands C a pointer to a Go struct holding a Go map, which
// the default cgo pointer check (GODEBUG=cgocheck=1) turns into a panic.
// go vet does not report it. gomapfix's map-to-c rule does.
//
// Usage: maptoc struct|handle|copy
package main

/*
#include <stdint.h>
#include <stdlib.h>

static int seen;

// store_snapshot stands in for a C library that keeps what it is given.
static void store_snapshot(void *snapshot) { seen++; }

// store_handle keeps an opaque handle that it can later give back to Go.
static void store_handle(uintptr_t h) { seen++; }

// store_names receives C strings in C memory.
static void store_names(char **names, int n) { seen += n; }

static int seen_count(void) { return seen; }
*/
import "C"

import (
	"fmt"
	"os"
	"runtime/cgo"
	"unsafe"
)

type snapshot struct {
	team    string
	members map[string]int
}

func viaStruct(s *snapshot) {
	p := unsafe.Pointer(s)
	C.store_snapshot(p)
}

func viaHandle(s *snapshot) {
	h := cgo.NewHandle(s)
	defer h.Delete()
	C.store_handle(C.uintptr_t(h))
}

func viaCopy(s *snapshot) {
	n := len(s.members)
	names := (*[1 << 20]*C.char)(C.malloc(C.size_t(n) * C.size_t(unsafe.Sizeof((*C.char)(nil)))))
	defer C.free(unsafe.Pointer(names))
	i := 0
	for name := range s.members {
		names[i] = C.CString(name)
		i++
	}
	C.store_names(&names[0], C.int(i))
	for j := 0; j < i; j++ {
		C.free(unsafe.Pointer(names[j]))
	}
}

func main() {
	s := &snapshot{team: "core", members: map[string]int{"ada": 1, "grace": 2}}
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: maptoc struct|handle|copy")
		os.Exit(2)
	}
	switch os.Args[1] {
	case "struct":
		viaStruct(s)
	case "handle":
		viaHandle(s)
	case "copy":
		viaCopy(s)
	}
	fmt.Println("ok", os.Args[1], int(C.seen_count()))
}

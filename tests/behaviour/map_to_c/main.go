// Command maptoc passes team data to a C library in five ways. Two are wrong:
// they hand C a pointer into a Go struct holding a Go map, which the default
// cgo pointer check (GODEBUG=cgocheck=1) turns into a panic. go vet reports
// neither; gomapfix's map-to-c rule reports both, and only those.
//
//   - struct: a pointer to the whole struct, through an unsafe.Pointer variable;
//   - fieldvar: a pointer to one int field, through a variable: the runtime
//     cannot tell it from a pointer to the struct, and checks all of it;
//   - field: the same pointer written at the call: cgo checks only the field;
//   - handle: a cgo.Handle;
//   - copy: the member names copied into C memory.
//
// Usage: maptoc struct|fieldvar|field|handle|copy
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
	version int
	team    string
	members map[string]int
}

func viaStruct(s *snapshot) {
	p := unsafe.Pointer(s)
	C.store_snapshot(p)
}

func viaFieldVariable(s *snapshot) {
	p := unsafe.Pointer(&s.version)
	C.store_snapshot(p)
}

func viaField(s *snapshot) {
	C.store_snapshot(unsafe.Pointer(&s.version))
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
	s := &snapshot{version: 1, team: "core", members: map[string]int{"ada": 1, "grace": 2}}
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: maptoc struct|fieldvar|field|handle|copy")
		os.Exit(2)
	}
	switch os.Args[1] {
	case "struct":
		viaStruct(s)
	case "fieldvar":
		viaFieldVariable(s)
	case "field":
		viaField(s)
	case "handle":
		viaHandle(s)
	case "copy":
		viaCopy(s)
	}
	fmt.Println("ok", os.Args[1], int(C.seen_count()))
}

package p

// #include <stdlib.h>
// typedef struct { int size; } mapping;
// static void mapping_unmap(mapping *m) { free(m); }
import "C"

import "runtime"

// mapping is the finalized part of a Map; release runs from its finalizer, or from Unmap.
type mapping struct {
	native *C.mapping
}

// Map is what callers hold.
type Map struct {
	m *mapping
}

func NewMap() *Map {
	m := &mapping{native: (*C.mapping)(C.calloc(1, C.sizeof_mapping))}
	runtime.SetFinalizer(m, func(m *mapping) { m.release() })
	return &Map{m: m}
}

// release is called only where its receiver is alive: by the finalizer, on the object it
// finalizes, and by Unmap, through info.m with info used after the call (no finding).
func (m *mapping) release() {
	C.mapping_unmap(m.native)
}

func (info *Map) clearAutoCleanup() {
	runtime.SetFinalizer(info.m, nil)
}

// Unmap releases the mapping now.
func (info *Map) Unmap() {
	info.clearAutoCleanup()
	info.m.release()
	info.m = nil
}

// Command keepalivebehaviour shows, by behaviour, why runtime.KeepAlive is
// needed after a C call that is passed only an owner's C handle: without it
// the owner can be finalized while the C function still uses its buffer.
//
// For each call form it prints "<form> premature=<true|false>" and exits 0.
package main

import "fmt"

// Each helper creates a Widget and uses it once; afterwards nothing keeps
// the Widget reachable, so only a KeepAlive inside the method protects it.

//go:noinline
func runTouch() bool {
	w := newWidget()
	current = w.id
	w.Touch()
	return lastPoisoned()
}

//go:noinline
func runAssign() bool {
	w := newWidget()
	current = w.id
	return w.Assign()
}

//go:noinline
func runReturn() bool {
	w := newWidget()
	current = w.id
	return w.Return() != 0
}

//go:noinline
func runCond() bool {
	w := newWidget()
	current = w.id
	return w.Cond()
}

func main() {
	forms := []struct {
		name string
		run  func() bool
	}{
		{"statement", runTouch},
		{"assign", runAssign},
		{"return", runReturn},
		{"condition", runCond},
	}
	for _, f := range forms {
		fmt.Printf("%s premature=%t\n", f.name, f.run())
	}
}

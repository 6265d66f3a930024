package main

// #include "widget.h"
import "C"

import (
	"runtime"
	"time"
)

// finalized receives the id of each Widget whose finalizer has run.
var finalized = make(chan int, 64)

// waitTimeout bounds how long a callback waits for the current Widget's
// finalizer; it is reached only when the Widget is (correctly) kept alive.
var waitTimeout = 500 * time.Millisecond

// current is the id of the Widget whose C call is in progress.
var current int

//export goWaitForFinalizer
func goWaitForFinalizer() {
	deadline := time.After(waitTimeout)
	for {
		runtime.GC()
		select {
		case id := <-finalized:
			if id == current {
				return
			}
		case <-deadline:
			return
		case <-time.After(10 * time.Millisecond):
		}
	}
}

// lastPoisoned reports the result of the latest use_buffer call.
func lastPoisoned() bool {
	return C.last_result != 0
}

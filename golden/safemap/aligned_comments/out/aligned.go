package p

import "sync"

var unique safeMap[uint64, int]

// store widens a line whose trailing comment gofmt aligns with the next line's: the
// neighbour's comment moves with it.
func store(hash uint64, conflicts []int) {
	var wg sync.WaitGroup
	for i := 0; i < 2; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			unique.Store(hash, conflicts[0]) // First remaining series goes in 'unique'.
			rem := conflicts[1:]             // Keep the rest.
			_ = rem
		}()
	}
	wg.Wait()
}

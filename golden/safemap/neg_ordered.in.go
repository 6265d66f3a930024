package p

import "sync"

// Each map below is written by one goroutine and read by its launcher only after a
// wait that the goroutine's end signals, or before the goroutine starts: every pair of
// accesses is ordered (no finding).

func collect(keys []string) int {
	seen := map[string]bool{"": true}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for _, k := range keys {
			seen[k] = true
		}
	}()
	<-done
	return len(seen)
}

func tally(keys []string) map[string]int {
	counts := map[string]int{}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for _, k := range keys {
			counts[k]++
		}
	}()
	wg.Wait()
	return counts
}

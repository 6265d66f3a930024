package p

import "sync"

// sizes returns the map its goroutines fill, so it stays a map and a local mutex
// guards the write: the declaration, Lock and Unlock lines go in among aligned
// comments and split their runs, each part aligned on its own.
func sizes(ids []string, measure func(string) int) map[string]int {
	out := make(map[string]int, len(ids)) // one entry per id
	var wg sync.WaitGroup                 // waits for the writers
	for _, id := range ids {
		wg.Add(1)
		go func() {
			defer wg.Done()
			n := measure(id) // the size
			out[id] = n      // publish it
			id = ""          // done with the id
		}()
	}
	wg.Wait()
	return out
}

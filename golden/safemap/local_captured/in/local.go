package local

import "sync"

func lengths(words []string) map[int]int {
	byLen := make(map[string]int)
	var wg sync.WaitGroup
	for _, w := range words {
		wg.Add(1)
		go func(w string) {
			defer wg.Done()
			byLen[w] = len(w)
		}(w)
	}
	wg.Wait()
	out := make(map[int]int)
	for w, n := range byLen {
		out[n] += len(w)
	}
	return out
}

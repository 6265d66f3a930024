package local

import "sync"

func lengths(words []string) map[int]int {
	var byLen safeMap[string, int]
	var wg sync.WaitGroup
	for _, w := range words {
		wg.Add(1)
		go func(w string) {
			defer wg.Done()
			byLen.Store(w, len(w))
		}(w)
	}
	wg.Wait()
	out := make(map[int]int)
	byLen.Range(func(w string, n int) bool {
		out[n] += len(w)
		return true
	})
	return out
}

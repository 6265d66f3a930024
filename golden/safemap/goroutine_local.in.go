package goroutinelocal

import "sync"

func work(jobs [][]string) {
	var wg sync.WaitGroup
	for _, words := range jobs {
		wg.Add(1)
		go func(words []string) {
			defer wg.Done()
			counts := map[string]int{}
			for _, w := range words {
				counts[w]++
			}
			_ = len(counts)
		}(words)
	}
	wg.Wait()
}

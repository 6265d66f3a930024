package main

import (
	"strings"
	"sync"
)

// countWords counts the words of lines using the given number of worker
// goroutines. All workers write to the same map without a lock: with one
// worker this is fine, with more it can stop the program with
// "fatal error: concurrent map writes".
func countWords(lines []string, workers int) map[string]int {
	counts := make(map[string]int)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := w; i < len(lines); i += workers {
				for _, word := range strings.Fields(lines[i]) {
					counts[word]++
				}
			}
		}(w)
	}
	wg.Wait()
	return counts
}

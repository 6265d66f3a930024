// Package fanout counts words with several goroutines writing one local map: the
// fan-out-and-return shape that crashes with "fatal error: concurrent map writes".
package fanout

import (
	"strings"
	"sync"
)

// Count counts the words of lines, one goroutine per line, and returns the counts
// once every goroutine is done.
func Count(lines []string) map[string]int {
	counts := make(map[string]int)
	var wg sync.WaitGroup
	for _, line := range lines {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for _, word := range strings.Fields(line) {
				counts[word]++
			}
		}()
	}
	wg.Wait()
	return counts
}

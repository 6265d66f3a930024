// gomapfix-golden: --option=safemap.launchers=true

package sizes

import (
	"strings"
	"sync"
)

// Sizes measures every id on a goroutine of its own (sync.WaitGroup.Go) and returns the
// map they filled: with the option launchers, the literal wg.Go runs is a goroutine, and
// wg.Wait() waits for it, so the fix guards the goroutines' write with a local mutex.
func Sizes(ids []string, measure func(string) int) map[string]int {
	out := make(map[string]int, len(ids))
	var wg sync.WaitGroup
	for _, id := range ids {
		wg.Go(func() {
			n := measure(id)
			out[id] = n
		})
	}
	wg.Wait()
	return out
}

// Longest starts one goroutine and waits for it before it reads the map: nothing races.
func Longest(words []string) map[string]int {
	lengths := map[string]int{}
	var wg sync.WaitGroup
	wg.Go(func() {
		for _, w := range words {
			lengths[strings.ToLower(w)] = len(w)
		}
	})
	wg.Wait()
	return lengths
}

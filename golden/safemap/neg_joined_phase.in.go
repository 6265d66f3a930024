package p

import (
	"fmt"
	"sync"
)

type tally struct {
	keys   []string
	counts map[string]int
}

// run runs two phases in sequence: fill waits for its goroutine before it returns, so
// report's reads come after every write (no finding).
func run(keys []string) {
	t := &tally{keys: keys, counts: map[string]int{}}
	fill(t)
	report(t)
}

func fill(t *tally) {
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for _, k := range t.keys {
			t.counts[k]++
		}
	}()
	wg.Wait()
}

func report(t *tally) {
	for _, k := range t.keys {
		fmt.Println(k, t.counts[k])
	}
}

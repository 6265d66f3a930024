package p

import (
	"maps"
	"sync"
)

// Negatives: every map handed out is already a copy taken under the lock.
type books struct {
	mu      sync.Mutex
	byShelf map[string]map[string]int
}

func (b *books) add(shelf, title string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.byShelf[shelf] == nil {
		b.byShelf[shelf] = map[string]int{}
	}
	b.byShelf[shelf][title]++
}

func (b *books) shelf(s string) map[string]int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return maps.Clone(b.byShelf[s])
}

func (b *books) shelfByHand(s string) map[string]int {
	b.mu.Lock()
	defer b.mu.Unlock()
	out := make(map[string]int, len(b.byShelf[s]))
	for k, v := range b.byShelf[s] {
		out[k] = v
	}
	return out
}

func (b *books) count(s, title string) int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.byShelf[s][title]
}

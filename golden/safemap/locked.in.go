package locked

import "sync"

var (
	mu    sync.Mutex
	seen  = map[string]bool{}
	rwmu  sync.RWMutex
	sizes = map[string]int{}
)

func mark(keys []string) {
	for _, k := range keys {
		go func(k string) {
			mu.Lock()
			defer mu.Unlock()
			seen[k] = true
		}(k)
		go func(k string) {
			rwmu.Lock()
			sizes[k] = len(k)
			rwmu.Unlock()
		}(k)
	}
}

func isSeen(k string) bool {
	mu.Lock()
	defer mu.Unlock()
	return seen[k]
}

func size(k string) int {
	rwmu.RLock()
	defer rwmu.RUnlock()
	return sizes[k]
}

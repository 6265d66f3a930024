package p

import (
	"maps"
	"sync"
)

type limits struct {
	mu    sync.Mutex
	quota map[string]map[string]int
}

func (l *limits) set(tenant, res string, n int) {
	l.mu.Lock()
	defer func() { l.mu.Unlock() }()
	if l.quota[tenant] == nil {
		l.quota[tenant] = map[string]int{}
	}
	l.quota[tenant][res] = n
}

func (l *limits) tenant(t string) map[string]int {
	l.mu.Lock()
	defer func() {
		l.mu.Unlock()
	}()
	return maps.Clone(l.quota[t])
}

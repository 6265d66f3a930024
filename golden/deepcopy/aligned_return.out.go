package p

import (
	"maps"
	"sync"
)

type counters struct {
	mu     sync.RWMutex              // guards byHost
	byHost map[string]map[string]int // host -> path -> hits
}

func (c *counters) inc(host, path string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.byHost[host] == nil {
		c.byHost[host] = map[string]int{}
	}
	c.byHost[host][path]++
}

// host returns a copy of an inner map: `return c.byHost[h]` widens and the comments of
// its run move right with it.
func (c *counters) host(h string) map[string]int {
	c.mu.RLock()                   // readers share the lock
	defer c.mu.RUnlock()           // released on return
	return maps.Clone(c.byHost[h]) // the inner map
}

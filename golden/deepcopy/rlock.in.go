package p

import "sync"

type counters struct {
	mu     sync.RWMutex
	byHost map[string]map[string]int
}

func (c *counters) inc(host, path string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.byHost[host] == nil {
		c.byHost[host] = map[string]int{}
	}
	c.byHost[host][path]++
}

func (c *counters) host(h string) map[string]int {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.byHost[h]
}

// Total is a negative: it reads the inner map under the lock and hands out a number.
func (c *counters) Total(h string) int {
	c.mu.RLock()
	defer c.mu.RUnlock()
	n := 0
	for _, v := range c.byHost[h] {
		n += v
	}
	return n
}

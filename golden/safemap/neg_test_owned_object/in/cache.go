package p

import (
	"sync"
	"time"
)

// cache is guarded by balancer.mu at every production call; its tests drive a cache of
// their own on the test goroutine, with no lock, which races with nothing.
type cache struct {
	entries map[string]int
}

func newCache() *cache {
	return &cache{entries: make(map[string]int)}
}

func (c *cache) add(k string, v int) {
	c.entries[k] = v
}

func (c *cache) evict(k string) {
	delete(c.entries, k)
}

type balancer struct {
	mu    sync.Mutex
	cache *cache
	done  chan struct{}
}

func newBalancer() *balancer {
	b := &balancer{cache: newCache(), done: make(chan struct{})}
	go b.purge()
	return b
}

func (b *balancer) purge() {
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for {
		select {
		case <-b.done:
			return
		case <-t.C:
			b.mu.Lock()
			b.cache.evict("old")
			b.mu.Unlock()
		}
	}
}

func (b *balancer) Add(k string, v int) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.cache.add(k, v)
}

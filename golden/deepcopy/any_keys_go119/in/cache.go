package cache

import "sync"

// Below go 1.20 an interface key type does not satisfy comparable, so the
// generic helpers cannot be used for map[any]...: each type gets its own helper.
type cache struct {
	mu    sync.Mutex
	byKey map[any]map[string]int
	byID  map[int]map[string]int
}

func (c *cache) put(k any, id int, name string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.byKey[k] == nil {
		c.byKey[k] = map[string]int{}
	}
	c.byKey[k][name]++
	if c.byID[id] == nil {
		c.byID[id] = map[string]int{}
	}
	c.byID[id][name]++
}

func (c *cache) keys() map[any]map[string]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.byKey
}

func (c *cache) ids() map[int]map[string]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.byID
}

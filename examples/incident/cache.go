package main

import "sync"

// cache holds users per team behind a lock.
type cache struct {
	mu sync.RWMutex
	m  map[string]map[string]*User
}

func newCache() *cache {
	return &cache{m: make(map[string]map[string]*User)}
}

// put stores u under team while holding the write lock.
func (c *cache) put(team string, u *User) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m[team] == nil {
		c.m[team] = make(map[string]*User)
	}
	c.m[team][u.ID] = u
}

// get returns team's inner map. The lock is released on return, but the
// caller keeps the very map that put writes to: reading it while another
// goroutine calls put is a concurrent map read and map write.
func (c *cache) get(team string) map[string]*User {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.m[team]
}

// refresh stores u under team again and again until stop is closed. Run on a
// goroutine of its own, it writes the inner map that get hands out.
func (c *cache) refresh(team string, u *User, stop <-chan struct{}) {
	for {
		select {
		case <-stop:
			return
		default:
			c.put(team, u)
		}
	}
}

package p

import "sync"

type groups struct {
	mu      sync.Mutex
	members map[string]map[string]struct{}
}

// ensure creates the group on first use and returns it: the writes stay on the
// real inner map (they happen under the lock); only the returned value is copied.
func (g *groups) ensure(name, first string) map[string]struct{} {
	g.mu.Lock()
	defer g.mu.Unlock()
	m := g.members[name]
	if m == nil {
		m = map[string]struct{}{}
		g.members[name] = m
	}
	m[first] = struct{}{}
	return m
}

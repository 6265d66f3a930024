package groups

import "sync"

// An earlier run generated gomapfix_clone.go with the nested helper; this run
// needs the single-level one too, so it rewrites the generated file whole.
type groups struct {
	mu      sync.Mutex
	members map[string]map[string]int
}

func (g *groups) add(group, name string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.members[group] == nil {
		g.members[group] = map[string]int{}
	}
	g.members[group][name]++
}

func (g *groups) all() map[string]map[string]int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return gomapfixCloneNested(g.members)
}

func (g *groups) group(name string) map[string]int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.members[name]
}

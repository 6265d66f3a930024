package p

import "sync"

type prefs struct {
	mu   sync.Mutex
	byID map[string]map[string]string
}

func (p *prefs) set(id, key, value string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.byID[id] == nil {
		p.byID[id] = map[string]string{}
	}
	p.byID[id][key] = value
}

// snapshot copies the outer map by hand, but every entry is still the shared inner map.
func (p *prefs) snapshot() map[string]map[string]string {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make(map[string]map[string]string, len(p.byID))
	for id, inner := range p.byID {
		out[id] = inner
	}
	return out
}

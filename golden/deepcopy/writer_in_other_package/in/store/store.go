// Package store holds the tokens of an allocation, shared by its hooks.
package store

import (
	"maps"
	"sync"
)

type Resources struct {
	mu     sync.RWMutex
	tokens map[string]map[string]string
}

func New() *Resources {
	return &Resources{tokens: map[string]map[string]string{}}
}

func (r *Resources) SetTokens(m map[string]map[string]string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	maps.Copy(r.tokens, m)
}

// Tokens hands out the map; package revoke writes through it, so a copy would change what
// revoke does: the fix is a suggestion (unsafe), not applied by default.
func (r *Resources) Tokens() map[string]map[string]string {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.tokens
}

package p

import (
	"maps"
	"sync"
)

// resources is shared by the hooks of one allocation; SetTokens merges new tokens in place
// (maps.Copy writes its first argument), so tokens hands out a map that is written later.
type resources struct {
	mu     sync.RWMutex
	tokens map[string]map[string]string
}

func (r *resources) SetTokens(m map[string]map[string]string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	maps.Copy(r.tokens, m)
}

func (r *resources) tokensFor() map[string]map[string]string {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.tokens
}

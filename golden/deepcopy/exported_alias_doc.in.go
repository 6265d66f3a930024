package p

import "sync"

type Registry struct {
	mu    sync.Mutex
	names map[string]map[string]string
}

func (r *Registry) Set(ns, k, v string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.names[ns] == nil {
		r.names[ns] = map[string]string{}
	}
	r.names[ns][k] = v
}

// Namespace returns the underlying map of ns; callers may modify it.
// The fix is only suggested: a copy would break that contract.
func (r *Registry) Namespace(ns string) map[string]string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.names[ns]
}

// Lookup returns the names in ns. It is exported, but its doc comment does not
// promise the map itself, so the fix is safe.
func (r *Registry) Lookup(ns string) map[string]string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.names[ns]
}

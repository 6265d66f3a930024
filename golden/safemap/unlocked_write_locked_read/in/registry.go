package p

import "sync"

// registry's loop goroutine writes entries with no lock; Lookup takes mu, which no write
// holds, so the lock orders nothing: the read in resolve races with the writes.
type registry struct {
	mu      sync.Mutex
	updates chan [2]string
	entries map[string]string
}

func newRegistry() *registry {
	r := &registry{updates: make(chan [2]string), entries: map[string]string{}}
	go r.loop()
	return r
}

func (r *registry) loop() {
	for u := range r.updates {
		r.entries[u[0]] = u[1]
	}
}

func (r *registry) Lookup(name string) string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.entries[name]
}

func resolve(r *registry, names []string) []string {
	out := make([]string, 0, len(names))
	for _, n := range names {
		out = append(out, r.Lookup(n))
	}
	return out
}

package p

import "sync"

// registry is safe for concurrent use, but nothing in this package starts a goroutine: a
// race between Tags' callers and Add needs goroutines that callers outside the package start,
// which is reported only with the option exported-callers.
type registry struct {
	mu   sync.Mutex
	tags map[string]map[string]bool
}

func (r *registry) Add(name, tag string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.tags[name] == nil {
		r.tags[name] = map[string]bool{}
	}
	r.tags[name][tag] = true
}

func (r *registry) Tags(name string) map[string]bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.tags[name]
}

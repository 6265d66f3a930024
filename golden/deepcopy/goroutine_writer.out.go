package p

import (
	"maps"
	"sync"
	"time"
)

// registry's refresh goroutine writes the inner maps under the lock while Tags' callers read
// the one Tags returned, without it.
type registry struct {
	mu   sync.Mutex
	tags map[string]map[string]bool
}

func newRegistry(updates <-chan [2]string) *registry {
	r := &registry{tags: map[string]map[string]bool{}}
	go r.refresh(updates)
	return r
}

func (r *registry) refresh(updates <-chan [2]string) {
	for u := range updates {
		r.add(u[0], u[1])
		time.Sleep(time.Millisecond)
	}
}

func (r *registry) add(name, tag string) {
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
	return maps.Clone(r.tags[name])
}

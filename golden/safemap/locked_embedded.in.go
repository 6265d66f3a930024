package embedded

import "sync"

type registry struct {
	sync.RWMutex
	items map[string]int
}

func (r *registry) loadAll(keys []string) {
	for _, k := range keys {
		go r.add(k)
	}
}

func (r *registry) add(k string) {
	r.Lock()
	defer r.Unlock()
	r.items[k]++
}

func (r *registry) get(k string) int {
	r.RLock()
	defer r.RUnlock()
	return r.items[k]
}

package p

import "sync"

// The package starts a goroutine of its own (flush), and it neither reads nor writes tags:
// no goroutine the package runs takes part in a race on the map Tags hands out, and one
// would need callers that the package does not expect (reported only with
// [transforms.deepcopy] exported-callers).
type registry struct {
	mu      sync.Mutex
	tags    map[string]map[string]bool
	pending chan string
}

func newRegistry() *registry {
	r := &registry{tags: map[string]map[string]bool{}, pending: make(chan string, 8)}
	go r.flush()
	return r
}

func (r *registry) flush() {
	for range r.pending {
	}
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

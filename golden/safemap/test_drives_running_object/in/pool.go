package p

import "sync"

// pool's workers call enqueue under mu, as Add does; the test calls enqueue directly, with
// no lock, on a pool whose workers are already running: its writes race with theirs.
type pool struct {
	mu      sync.Mutex
	pending map[string]int
	jobs    chan string
}

func newPool() *pool {
	return &pool{pending: make(map[string]int), jobs: make(chan string)}
}

func (p *pool) start(workers int) {
	for i := 0; i < workers; i++ {
		go p.work()
	}
}

func (p *pool) work() {
	for k := range p.jobs {
		p.mu.Lock()
		p.enqueue(k)
		p.mu.Unlock()
	}
}

func (p *pool) enqueue(k string) {
	p.pending[k]++
}

func (p *pool) Add(k string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.enqueue(k)
}

package callerlocked

import "sync"

type lru struct {
	m map[int]string
}

func (l *lru) put(k int, v string) { l.m[k] = v }

func (l *lru) get(k int) string { return l.m[k] }

type pool struct {
	mu   sync.Mutex
	idle lru
}

func (p *pool) release(k int) {
	go func() {
		p.mu.Lock()
		defer p.mu.Unlock()
		p.idle.put(k, "idle")
	}()
}

func (p *pool) find(k int) string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.idle.get(k)
}

func (p *pool) evictLocked(k int) {
	delete(p.idle.m, k)
}

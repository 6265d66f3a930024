package p

import (
	"net/http"
	"sync"
	"time"
)

// stats counts requests per path, and Snapshot hands out the live map. The package's only
// goroutine (flushEvery) takes no part in that; but every request runs record on a goroutine
// of its own (net/http), so a caller reading the returned map races with it: reported, with
// the HTTP handler as the evidence.

type stats struct {
	mu     sync.Mutex
	byPath map[string]int
}

func (s *stats) record(path string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.byPath[path]++
}

// Snapshot returns the request counts per path.
func (s *stats) Snapshot() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.byPath
}

func (s *stats) middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.record(r.URL.Path)
		next.ServeHTTP(w, r)
	})
}

func flushEvery(d time.Duration, flush func()) {
	go func() {
		for range time.Tick(d) {
			flush()
		}
	}()
}

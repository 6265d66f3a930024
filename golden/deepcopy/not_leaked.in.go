package p

import "sync"

// Negatives: maps read under the lock that do not leave it, a map nobody
// writes under the lock, a map taken out of the structure before it is
// handed over, and a read with no lock held.
type stats struct {
	mu     sync.Mutex
	hits   map[string]map[string]int
	static map[string]map[string]int
}

func (s *stats) hit(a, b string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.hits[a] == nil {
		s.hits[a] = map[string]int{}
	}
	s.hits[a][b]++
}

func (s *stats) size(a string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.hits[a])
}

func (s *stats) has(a string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.hits[a] != nil
}

func (s *stats) readOnly(a string) map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.static[a]
}

func (s *stats) take(a string) map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.hits[a]
	delete(s.hits, a)
	return m
}

func (s *stats) reset() map[string]map[string]int {
	s.mu.Lock()
	old := s.hits
	s.hits = map[string]map[string]int{}
	s.mu.Unlock()
	return old
}

func (s *stats) unlocked(a string) map[string]int {
	return s.hits[a]
}

package p

import (
	"maps"
	"sync"
)

type sessions struct {
	mu     sync.Mutex
	closed bool
	byUser map[string]map[string]int64
}

func (s *sessions) touch(user, id string, at int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.byUser[user] == nil {
		s.byUser[user] = map[string]int64{}
	}
	s.byUser[user][id] = at
}

// of unlocks early on one path; on the other the lock is still held at the read.
func (s *sessions) of(user string) map[string]int64 {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	m := maps.Clone(s.byUser[user])
	s.mu.Unlock()
	return m
}

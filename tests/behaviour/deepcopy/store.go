// Package store keeps per-team counters behind a read-write lock. team and
// snapshot hand out maps read under the lock: the inner map of one team, and
// the whole nested map. Their callers then read those maps after the lock is
// released, while Add writes them under the lock: a data race.
package store

import "sync"

// Store maps a team to its members' counters.
type Store struct {
	mu sync.RWMutex
	m  map[string]map[string]int
}

// New returns an empty Store.
func New() *Store {
	return &Store{m: map[string]map[string]int{}}
}

// Add adds n to the counter of member in team.
func (s *Store) Add(team, member string, n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.m[team] == nil {
		s.m[team] = map[string]int{}
	}
	s.m[team][member] += n
}

// team returns the counters of one team; a team nobody joined gives nil.
func (s *Store) team(name string) map[string]int {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.m[name]
}

// snapshot returns the counters of every team.
func (s *Store) snapshot() map[string]map[string]int {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.m
}

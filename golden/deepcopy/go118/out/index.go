package index

import (
	"sync"
	"time"
)

type User struct{ ID string }

// regionIndex is a named nested map type: the generic helpers keep the name.
type regionIndex map[string]map[string]*User

type store struct {
	mu      sync.RWMutex
	regions regionIndex
	seen    map[string]map[string]time.Time
}

func (s *store) add(region string, u *User, at time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.regions[region] == nil {
		s.regions[region] = map[string]*User{}
	}
	s.regions[region][u.ID] = u
	if s.seen[region] == nil {
		s.seen[region] = map[string]time.Time{}
	}
	s.seen[region][u.ID] = at
}

func (s *store) region(r string) map[string]*User {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return gomapfixClone(s.regions[r])
}

func (s *store) all() regionIndex {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return gomapfixCloneNested(s.regions)
}

func (s *store) lastSeen() map[string]map[string]time.Time {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return gomapfixCloneNested(s.seen)
}

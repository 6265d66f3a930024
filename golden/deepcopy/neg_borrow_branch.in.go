package p

import "sync"

type State struct {
	Pending map[uint64]int64
}

type store struct {
	mu      sync.Mutex
	pending map[uint64]int64
}

func (s *store) Add(seq uint64, ts int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pending[seq] = ts
}

// State returns a copy of the pending map.
func (s *store) State() *State {
	return s.state(true)
}

// BorrowState does not copy the pending map: use it only with the owner's lock held.
func (s *store) BorrowState() *State {
	return s.state(false)
}

// state chooses between a copy and a borrow; the borrow path is deliberate (no finding).
func (s *store) state(doCopy bool) *State {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := &State{}
	if doCopy {
		st.Pending = s.copyPending()
	} else {
		st.Pending = s.pending
	}
	return st
}

func (s *store) copyPending() map[uint64]int64 {
	out := make(map[uint64]int64, len(s.pending))
	for k, v := range s.pending {
		out[k] = v
	}
	return out
}

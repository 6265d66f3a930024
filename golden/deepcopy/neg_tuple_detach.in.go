package p

import "sync"

// close takes the subscribers out of the state and leaves nil in their place in one
// assignment, under the lock: nobody can reach the old map to write it any more, so
// ranging over it after Unlock races with nothing (no finding).

type subscriber struct{ ch chan string }

type state struct {
	mu   sync.Mutex
	subs map[string]*subscriber
}

func (s *state) add(name string) {
	s.mu.Lock()
	s.subs[name] = &subscriber{ch: make(chan string)}
	s.mu.Unlock()
}

func (s *state) close() {
	var subs map[string]*subscriber
	s.mu.Lock()
	subs, s.subs = s.subs, nil
	s.mu.Unlock()
	for _, sub := range subs {
		close(sub.ch)
	}
}

package p

import "sync"

// start replaces s.conns with no lock while started compares it with nil: a race on the
// field s.conns (go test -race reports it), not inside a map, which a SafeMap would not
// remove. Every write into the map holds s.mu.
type server struct {
	mu    sync.Mutex
	conns map[int]string
}

func (s *server) start(ids <-chan int) {
	s.conns = make(map[int]string)
	for id := range ids {
		s.mu.Lock()
		s.conns[id] = "up"
		s.mu.Unlock()
	}
}

func started(ids <-chan int) bool {
	s := &server{}
	go s.start(ids)
	return s.conns != nil
}

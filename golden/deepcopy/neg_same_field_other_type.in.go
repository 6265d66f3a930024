package p

import "sync"

// config writes its vars map in place under its lock; stack has a field and a lock of the
// same names but only ever builds its vars once and never writes it afterwards. The map
// Vars hands out is stack's, which nothing writes: no finding.

type config struct {
	mu   sync.Mutex
	vars map[string]string
}

func (c *config) set(k, v string) {
	c.mu.Lock()
	c.vars[k] = v
	c.mu.Unlock()
}

type stack struct {
	mu   sync.Mutex
	cfg  *config
	vars map[string]string
}

func (s *stack) Vars() map[string]string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.vars == nil {
		vars := make(map[string]string)
		vars["name"] = "main"
		s.vars = vars
	}
	return s.vars
}

package p

import "sync"

type shards struct {
	mu   sync.RWMutex
	data map[int]map[string][]byte
}

func (s *shards) put(shard int, key string, v []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.data[shard]; !ok {
		s.data[shard] = map[string][]byte{}
	}
	s.data[shard][key] = v
}

func (s *shards) shard(n int) (map[string][]byte, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	m, ok := s.data[n]
	return m, ok
}

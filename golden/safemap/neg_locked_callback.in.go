package p

import "sync"

// unmute hands a callback to eachPartition with m.mu held; eachPartition only calls it,
// right away, on the same goroutine: the callback's writes hold m.mu like every other
// access (no finding).

type partitionSet struct {
	topics map[string][]int32
}

func (s *partitionSet) eachPartition(cb func(topic string, partition int32)) {
	for topic, parts := range s.topics {
		for _, p := range parts {
			cb(topic, p)
		}
	}
}

type muter struct {
	mu       sync.Mutex
	inFlight map[string]int
}

func (m *muter) mute(topic string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.inFlight[topic]++
}

func (m *muter) unmute(set *partitionSet) {
	m.mu.Lock()
	defer m.mu.Unlock()
	set.eachPartition(func(topic string, _ int32) {
		delete(m.inFlight, topic)
	})
}

func (m *muter) run(sets <-chan *partitionSet) {
	for set := range sets {
		go m.unmute(set)
	}
}

package p

import (
	"maps"
	"sync"
)

type feed struct {
	mu     sync.Mutex
	topics map[string]map[string]float64
	out    chan map[string]float64
}

func (f *feed) record(topic, key string, v float64) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.topics[topic] == nil {
		f.topics[topic] = map[string]float64{}
	}
	f.topics[topic][key] = v
}

// publish sends the topic's inner map to a consumer that reads it later.
func (f *feed) publish(topic string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.out <- maps.Clone(f.topics[topic])
}

package p

import (
	"maps"
	"sync"
)

var (
	regMu    sync.RWMutex
	registry = map[string]map[string]string{}
)

func register(region, name, addr string) {
	regMu.Lock()
	defer regMu.Unlock()
	m := registry[region]
	if m == nil {
		m = map[string]string{}
		registry[region] = m
	}
	m[name] = addr
}

func region(r string) map[string]string {
	regMu.RLock()
	defer regMu.RUnlock()
	return maps.Clone(registry[r])
}

package p

import (
	"maps"
	"sync"
)

// watcher's loop goroutine reads the inner map that peers returns after the lock is released,
// while Join, called by the package's users, writes it under the lock.
type watcher struct {
	mu    sync.Mutex
	peers map[string]map[string]int
	out   chan int
}

func newWatcher() *watcher {
	w := &watcher{peers: map[string]map[string]int{}, out: make(chan int)}
	go w.loop()
	return w
}

func (w *watcher) Join(group, peer string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.peers[group] == nil {
		w.peers[group] = map[string]int{}
	}
	w.peers[group][peer]++
}

func (w *watcher) members(group string) map[string]int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return maps.Clone(w.peers[group])
}

func (w *watcher) loop() {
	for {
		w.out <- len(w.members("all"))
	}
}

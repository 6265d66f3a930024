package p

import "sync"

// Start and UnsafeStart are two ways to start a notifier's dispatcher, each exported and
// called by nothing in the package: whether one notifier ever has both is its caller's
// choice (not reported by default; [transforms.safemap] exported-callers reports it).

type Notifier struct {
	once    sync.Once
	wg      sync.WaitGroup
	events  chan string
	clients map[string]int
}

func (n *Notifier) Start() {
	n.once.Do(func() {
		n.start()
	})
}

func (n *Notifier) start() {
	n.wg.Add(1)
	go n.dispatch()
}

func (n *Notifier) UnsafeStart() {
	n.wg.Add(1)
	go n.dispatch()
}

func (n *Notifier) dispatch() {
	defer n.wg.Done()
	for e := range n.events {
		n.clients[e]++
	}
}

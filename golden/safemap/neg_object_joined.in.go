package p

import "sync"

// Each fetcher runs one goroutine that writes its own maps and signals its end through a
// field of the object; readers wait for that signal on the same object first, directly or
// through a method (no finding).

type fetcher struct {
	tasks []string
	seen  map[string]bool
	term  chan struct{}
}

func newFetcher(tasks []string) *fetcher {
	f := &fetcher{tasks: tasks, seen: make(map[string]bool), term: make(chan struct{})}
	go f.loop()
	return f
}

func (f *fetcher) loop() {
	defer close(f.term)
	for _, t := range f.tasks {
		f.seen[t] = true
	}
}

func (f *fetcher) wait() {
	<-f.term
}

func report(fetchers []*fetcher) int {
	n := 0
	for _, f := range fetchers {
		f.wait()
		for k := range f.seen {
			delete(f.seen, k)
			n++
		}
	}
	return n
}

type notifier struct {
	wg      sync.WaitGroup
	quit    chan struct{}
	events  chan string
	clients map[string]int
}

func (n *notifier) start() {
	n.wg.Add(1)
	go n.dispatch()
}

func (n *notifier) dispatch() {
	defer n.wg.Done()
	for {
		select {
		case e := <-n.events:
			n.clients[e]++
		case <-n.quit:
			return
		}
	}
}

func (n *notifier) stop() int {
	close(n.quit)
	n.wg.Wait()
	total := 0
	for _, c := range n.clients {
		total += c
	}
	return total
}

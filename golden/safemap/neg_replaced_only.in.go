package p

import "time"

// The refresher never writes the map it publishes: it builds a new one and replaces the
// field. Readers only read. Concurrent reads of a map do not crash (the replacement is a
// data race on the field, which a SafeMap would not fix; no finding).

type resolver struct {
	names map[string]string
	stop  chan struct{}
	reqs  chan string
	out   chan string
}

func load() map[string]string {
	m := make(map[string]string)
	m["localhost"] = "127.0.0.1"
	return m
}

func (r *resolver) start() {
	r.names = load()
	go r.refresh()
	go r.serve()
}

func (r *resolver) serve() {
	for h := range r.reqs {
		r.out <- r.lookup(h)
	}
}

func (r *resolver) refresh() {
	t := time.NewTicker(time.Minute)
	defer t.Stop()
	for {
		select {
		case <-t.C:
			r.names = load()
		case <-r.stop:
			return
		}
	}
}

func (r *resolver) lookup(host string) string {
	return r.names[host]
}

// gomapfix-golden: --unsafe-fixes
package stats

type stats struct {
	name   string
	counts map[string]int
}

func newStats(name string) stats {
	return stats{name: name, counts: map[string]int{}}
}

func (s stats) bump(k string) {
	go func() {
		s.counts[k]++
	}()
}

func (s stats) get(k string) int {
	return s.counts[k]
}

func run() int {
	s := newStats("a")
	s.bump("x")
	return s.get("x")
}

// gomapfix-golden: --unsafe-fixes
package stats

type stats struct {
	name   string
	counts *safeMap[string, int]
}

func newStats(name string) stats {
	return stats{name: name, counts: &safeMap[string, int]{}}
}

func (s stats) bump(k string) {
	go func() {
		s.counts.Update(k, func(v int, _ bool) int { return v + 1 })
	}()
}

func (s stats) get(k string) int {
	v, _ := s.counts.Load(k)
	return v
}

func run() int {
	s := newStats("a")
	s.bump("x")
	return s.get("x")
}

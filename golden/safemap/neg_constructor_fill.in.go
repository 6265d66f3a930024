package p

// newSvc fills the map of an object it has just made, before anyone else can hold it; the
// goroutine that writes the map starts later, on the returned object (no finding).

type svc struct {
	m  map[string]int
	in chan string
}

func newSvc() *svc {
	s := &svc{in: make(chan string)}
	s.m = map[string]int{"a": 1}
	return s
}

func (s *svc) loop() {
	for k := range s.in {
		s.m[k]++
	}
}

func start() *svc {
	s := newSvc()
	go s.loop()
	return s
}

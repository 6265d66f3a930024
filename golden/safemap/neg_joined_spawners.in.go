package p

// probe and measure each start a goroutine on r and wait for its signal before they go on:
// the goroutines live inside their spawners' calls, which run one after the other (no
// finding).

type runner struct {
	n      int
	signal chan bool
	extra  map[string]float64
}

func (r *runner) runN(n int) {
	if r.extra == nil {
		r.extra = make(map[string]float64)
	}
	for i := 0; i < n; i++ {
		r.extra["ops"]++
	}
}

func (r *runner) probe() {
	go func() {
		defer func() { r.signal <- true }()
		r.runN(1)
	}()
	<-r.signal
}

func (r *runner) launch() {
	defer func() { r.signal <- true }()
	r.runN(r.n)
}

func (r *runner) measure() float64 {
	go r.launch()
	<-r.signal
	return r.extra["ops"]
}

func bench(r *runner) float64 {
	r.probe()
	return r.measure()
}

package p

// Run and Stats each start the report's tally goroutine, and the package calls Stats only from
// goroutines that Combined.Run starts, once per call: whether one report ever runs both is up
// to callers outside the package (not reported by default; [transforms.safemap]
// exported-callers reports it).

type Reporter interface {
	Run() <-chan int
	Stats() <-chan int
}

type Report struct {
	results chan string
	counts  map[string]int
}

func NewReport() *Report {
	return &Report{results: make(chan string, 8), counts: map[string]int{}}
}

func (r *Report) tally() {
	for s := range r.results {
		r.counts[s]++
	}
}

func (r *Report) Run() <-chan int {
	done := make(chan int, 1)
	go func() {
		r.tally()
		done <- len(r.results)
	}()
	return done
}

func (r *Report) Stats() <-chan int {
	done := make(chan int, 1)
	go func() {
		r.tally()
		done <- cap(r.results)
	}()
	return done
}

// Combined reports on a base report, through its interface, and on a report of its own.
type Combined struct {
	base Reporter
	own  *Report
}

func (c *Combined) Run() <-chan int {
	done := make(chan int, 2)
	go func() {
		basec, ownc := make(chan int, 1), make(chan int, 1)
		go func() { basec <- <-c.base.Run() }()
		go func() { ownc <- <-c.own.Stats() }()
		done <- <-ownc
		done <- <-basec
	}()
	return done
}

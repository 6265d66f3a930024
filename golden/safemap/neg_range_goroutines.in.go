package p

// worker counts the jobs it has seen in a map only its own goroutine touches.
type worker struct {
	name string
	jobs chan string
	done chan map[string]int
	seen map[string]int
}

func (w *worker) run() {
	for j := range w.jobs {
		w.record(j)
	}
	w.done <- map[string]int{"total": len(w.seen)}
}

func (w *worker) record(job string) {
	w.seen[job]++
}

// runAll starts one goroutine per worker of the slice; each goroutine gets an element of
// its own, so no two goroutines share a seen map (no finding).
func runAll(workers []*worker) {
	for _, w := range workers {
		go w.run()
	}
}

package p

import "sync"

// worker counts the jobs it has seen in a map only its own goroutine touches.
type worker struct {
	name string
	jobs chan string
	seen map[string]int
}

func (w *worker) run(wg *sync.WaitGroup) {
	defer wg.Done()
	for j := range w.jobs {
		w.record(j)
	}
}

func (w *worker) record(job string) {
	w.seen[job]++
}

// runAll starts one goroutine per worker of the slice; each goroutine gets an element of
// its own (the WaitGroup they share holds no map), so no two goroutines share a seen map
// (no finding).
func runAll(workers []*worker) {
	var wg sync.WaitGroup
	for _, w := range workers {
		wg.Add(1)
		go w.run(&wg)
	}
	wg.Wait()
}

package statements

import "sync"

var counts safeMap[string, int]

// record: `counts[k] = n` becomes `counts.Store(k, n)`, wider than every line of its
// run of aligned comments, so the whole run moves right.
func record(keys []string) {
	var wg sync.WaitGroup
	for _, k := range keys {
		wg.Add(1)
		go func() {
			defer wg.Done()
			n := len(k)        // the key's length
			counts.Store(k, n) // remember it
			last := k          // the latest key
			_ = last
		}()
	}
	wg.Wait()
}

// forget: `delete(counts, k)` becomes `counts.Delete(k)`, one byte narrower: the
// widest line of its run narrows, and the run with it.
func forget(k string) {
	go func() {
		counts.Delete(k) // drop the key
		k = ""           // and the name
		_ = k
	}()
}

// narrowNotWidest: the line that narrows is not the widest of its run: nothing else
// moves.
func narrowNotWidest(k string) {
	go func() {
		counts.Delete(k)       // drop the key
		k = "a longer literal" // the widest line
		_ = k
	}()
}

// lookup: the lazy initialisation goes (a zero safeMap is ready to use); the two
// commented lines around it become neighbours, and gofmt aligns them as one run.
func lookup(k string) int {
	size := len(k)       // the key's length
	total := size + 1000 // with the base
	return total
}

// separate: a blank line keeps two runs apart; only the run with the rewritten line
// moves.
func separate(k string) {
	go func() {
		short := 1         // one
		counts.Store(k, 2) // two

		other := 333 // three
		_, _ = short, other
	}()
}

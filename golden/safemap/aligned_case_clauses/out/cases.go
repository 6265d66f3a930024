package cases

import "sync"

var seen safeMap[int, string]

// apply rewrites the map in the bodies of case clauses. gofmt starts a new tabwriter
// section at every case clause and at the first statement of its body, so a case
// line's comment never aligns with its neighbours'; the statements of one body align
// with each other.
func apply(ops []int, wg *sync.WaitGroup) {
	for _, op := range ops {
		wg.Add(1)
		go func() {
			defer wg.Done()
			switch op {
			case 0: // widen
				seen.Store(op, "zero") // store it
				op++                   // next
			case 1, 2: // narrow
				seen.Delete(op) // drop it
				op--            // previous
			case 3: // narrow a line that is not the widest
				seen.Delete(op)      // drop it
				op = op * 1000 * 100 // the widest
			default: // untouched
				op = 0 // reset
			}
		}()
	}
}

// reset loses a lazy initialisation inside a case body: the commented lines around
// it join into one run.
func reset(op int) string {
	switch {
	case op > 0:
		label := "positive" // the sign
		op = op * 1000      // scaled
		return label
	}
	return ""
}

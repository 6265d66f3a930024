package groups

import "sync"

// In a var group the names, the types and the `= value`s are columns. `hits` gets a
// wider type and `names` a wider value: the `=` column moves right with the type
// column, and the comment column with the widest value. The const group is a
// section of its own and does not move.
var (
	hits  safeMap[string, int]                          // per path
	limit int                  = 10                     // per second
	names                      = safeMap[int, string]{} // by id
	label                      = "stats"                // shown
)

const (
	first  = 1 // one
	second = 2 // two
)

func count(paths []string) {
	var wg sync.WaitGroup
	for i, p := range paths {
		wg.Add(1)
		go func() {
			defer wg.Done()
			hits.Store(p, limit)
			names.Store(i, p)
		}()
	}
	wg.Wait()
}

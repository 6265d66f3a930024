package fields

import "sync"

// registry's field types, tags and comments are columns: `hits` becomes a wider
// safeMap, and every column after the types moves right, the tags and comments of
// the fields around it included. The nested struct ends a run: the fields after it
// are aligned apart and do not move.
type registry struct {
	name    string            `db:"name"` // shown in logs
	hits    map[string]int    `db:"hits"` // per path
	limits  map[string]string // per tenant
	counted bool
	sync.Mutex
	meta struct {
		owner string
	}
	tail   int    `db:"tail"`
	marker string // unchanged
}

func (r *registry) hit(paths []string) {
	var wg sync.WaitGroup
	for _, p := range paths {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r.hits[p]++
		}()
	}
	wg.Wait()
}

func newRegistry() *registry {
	return &registry{name: "r", hits: map[string]int{}}
}

package p

// NewOwner loads each store it has just built (e.init -> st.load deletes stale keys) before it
// returns the owner; the goroutines that write the same maps start only later, from a method
// of the returned owner (Start). No goroutine can hold a store while load runs (no finding).

type store struct {
	seen map[string]bool
	in   chan string
}

func newStore() *store {
	return &store{seen: make(map[string]bool), in: make(chan string)}
}

func (s *store) load(stale []string) {
	for _, k := range stale {
		delete(s.seen, k)
	}
}

func (s *store) run() {
	go func() {
		for k := range s.in {
			s.seen[k] = true
		}
	}()
}

type entry struct {
	st *store
}

func (e *entry) init(stale []string) {
	e.st.load(stale)
}

// Owner runs one store per name.
type Owner struct {
	entries map[string]*entry
}

// NewOwner builds and loads the stores of names.
func NewOwner(names, stale []string) *Owner {
	o := &Owner{entries: make(map[string]*entry)}
	for _, n := range names {
		o.entries[n] = &entry{st: newStore()}
	}
	for _, e := range o.entries {
		e.init(stale)
	}
	return o
}

// Start starts the stores' goroutines.
func (o *Owner) Start() {
	for _, e := range o.entries {
		e.st.run()
	}
}

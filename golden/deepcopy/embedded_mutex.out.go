package p

import (
	"maps"
	"sync"
)

type Tag struct{ Name string }

// tagIndex embeds its lock.
type tagIndex struct {
	sync.RWMutex
	tags map[string]map[string]*Tag
}

func (t *tagIndex) add(owner string, tag *Tag) {
	t.Lock()
	defer t.Unlock()
	if t.tags[owner] == nil {
		t.tags[owner] = map[string]*Tag{}
	}
	t.tags[owner][tag.Name] = tag
}

func (t *tagIndex) of(owner string) map[string]*Tag {
	t.RLock()
	defer t.RUnlock()
	return maps.Clone(t.tags[owner])
}

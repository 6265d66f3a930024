package p

import (
	"sort"
	"sync"
)

type index struct {
	mu    sync.Mutex
	terms map[string]map[string]bool
}

func (ix *index) add(term, doc string) {
	ix.mu.Lock()
	if ix.terms[term] == nil {
		ix.terms[term] = map[string]bool{}
	}
	ix.terms[term][doc] = true
	ix.mu.Unlock()
}

// docs reads the inner map after Unlock: the copy must be taken at the read.
func (ix *index) docs(term string) []string {
	ix.mu.Lock()
	set := ix.terms[term]
	ix.mu.Unlock()
	out := make([]string, 0, len(set))
	for d := range set {
		out = append(out, d)
	}
	sort.Strings(out)
	return out
}

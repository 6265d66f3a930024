// Package index counts words across documents, indexing each document on its
// own goroutine. Its maps are shared by those goroutines without a lock: the
// safemap behaviour test shows `go test -race` failing here before gomapfix
// and passing after `gomapfix --write --select safemap`.
package index

import "sync"

var (
	counts = map[string]int{}
	words  = map[string]map[string]bool{}
)

// Add records one occurrence of word in doc.
func Add(doc, word string) {
	counts[word]++
	if words[doc] == nil {
		words[doc] = map[string]bool{}
	}
	words[doc][word] = true
}

// Count reports how often word was added, over all documents.
func Count(word string) int {
	return counts[word]
}

// Distinct reports how many different words doc holds.
func Distinct(doc string) int {
	return len(words[doc])
}

// Total reports the number of occurrences of all words.
func Total() int {
	n := 0
	for _, c := range counts {
		n += c
	}
	return n
}

// Reset forgets everything.
func Reset() {
	counts = map[string]int{}
	clear(words)
}

// AddAll indexes the documents concurrently, one goroutine per document.
func AddAll(docs map[string][]string) {
	var wg sync.WaitGroup
	for doc, ws := range docs {
		wg.Add(1)
		go func(doc string, ws []string) {
			defer wg.Done()
			for _, w := range ws {
				Add(doc, w)
			}
		}(doc, ws)
	}
	wg.Wait()
}

package index

import (
	"fmt"
	"sync"
	"testing"
)

func TestAddAllFromManyGoroutines(t *testing.T) {
	Reset()
	docs := map[string][]string{}
	for i := 0; i < 16; i++ {
		docs[fmt.Sprint("doc", i)] = []string{"a", "b", "c", "a"}
	}
	AddAll(docs)
	if got := Count("a"); got != 32 {
		t.Errorf("Count(a) = %d; want 32", got)
	}
	if got := Total(); got != 64 {
		t.Errorf("Total() = %d; want 64", got)
	}
	if got := Distinct("doc3"); got != 3 {
		t.Errorf("Distinct(doc3) = %d; want 3", got)
	}
}

func TestReadersAndWriters(t *testing.T) {
	Reset()
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(2)
		go func(g int) {
			defer wg.Done()
			for i := 0; i < 200; i++ {
				Add(fmt.Sprint("doc", g), fmt.Sprint("w", i%10))
			}
		}(g)
		go func() {
			defer wg.Done()
			for i := 0; i < 200; i++ {
				_ = Count("w1") + Total() + Distinct("doc0")
			}
		}()
	}
	wg.Wait()
	if got := Total(); got != 8*200 {
		t.Errorf("Total() = %d; want %d", got, 8*200)
	}
	if got := Distinct("doc5"); got != 10 {
		t.Errorf("Distinct(doc5) = %d; want 10", got)
	}
}

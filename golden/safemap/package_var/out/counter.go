package counter

import "sync"

var hits safeMap[string, int]

// Record counts each key from its own goroutine.
func Record(keys []string) {
	var wg sync.WaitGroup
	for _, k := range keys {
		wg.Add(1)
		go func(k string) {
			defer wg.Done()
			hits.Update(k, func(v int, _ bool) int { return v + 1 })
		}(k)
	}
	wg.Wait()
}

func Count(k string) int {
	v, _ := hits.Load(k)
	return v
}

func Lookup(k string) (int, bool) {
	n, ok := hits.Load(k)
	return n, ok
}

func Size() int {
	return hits.Len()
}

func Set(k string, n int) {
	hits.Store(k, n)
}

func Forget(k string) {
	hits.Delete(k)
}

func Total() int {
	total := 0
	hits.Range(func(_ string, n int) bool {
		total += n
		return true
	})
	return total
}

func Reset() {
	hits.Clear()
}

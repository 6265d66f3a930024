// Package owners asks every node for its owner, one goroutine per node. The goroutines that
// call out hold mu around their write; the one for the local node forgot it.
package owners

import "sync"

// Owners returns the owner of every node; the local node owns itself.
func Owners(nodes []string, local string, ask func(string) (string, error)) map[string]string {
	var wg sync.WaitGroup
	var mu sync.Mutex
	out := make(map[string]string)
	for _, n := range nodes {
		wg.Add(1)
		go func(n string) {
			defer wg.Done()
			if n == local {
				out[n] = "self"
				return
			}
			owner, err := ask(n)
			if err == nil {
				mu.Lock()
				out[n] = owner
				mu.Unlock()
			}
		}(n)
	}
	wg.Wait()
	return out
}

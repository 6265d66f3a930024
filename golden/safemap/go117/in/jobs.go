package jobs

import "time"

var started = map[string]time.Time{}

func Start(names []string) {
	for _, n := range names {
		go func(n string) {
			started[n] = time.Now()
		}(n)
	}
}

func Since(n string) time.Duration {
	t, ok := started[n]
	if !ok {
		return 0
	}
	return time.Since(t)
}

func Running() int {
	return len(started)
}

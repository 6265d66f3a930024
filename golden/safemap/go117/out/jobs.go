package jobs

import "time"

var started safeMapStringTimeTime

func Start(names []string) {
	for _, n := range names {
		go func(n string) {
			started.Store(n, time.Now())
		}(n)
	}
}

func Since(n string) time.Duration {
	t, ok := started.Load(n)
	if !ok {
		return 0
	}
	return time.Since(t)
}

func Running() int {
	return started.Len()
}

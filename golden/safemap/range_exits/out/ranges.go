package ranges

var seen safeMap[int, string]

func fill(n int) {
	for i := 0; i < n; i++ {
		go func(i int) { seen.Store(i, "x") }(i)
	}
}

func firstLong(limit int) int {
	found := -1
	seen.Range(func(k int, v string) bool {
		if len(v) < limit {
			return true
		}
		switch {
		case k < 0:
			break
		}
		for j := 0; j < 2; j++ {
			if j == 1 {
				continue
			}
		}
		found = k
		return false
	})
	return found
}

func keys() []int {
	var out []int
	seen.Range(func(k int, _ string) bool {
		out = append(out, k)
		return true
	})
	seen.Range(func(_ int, _ string) bool {
		return true
	})
	return out
}

func skipAll() {
	seen.Range(func(k int, _ string) bool {
		if k > 0 {
			panic("positive")
		}
		return true
	})
}

package ranges

var seen = make(map[int]string)

func fill(n int) {
	for i := 0; i < n; i++ {
		go func(i int) { seen[i] = "x" }(i)
	}
}

func firstLong(limit int) int {
	found := -1
	for k, v := range seen {
		if len(v) < limit {
			continue
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
		break
	}
	return found
}

func keys() []int {
	var out []int
	for k := range seen {
		out = append(out, k)
	}
	for range seen {
	}
	return out
}

func skipAll() {
	for k := range seen {
		if k > 0 {
			panic("positive")
		}
		continue
	}
}

package compound

var (
	totals = safeMap[string, int]{}
	lists  = safeMap[string, []string]{}
)

func add(k string, n int) {
	go func() {
		totals.Update(k, func(v int, _ bool) int { return v + n })
		totals.Update(k, func(v int, _ bool) int { return v - 1 })
		totals.Update(k, func(v int, _ bool) int { return v * 2 })
		totals.Update(k, func(v int, _ bool) int { return v << 1 })
		totals.Update(k, func(v int, _ bool) int { return v + (n - 1) })
		lists.Update(k, func(v []string, _ bool) []string { return append(v, "x") })
	}()
	totals.Store(k, 0)
	lists.Store(k, nil)
}

package compound

var (
	totals = make(map[string]int)
	lists  = make(map[string][]string)
)

func add(k string, n int) {
	go func() {
		totals[k] += n
		totals[k]--
		totals[k] = totals[k] * 2
		totals[k] <<= 1
		totals[k] += n - 1
		lists[k] = append(lists[k], "x")
	}()
	totals[k] = 0
	lists[k] = nil
}

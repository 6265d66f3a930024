package nonpointer

type point struct{ X, Y int }

var counts = map[string]map[string]int{}

var labels map[string]map[int]string

var points = map[string]map[string]point{"a": {"b": {1, 2}}}

func bump(a, b string) {
	if counts[a] == nil {
		counts[a] = map[string]int{}
	}
	counts[a][b]++
	if labels == nil {
		labels = map[string]map[int]string{}
	}
	_ = points
}

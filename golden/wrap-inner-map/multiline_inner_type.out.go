package p

// The inner map's value type is a struct spelled over several lines: each element of the
// composite literal that gets the wrapper spells it again, indented for where it now stands.
func cases() int {
	n := 0
	for topic, tcs := range map[string]casesInner{
		"basics": {data: map[string]struct {
			name string
			want *int
		}{
			"one": {name: "one"},
		}},
		"more": {data: map[string]struct {
			name string
			want *int
		}{
			"two": {name: "two"},
		}},
	} {
		n += len(topic) + len(tcs.data)
	}
	return n
}

// casesInner is one inner map of map[string]map[string]struct{name string; want *int}, wrapped by gomapfix (wrap-inner-map).
type casesInner struct {
	data map[string]struct {
		name string
		want *int
	}
}

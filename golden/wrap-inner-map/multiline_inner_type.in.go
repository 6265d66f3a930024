package p

// The inner map's value type is a struct spelled over several lines: each element of the
// composite literal that gets the wrapper spells it again, indented for where it now stands.
func cases() int {
	n := 0
	for topic, tcs := range map[string]map[string]struct {
		name string
		want *int
	}{
		"basics": {
			"one": {name: "one"},
		},
		"more": {
			"two": {name: "two"},
		},
	} {
		n += len(topic) + len(tcs)
	}
	return n
}

package lazy

var names map[int]string

func set(i int, s string) {
	go func() {
		if names == nil {
			names = make(map[int]string)
		}
		names[i] = s
	}()
}

func get(i int) string {
	if names == nil {
		names = map[int]string{}
	}
	return names[i]
}

func drop() {
	names = nil
}

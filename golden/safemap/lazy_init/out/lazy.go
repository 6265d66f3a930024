package lazy

var names safeMap[int, string]

func set(i int, s string) {
	go func() {
		names.Store(i, s)
	}()
}

func get(i int) string {
	v, _ := names.Load(i)
	return v
}

func drop() {
	names.Clear()
}

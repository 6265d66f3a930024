package rangereturn

var ready = map[string]bool{}

func set(k string) {
	go func() { ready[k] = true }()
}

func anyReady() bool {
	for _, ok := range ready {
		if ok {
			return true
		}
	}
	return false
}

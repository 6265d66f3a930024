package grows

var owners safeMapStringInt

var tags = map[int][]string{}

func tag(id int, t string) {
	go func() {
		tags[id] = append(tags[id], t)
	}()
	owners.Store(t, id)
}

func tagsOf(id int) []string {
	return tags[id]
}

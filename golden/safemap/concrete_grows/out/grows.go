package grows

var owners safeMapStringInt

var tags safeMapIntSliceString

func tag(id int, t string) {
	go func() {
		tags.Update(id, func(v []string, _ bool) []string { return append(v, t) })
	}()
	owners.Store(t, id)
}

func tagsOf(id int) []string {
	v, _ := tags.Load(id)
	return v
}

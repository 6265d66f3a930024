package blockedslice

type User struct{ Name string }

var current = map[string]map[string]*User{}

var history []map[string]map[string]*User

func snapshot() {
	history = append(history, current)
	current = map[string]map[string]*User{}
}

package blockedgeneric

type User struct{ Name string }

func keys[K comparable, V any](m map[K]V) []K {
	out := make([]K, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

var teams = map[string]map[string]*User{}

func teamNames() []string {
	return keys(teams)
}

func members(team string) []string {
	return keys(teams[team])
}

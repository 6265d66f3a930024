package localmake

type User struct{ Name string }

// index builds a region -> id -> user index and reads it back in every way.
func index(users []*User, regions []string) (int, []string) {
	byRegion := make(map[string]map[string]*User, len(regions))
	for i, u := range users {
		r := regions[i%len(regions)]
		inner, ok := byRegion[r]
		if !ok {
			inner = make(map[string]*User)
			byRegion[r] = inner
		}
		inner[u.Name] = u
	}
	var names []string
	for r, inner := range byRegion {
		for name := range inner {
			names = append(names, r+"/"+name)
		}
	}
	if _, ok := byRegion["none"]; ok {
		return -1, nil
	}
	first := byRegion[regions[0]]
	return len(first) + len(byRegion), names
}

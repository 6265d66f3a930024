package basic

type User struct {
	Name string
}

var usersByRegion = map[string]map[string]*User{}

func add(region, id string, u *User) {
	if usersByRegion[region] == nil {
		usersByRegion[region] = make(map[string]*User)
	}
	usersByRegion[region][id] = u
}

func lookup(region, id string) (*User, bool) {
	inner, ok := usersByRegion[region]
	if !ok || inner == nil {
		return nil, false
	}
	u, ok := inner[id]
	return u, ok
}

func count() int {
	n := 0
	for _, inner := range usersByRegion {
		n += len(inner)
	}
	return n
}

func regionOf(region string) map[string]*User {
	return usersByRegion[region]
}

func drop(region, id string) {
	delete(usersByRegion[region], id)
	if len(usersByRegion[region]) == 0 {
		delete(usersByRegion, region)
	}
}

func seed() {
	s := &User{Name: "s"}
	usersByRegion = map[string]map[string]*User{
		"a": {"b": s},
		"c": nil,
	}
}

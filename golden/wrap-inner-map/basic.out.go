package basic

type User struct {
	Name string
}

var usersByRegion = map[string]usersByRegionInner{}

// usersByRegionInner is one inner map of map[string]map[string]*User, wrapped by gomapfix (wrap-inner-map).
type usersByRegionInner struct {
	data map[string]*User
}

func add(region, id string, u *User) {
	if usersByRegion[region].data == nil {
		usersByRegion[region] = usersByRegionInner{data: make(map[string]*User)}
	}
	usersByRegion[region].data[id] = u
}

func lookup(region, id string) (*User, bool) {
	inner, ok := usersByRegion[region]
	if !ok || inner.data == nil {
		return nil, false
	}
	u, ok := inner.data[id]
	return u, ok
}

func count() int {
	n := 0
	for _, inner := range usersByRegion {
		n += len(inner.data)
	}
	return n
}

func regionOf(region string) map[string]*User {
	return usersByRegion[region].data
}

func drop(region, id string) {
	delete(usersByRegion[region].data, id)
	if len(usersByRegion[region].data) == 0 {
		delete(usersByRegion, region)
	}
}

func seed() {
	s := &User{Name: "s"}
	usersByRegion = map[string]usersByRegionInner{
		"a": {data: map[string]*User{"b": s}},
		"c": {},
	}
}

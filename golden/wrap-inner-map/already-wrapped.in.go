package alreadywrapped

type User struct{ Name string }

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

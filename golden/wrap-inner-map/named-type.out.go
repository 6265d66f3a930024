package namedtype

type User struct{ Name string }

// regionMap maps region -> name -> user.
type regionMap map[string]regionMapInner

// regionMapInner is one inner map of map[string]map[string]*User, wrapped by gomapfix (wrap-inner-map).
type regionMapInner struct {
	data map[string]*User
}

func (m regionMap) add(region string, u *User) {
	if _, ok := m[region]; !ok {
		m[region] = regionMapInner{data: map[string]*User{}}
	}
	m[region].data[u.Name] = u
}

func (m regionMap) users(region string) map[string]*User {
	return m[region].data
}

func build() regionMap {
	m := make(regionMap)
	m.add("eu", &User{Name: "ann"})
	plain := map[string]regionMapInner{"us": {data: map[string]*User{"bob": {Name: "bob"}}}}
	for k, v := range regionMap(plain) {
		m[k] = v
	}
	return m
}

func count() int {
	m := build()
	return len(m.users("eu")) + len(m["us"].data)
}

package namedtype

type User struct{ Name string }

// regionMap maps region -> name -> user.
type regionMap map[string]map[string]*User

func (m regionMap) add(region string, u *User) {
	if _, ok := m[region]; !ok {
		m[region] = map[string]*User{}
	}
	m[region][u.Name] = u
}

func (m regionMap) users(region string) map[string]*User {
	return m[region]
}

func build() regionMap {
	m := make(regionMap)
	m.add("eu", &User{Name: "ann"})
	plain := map[string]map[string]*User{"us": {"bob": {Name: "bob"}}}
	for k, v := range regionMap(plain) {
		m[k] = v
	}
	return m
}

func count() int {
	m := build()
	return len(m.users("eu")) + len(m["us"])
}

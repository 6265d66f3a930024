package alias

type User struct{ Name string }

type byRegion = map[string]byRegionInner

// byRegionInner is one inner map of map[string]map[string]*User, wrapped by gomapfix (wrap-inner-map).
type byRegionInner struct {
	data map[string]*User
}

type store struct {
	users byRegion
}

func (s *store) put(region string, u *User) {
	inner := s.users[region].data
	if inner == nil {
		inner = map[string]*User{}
		s.users[region] = byRegionInner{data: inner}
	}
	inner[u.Name] = u
}

func newStore() *store {
	return &store{users: byRegion{}}
}

func total(s *store) (n int) {
	var all map[string]byRegionInner = s.users
	for _, inner := range all {
		n += len(inner.data)
	}
	return n
}

package alias

type User struct{ Name string }

type byRegion = map[string]map[string]*User

type store struct {
	users byRegion
}

func (s *store) put(region string, u *User) {
	inner := s.users[region]
	if inner == nil {
		inner = map[string]*User{}
		s.users[region] = inner
	}
	inner[u.Name] = u
}

func newStore() *store {
	return &store{users: byRegion{}}
}

func total(s *store) (n int) {
	var all map[string]map[string]*User = s.users
	for _, inner := range all {
		n += len(inner)
	}
	return n
}

package multigroups

type User struct{ Name string }

type Team struct{ Lead *User }

type directory struct {
	users map[string]usersInner
	teams map[string]teamsInner
	ranks map[string]map[string]int
}

// usersInner is one inner map of map[string]map[string]*User, wrapped by gomapfix (wrap-inner-map).
type usersInner struct {
	data map[string]*User
}

// teamsInner is one inner map of map[string]map[int][]*Team, wrapped by gomapfix (wrap-inner-map).
type teamsInner struct {
	data map[int][]*Team
}

func (d *directory) addUser(region string, u *User) {
	if d.users[region].data == nil {
		d.users[region] = usersInner{data: map[string]*User{}}
	}
	d.users[region].data[u.Name] = u
}

func (d *directory) addTeam(org string, size int, t *Team) {
	bySize := d.teams[org].data
	if bySize == nil {
		bySize = make(map[int][]*Team)
		d.teams[org] = teamsInner{data: bySize}
	}
	bySize[size] = append(bySize[size], t)
	if d.ranks[org] == nil {
		d.ranks[org] = map[string]int{}
	}
	d.ranks[org][t.Lead.Name]++
}

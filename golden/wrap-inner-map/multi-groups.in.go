package multigroups

type User struct{ Name string }

type Team struct{ Lead *User }

type directory struct {
	users map[string]map[string]*User
	teams map[string]map[int][]*Team
	ranks map[string]map[string]int
}

func (d *directory) addUser(region string, u *User) {
	if d.users[region] == nil {
		d.users[region] = map[string]*User{}
	}
	d.users[region][u.Name] = u
}

func (d *directory) addTeam(org string, size int, t *Team) {
	bySize := d.teams[org]
	if bySize == nil {
		bySize = make(map[int][]*Team)
		d.teams[org] = bySize
	}
	bySize[size] = append(bySize[size], t)
	if d.ranks[org] == nil {
		d.ranks[org] = map[string]int{}
	}
	d.ranks[org][t.Lead.Name]++
}

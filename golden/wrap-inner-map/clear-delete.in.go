package cleardelete

type User struct{ Name string }

type cache struct {
	byTeam map[string]map[string]*User
}

func (c *cache) reset(team string) {
	clear(c.byTeam[team])
}

func (c *cache) resetAll() {
	clear(c.byTeam)
}

func (c *cache) forget(team, name string) {
	delete(c.byTeam[team], name)
	if len(c.byTeam[team]) == 0 {
		delete(c.byTeam, team)
	}
}

func (c *cache) add(team string, u *User) {
	if c.byTeam == nil {
		c.byTeam = make(map[string]map[string]*User)
	}
	members := c.byTeam[team]
	if members == nil {
		members = map[string]*User{}
		c.byTeam[team] = members
	}
	members[u.Name] = u
}

package cleardelete

type User struct{ Name string }

type cache struct {
	byTeam map[string]byTeamInner
}

// byTeamInner is one inner map of map[string]map[string]*User, wrapped by gomapfix (wrap-inner-map).
type byTeamInner struct {
	data map[string]*User
}

func (c *cache) reset(team string) {
	clear(c.byTeam[team].data)
}

func (c *cache) resetAll() {
	clear(c.byTeam)
}

func (c *cache) forget(team, name string) {
	delete(c.byTeam[team].data, name)
	if len(c.byTeam[team].data) == 0 {
		delete(c.byTeam, team)
	}
}

func (c *cache) add(team string, u *User) {
	if c.byTeam == nil {
		c.byTeam = make(map[string]byTeamInner)
	}
	members := c.byTeam[team].data
	if members == nil {
		members = map[string]*User{}
		c.byTeam[team] = byTeamInner{data: members}
	}
	members[u.Name] = u
}

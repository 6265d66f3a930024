package p

type User struct{ Name string }

// directory's widest type narrows (`map[string]map[string]*User` becomes
// `map[string]byTeamInner`): the tag and comment columns of its run move left. The
// embedded field is a column of its own; a blank line ends the run.
type directory struct {
	title  string                 `db:"title"`
	byTeam map[string]byTeamInner `db:"by_team"` // team -> name -> user
	*User  `db:"owner"`
	count  int // users added

	byOrg map[string]byTeamInner // org -> name -> user
	seats int                    // per org
}

// byTeamInner is one inner map of map[string]map[string]*User, wrapped by gomapfix (wrap-inner-map).
type byTeamInner struct {
	data map[string]*User
}

func (d *directory) add(team, org string, u *User) {
	if d.byTeam[team].data == nil {
		d.byTeam[team] = byTeamInner{data: map[string]*User{}}
	}
	d.byTeam[team].data[u.Name] = u
	d.byOrg[org] = d.byTeam[team]
	d.count++
}

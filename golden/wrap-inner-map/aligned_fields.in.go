package p

type User struct{ Name string }

// directory's widest type narrows (`map[string]map[string]*User` becomes
// `map[string]byTeamInner`): the tag and comment columns of its run move left. The
// embedded field is a column of its own; a blank line ends the run.
type directory struct {
	title  string                      `db:"title"`
	byTeam map[string]map[string]*User `db:"by_team"` // team -> name -> user
	*User  `db:"owner"`
	count  int // users added

	byOrg map[string]map[string]*User // org -> name -> user
	seats int                         // per org
}

func (d *directory) add(team, org string, u *User) {
	if d.byTeam[team] == nil {
		d.byTeam[team] = map[string]*User{}
	}
	d.byTeam[team][u.Name] = u
	d.byOrg[org] = d.byTeam[team]
	d.count++
}

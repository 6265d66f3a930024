package p

type User struct{ Name string }

// In this var group `byTeam`'s type narrows (`map[string]map[string]*User` becomes
// `map[string]byTeamInner`): the `=` column moves left with the type column. `byOrg`'s
// value narrows too: the comment column moves left to the widest value left. The
// group after a blank line is a section of its own.
var (
	byTeam map[string]map[string]*User                                 // team -> name -> user
	limit  int                         = 10                            // per team
	byOrg                              = map[string]map[string]*User{} // org -> name -> user

	other = 1 // untouched
)

func add(team, org string, u *User) {
	if byTeam[team] == nil {
		byTeam[team] = map[string]*User{}
	}
	byTeam[team][u.Name] = u
	byOrg[org] = byTeam[team]
	limit--
}

package p

type User struct{ Name string }

// In this var group `byTeam`'s type narrows (`map[string]map[string]*User` becomes
// `map[string]byTeamInner`): the `=` column moves left with the type column. `byOrg`'s
// value narrows too: the comment column moves left to the widest value left. The
// group after a blank line is a section of its own.
var (
	byTeam map[string]byTeamInner                            // team -> name -> user
	limit  int                    = 10                       // per team
	byOrg                         = map[string]byTeamInner{} // org -> name -> user

	other = 1 // untouched
)

// byTeamInner is one inner map of map[string]map[string]*User, wrapped by gomapfix (wrap-inner-map).
type byTeamInner struct {
	data map[string]*User
}

func add(team, org string, u *User) {
	if byTeam[team].data == nil {
		byTeam[team] = byTeamInner{data: map[string]*User{}}
	}
	byTeam[team].data[u.Name] = u
	byOrg[org] = byTeam[team]
	limit--
}

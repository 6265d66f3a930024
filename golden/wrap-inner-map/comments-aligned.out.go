package commentsaligned

type User struct{ Name string }

type store struct {
	name    string                 // store name
	byTeam  map[string]byTeamInner // team -> name -> user
	limit   int                    // max users per team
	aliases map[string]string      `db:"aliases"`
	byOrg   map[string]byTeamInner `db:"by_org"` // org -> name -> user
}

// byTeamInner is one inner map of map[string]map[string]*User, wrapped by gomapfix (wrap-inner-map).
type byTeamInner struct {
	data map[string]*User
}

var (
	defaultTeam = "core"                   // the team new users join
	byTeam      = map[string]byTeamInner{} // package-wide index
	count       int                        // users added
)

func (s *store) add(team string, u *User) {
	if s.byTeam[team].data == nil {
		s.byTeam[team] = byTeamInner{data: map[string]*User{}} // lazily
	}
	s.byTeam[team].data[u.Name] = u // store
	byTeam[team] = s.byTeam[team]   // share
	count++                         // bookkeeping
	s.byOrg = byTeam
}

package commentsaligned

type User struct{ Name string }

type store struct {
	name    string                      // store name
	byTeam  map[string]map[string]*User // team -> name -> user
	limit   int                         // max users per team
	aliases map[string]string           `db:"aliases"`
	byOrg   map[string]map[string]*User `db:"by_org"` // org -> name -> user
}

var (
	defaultTeam = "core"                        // the team new users join
	byTeam      = map[string]map[string]*User{} // package-wide index
	count       int                             // users added
)

func (s *store) add(team string, u *User) {
	if s.byTeam[team] == nil {
		s.byTeam[team] = map[string]*User{} // lazily
	}
	s.byTeam[team][u.Name] = u    // store
	byTeam[team] = s.byTeam[team] // share
	count++                       // bookkeeping
	s.byOrg = byTeam
}

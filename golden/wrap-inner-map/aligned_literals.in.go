package p

type User struct{ Name string }

// byRegion's values are rewritten, some wider (`{}` becomes `{data: ...}`), some
// narrower (`nil` becomes `{}`): the comment column follows the widest value of each
// run. A key of more than 40 bytes, 2.5 times the mean before it, starts a run of its
// own (go/printer's exprList breaks the alignment there): the values after it align
// apart.
var byRegion = map[string]map[string]*User{
	"eu":   nil,                        // first
	"us":   {},                         // second
	"apac": map[string]*User{"y": nil}, // third
	"a region with a very, very, very long name": nil, // alone
	"x":  nil, // after the long key
	"yy": {},  // and its neighbour
}

type index struct {
	title  string
	byTeam map[string]map[string]*User
	count  int
}

// newIndex's value narrows (`map[string]map[string]*User{}` becomes
// `map[string]byTeamInner{}`): the comment column of its run moves left; the keys
// keep their column.
func newIndex() *index {
	return &index{
		title:  "users",                       // shown
		byTeam: map[string]map[string]*User{}, // team -> name -> user
		count:  len(byRegion),                 // start
	}
}

func (x *index) add(team string, u *User) {
	if x.byTeam[team] == nil {
		x.byTeam[team] = byRegion[team]
	}
	x.byTeam[team][u.Name] = u
}

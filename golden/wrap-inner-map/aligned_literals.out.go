package p

type User struct{ Name string }

// byRegion's values are rewritten, some wider (`{}` becomes `{data: ...}`), some
// narrower (`nil` becomes `{}`): the comment column follows the widest value of each
// run. A key of more than 40 bytes, 2.5 times the mean before it, starts a run of its
// own (go/printer's exprList breaks the alignment there): the values after it align
// apart.
var byRegion = map[string]byRegionInner{
	"eu":   {},                                 // first
	"us":   {data: map[string]*User{}},         // second
	"apac": {data: map[string]*User{"y": nil}}, // third
	"a region with a very, very, very long name": {}, // alone
	"x":  {},                         // after the long key
	"yy": {data: map[string]*User{}}, // and its neighbour
}

// byRegionInner is one inner map of map[string]map[string]*User, wrapped by gomapfix (wrap-inner-map).
type byRegionInner struct {
	data map[string]*User
}

type index struct {
	title  string
	byTeam map[string]byRegionInner
	count  int
}

// newIndex's value narrows (`map[string]map[string]*User{}` becomes
// `map[string]byTeamInner{}`): the comment column of its run moves left; the keys
// keep their column.
func newIndex() *index {
	return &index{
		title:  "users",                    // shown
		byTeam: map[string]byRegionInner{}, // team -> name -> user
		count:  len(byRegion),              // start
	}
}

func (x *index) add(team string, u *User) {
	if x.byTeam[team].data == nil {
		x.byTeam[team] = byRegion[team]
	}
	x.byTeam[team].data[u.Name] = u
}

// gomapfix-golden: --unsafe-fixes

package p

import "fmt"

type user struct{ name string }

var byTeam = map[string]byTeamInner{}

// byTeamInner is one inner map of map[string]map[string]*user, wrapped by gomapfix (wrap-inner-map).
type byTeamInner struct {
	data map[string]*user
}

func add(team, id string, u *user) {
	if byTeam[team].data == nil {
		byTeam[team] = byTeamInner{data: map[string]*user{}}
	}
	byTeam[team].data[id] = u
}

// snapshot hands the map out as an interface: after the rewrite the receiver sees the
// wrapper type, so the fix is unsafe and names this use.
func snapshot() any {
	return byTeam
}

func dump() {
	fmt.Printf("%d teams: %v\n", len(byTeam), byTeam)
}

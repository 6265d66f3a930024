package main

import "sort"

// usersByTeam maps a team name to that team's members, keyed by user ID.
// Every use site below touches the inner map through the outer one.
var usersByTeam = map[string]map[string]*User{}

// addUser adds u to team, creating the team's inner map on first use.
func addUser(team string, u *User) {
	if usersByTeam[team] == nil {
		usersByTeam[team] = make(map[string]*User)
	}
	usersByTeam[team][u.ID] = u
}

// replaceTeam installs members as the whole team.
func replaceTeam(team string, members map[string]*User) {
	usersByTeam[team] = members
}

// lookup returns the user with id in team.
func lookup(team, id string) (*User, bool) {
	members, ok := usersByTeam[team]
	if !ok {
		return nil, false
	}
	u, ok := members[id]
	return u, ok
}

// teamSize reports how many members team has.
func teamSize(team string) int {
	return len(usersByTeam[team])
}

// memberNames returns the sorted names of team's members.
func memberNames(team string) []string {
	var names []string
	for _, u := range usersByTeam[team] {
		names = append(names, u.Name)
	}
	sort.Strings(names)
	return names
}

// removeUser deletes id from team.
func removeUser(team, id string) {
	delete(usersByTeam[team], id)
}

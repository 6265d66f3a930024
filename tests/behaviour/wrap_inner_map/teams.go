package regions

import "errors"

type member struct {
	user *User
	role string
}

// roster is a named nested map type with value-receiver methods.
type roster map[string]map[string]member

func (r roster) join(team string, u *User, role string) {
	if _, ok := r[team]; !ok {
		r[team] = map[string]member{}
	}
	r[team][u.Name] = member{user: u, role: role}
}

func (r roster) role(team, name string) string {
	return r[team][name].role
}

func (r roster) team(team string) map[string]member {
	return r[team]
}

// byOrg is an alias of the same nested type.
type byOrg = map[string]map[string]member

func orgs(r roster) byOrg {
	return byOrg(r)
}

func loadRoster(names []string) (roster, error) {
	if len(names) == 0 {
		return nil, errors.New("empty roster")
	}
	r := make(roster)
	for i, n := range names {
		role := "dev"
		if i == 0 {
			role = "lead"
		}
		r.join("core", &User{Name: n}, role)
	}
	return r, nil
}

func merge(a, b roster) roster {
	out := roster{}
	for team, members := range a {
		out[team] = members
	}
	for team, members := range b {
		if existing, ok := out[team]; ok {
			for name, m := range members {
				existing[name] = m
			}
			continue
		}
		out[team] = members
	}
	return out
}

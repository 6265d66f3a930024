package paramsresults

import "errors"

type User struct{ Name string }

func load(names []string) (map[string]map[string]*User, error) {
	if len(names) == 0 {
		return nil, errors.New("no names")
	}
	out := map[string]map[string]*User{}
	for _, n := range names {
		put(out, n[:1], &User{Name: n})
	}
	return out, nil
}

func put(idx map[string]map[string]*User, region string, u *User) {
	if idx[region] == nil {
		idx[region] = map[string]*User{}
	}
	idx[region][u.Name] = u
}

func merged(a, b map[string]map[string]*User) map[string]map[string]*User {
	out := make(map[string]map[string]*User, len(a)+len(b))
	for k, v := range a {
		out[k] = v
	}
	for k, v := range b {
		out[k] = v
	}
	return out
}

func size(names []string) int {
	idx, err := load(names)
	if err != nil {
		return 0
	}
	var other map[string]map[string]*User
	other, err = load([]string{"zed"})
	if err != nil {
		return 0
	}
	all := merged(idx, other)
	return len(all) + len(all["z"])
}

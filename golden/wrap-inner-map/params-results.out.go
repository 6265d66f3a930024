package paramsresults

import "errors"

type User struct{ Name string }

func load(names []string) (map[string]loadInner, error) {
	if len(names) == 0 {
		return nil, errors.New("no names")
	}
	out := map[string]loadInner{}
	for _, n := range names {
		put(out, n[:1], &User{Name: n})
	}
	return out, nil
}

// loadInner is one inner map of map[string]map[string]*User, wrapped by gomapfix (wrap-inner-map).
type loadInner struct {
	data map[string]*User
}

func put(idx map[string]loadInner, region string, u *User) {
	if idx[region].data == nil {
		idx[region] = loadInner{data: map[string]*User{}}
	}
	idx[region].data[u.Name] = u
}

func merged(a, b map[string]loadInner) map[string]loadInner {
	out := make(map[string]loadInner, len(a)+len(b))
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
	var other map[string]loadInner
	other, err = load([]string{"zed"})
	if err != nil {
		return 0
	}
	all := merged(idx, other)
	return len(all) + len(all["z"].data)
}

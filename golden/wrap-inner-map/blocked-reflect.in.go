package blockedreflect

import "reflect"

type User struct{ Name string }

var idx = map[string]map[string]*User{}

func add(region, id string, u *User) {
	if idx[region] == nil {
		idx[region] = map[string]*User{}
	}
	idx[region][id] = u
}

func kind() reflect.Kind {
	return reflect.ValueOf(idx).Kind()
}

package literalsdeep

type User struct{ Name string }

type zone struct {
	name  string
	users map[string]usersInner
}

// usersInner is one inner map of map[string]map[string]*User, wrapped by gomapfix (wrap-inner-map).
type usersInner struct {
	data map[string]*User
}

var s = "shared"

var defaults = []zone{
	{name: "eu", users: map[string]usersInner{
		"ber": {data: map[string]*User{"ann": {Name: "ann"}, "bob": &User{Name: "bob"}}},
		"par": {data: map[string]*User{}},
	}},
	{name: "us", users: map[string]usersInner{"nyc": {}}},
}

func zones() map[string]zone {
	inner := map[string]*User{"x": {Name: s}}
	return map[string]zone{
		"custom": {
			name: "custom",
			users: map[string]usersInner{
				"a": {data: inner},
				"b": {data: map[string]*User{"y": {Name: "y"}}},
				"c": defaults[0].users["ber"],
			},
		},
	}
}

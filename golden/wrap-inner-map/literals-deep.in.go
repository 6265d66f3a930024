package literalsdeep

type User struct{ Name string }

type zone struct {
	name  string
	users map[string]map[string]*User
}

var s = "shared"

var defaults = []zone{
	{name: "eu", users: map[string]map[string]*User{
		"ber": {"ann": {Name: "ann"}, "bob": &User{Name: "bob"}},
		"par": {},
	}},
	{name: "us", users: map[string]map[string]*User{"nyc": nil}},
}

func zones() map[string]zone {
	inner := map[string]*User{"x": {Name: s}}
	return map[string]zone{
		"custom": {
			name: "custom",
			users: map[string]map[string]*User{
				"a": inner,
				"b": map[string]*User{"y": {Name: "y"}},
				"c": defaults[0].users["ber"],
			},
		},
	}
}

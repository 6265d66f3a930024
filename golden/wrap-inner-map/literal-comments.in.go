package literalcomments

type User struct{ Name string }

var m = map[string]map[string]*User{
	"a":      nil,                        // first
	"bbbbbb": {},                         // second
	"c":      {"x": {Name: "x"}},         // third
	"dd":     map[string]*User{"y": nil}, // fourth
}

func add(k string, u *User) {
	m[k] = map[string]*User{u.Name: u} // replace
	m[k+"!"] = nil                     // reset
}

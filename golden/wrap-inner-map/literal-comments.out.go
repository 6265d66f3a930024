package literalcomments

type User struct{ Name string }

var m = map[string]mInner{
	"a":      {},                                         // first
	"bbbbbb": {data: map[string]*User{}},                 // second
	"c":      {data: map[string]*User{"x": {Name: "x"}}}, // third
	"dd":     {data: map[string]*User{"y": nil}},         // fourth
}

// mInner is one inner map of map[string]map[string]*User, wrapped by gomapfix (wrap-inner-map).
type mInner struct {
	data map[string]*User
}

func add(k string, u *User) {
	m[k] = mInner{data: map[string]*User{u.Name: u}} // replace
	m[k+"!"] = mInner{}                              // reset
}

package nameclash

type User struct{ Name string }

type sessionsInner struct{ n int }

var sessions = map[string]sessionsInner3{}

// sessionsInner3 is one inner map of map[string]map[string]*User, wrapped by gomapfix (wrap-inner-map).
type sessionsInner3 struct {
	data map[string]*User
}

func add(id string, u *User) {
	sessionsInner2 := sessions[id].data
	if sessionsInner2 == nil {
		sessionsInner2 = map[string]*User{}
		sessions[id] = sessionsInner3{data: sessionsInner2}
	}
	sessionsInner2[u.Name] = u
	_ = sessionsInner{}
}

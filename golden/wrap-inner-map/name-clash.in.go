package nameclash

type User struct{ Name string }

type sessionsInner struct{ n int }

var sessions = map[string]map[string]*User{}

func add(id string, u *User) {
	sessionsInner2 := sessions[id]
	if sessionsInner2 == nil {
		sessionsInner2 = map[string]*User{}
		sessions[id] = sessionsInner2
	}
	sessionsInner2[u.Name] = u
	_ = sessionsInner{}
}

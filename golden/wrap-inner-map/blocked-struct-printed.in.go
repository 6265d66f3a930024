package blockedstructprinted

import "fmt"

type User struct{ Name string }

type report struct {
	title string
	rows  map[string]map[string]*User
}

func (r *report) add(group string, u *User) {
	if r.rows[group] == nil {
		r.rows[group] = map[string]*User{}
	}
	r.rows[group][u.Name] = u
}

func show(r report) string {
	return fmt.Sprintf("%v", r)
}

package p

import "sync"

type Role struct{ Name string }

type acl struct {
	mu    sync.Mutex
	roles map[string]map[string]*Role
}

type Reply struct {
	Roles map[string]*Role
}

func (a *acl) grant(user string, r *Role) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.roles[user] == nil {
		a.roles[user] = map[string]*Role{}
	}
	a.roles[user][r.Name] = r
}

// fill stores the inner map in a reply that outlives the lock.
func (a *acl) fill(user string, reply *Reply) {
	a.mu.Lock()
	defer a.mu.Unlock()
	reply.Roles = a.roles[user]
}

// reply returns it inside a composite literal.
func (a *acl) reply(user string) *Reply {
	a.mu.Lock()
	defer a.mu.Unlock()
	return &Reply{Roles: a.roles[user]}
}

// cache is a negative: storing the inner map back into the guarded structure is fine.
func (a *acl) alias(from, to string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.roles[to] = a.roles[from]
}

package p

import "sync"

type User struct{ ID, Name string }

// cache holds users per team.
type cache struct {
	mu sync.Mutex
	m  map[string]map[string]*User
}

func (c *cache) put(team string, u *User) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m[team] == nil {
		c.m[team] = make(map[string]*User)
	}
	c.m[team][u.ID] = u
}

// team returns the members of team; a team nobody joined gives nil.
func (c *cache) team(name string) map[string]*User {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.m[name]
}

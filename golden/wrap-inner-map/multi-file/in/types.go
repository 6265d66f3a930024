package multifile

import "sync"

// User is a registered user.
type User struct {
	Name  string
	Admin bool
}

type registry struct {
	mu       sync.RWMutex
	byRegion map[string]map[string]*User // region -> name -> user
	total    int
}

func newRegistry() *registry {
	return &registry{byRegion: map[string]map[string]*User{}}
}

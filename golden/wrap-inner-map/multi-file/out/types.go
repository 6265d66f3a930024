package multifile

import "sync"

// User is a registered user.
type User struct {
	Name  string
	Admin bool
}

type registry struct {
	mu       sync.RWMutex
	byRegion map[string]byRegionInner // region -> name -> user
	total    int
}

// byRegionInner is one inner map of map[string]map[string]*User, wrapped by gomapfix (wrap-inner-map).
type byRegionInner struct {
	data map[string]*User
}

func newRegistry() *registry {
	return &registry{byRegion: map[string]byRegionInner{}}
}

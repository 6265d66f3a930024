// Package regions keeps users by region and name in nested maps. It is the
// behaviour-equivalence fixture of gomapfix's wrap-inner-map transform: its
// tests must pass, unchanged in meaning, before and after the rewrite.
package regions

import (
	"errors"
	"fmt"
	"sort"
	"strings"
)

// User is a registered user.
type User struct {
	Name  string   `json:"name"`
	Email string   `json:"email,omitempty"`
	Tags  []string `json:"tags,omitempty"`
}

// registry is the package-wide index: region -> name -> user.
var registry = map[string]map[string]*User{}

func register(region string, u *User) {
	if registry[region] == nil {
		registry[region] = make(map[string]*User)
	}
	registry[region][u.Name] = u
}

func lookup(region, name string) (*User, bool) {
	users, ok := registry[region]
	if !ok || users == nil {
		return nil, false
	}
	u, ok := users[name]
	return u, ok
}

func hasRegion(region string) bool {
	_, ok := registry[region]
	return ok
}

func regionOf(region string) map[string]*User {
	return registry[region]
}

func countUsers(users map[string]*User) int {
	return len(users)
}

func totalUsers() int {
	n := 0
	for _, users := range registry {
		n += countUsers(users)
	}
	return n
}

func unregister(region, name string) {
	delete(registry[region], name)
	if len(registry[region]) == 0 {
		delete(registry, region)
	}
}

func emptyRegion(region string) {
	clear(registry[region])
}

func resetRegistry() {
	clear(registry)
}

func adopt(region string, users map[string]*User) {
	registry[region] = users
}

func forget(region string) {
	registry[region] = nil
}

func seedRegistry() {
	shared := &User{Name: "root", Email: "root@example.com"}
	registry = map[string]map[string]*User{
		"eu": {"ann": {Name: "ann"}, "root": shared},
		"us": {"bob": &User{Name: "bob", Tags: []string{"ops"}}},
		"ap": nil,
		"af": {},
	}
}

func describe(region string) string {
	users := registry[region]
	names := make([]string, 0, len(users))
	for name := range users {
		names = append(names, name)
	}
	sort.Strings(names)
	return fmt.Sprintf("%s:%s:%v", region, strings.Join(names, ","), users == nil)
}

func printed(region string) string {
	return fmt.Sprint(registry[region])
}

func copyRegion(from, to string) error {
	users, ok := registry[from]
	if !ok {
		return errors.New("no region " + from)
	}
	registry[to] = users
	return nil
}

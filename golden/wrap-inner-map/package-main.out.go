package main

import "fmt"

type User struct{ Name string }

// Registry is exported, but package main cannot be imported: no API changes.
var Registry = map[string]registryInner{}

// registryInner is one inner map of map[string]map[string]*User, wrapped by gomapfix (wrap-inner-map).
type registryInner struct {
	data map[string]*User
}

func Register(region string, u *User) {
	if Registry[region].data == nil {
		Registry[region] = registryInner{data: map[string]*User{}}
	}
	Registry[region].data[u.Name] = u
}

func main() {
	Register("eu", &User{Name: "ann"})
	fmt.Println(len(Registry["eu"].data), Registry["eu"].data["ann"].Name)
}

package main

import "fmt"

type User struct{ Name string }

// Registry is exported, but package main cannot be imported: no API changes.
var Registry = map[string]map[string]*User{}

func Register(region string, u *User) {
	if Registry[region] == nil {
		Registry[region] = map[string]*User{}
	}
	Registry[region][u.Name] = u
}

func main() {
	Register("eu", &User{Name: "ann"})
	fmt.Println(len(Registry["eu"]), Registry["eu"]["ann"].Name)
}

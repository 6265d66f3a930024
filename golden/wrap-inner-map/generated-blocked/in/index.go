package generatedblocked

type User struct{ Name string }

var index = map[string]map[string]*User{}

func add(region string, u *User) {
	if index[region] == nil {
		index[region] = map[string]*User{}
	}
	index[region][u.Name] = u
}

package blockedfunctionvalue

type User struct{ Name string }

func build() map[string]map[string]*User {
	return map[string]map[string]*User{"eu": {}}
}

func use(get func() map[string]map[string]*User) int {
	return len(get()["eu"])
}

func run() int {
	return use(build)
}

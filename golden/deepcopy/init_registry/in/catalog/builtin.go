package catalog

func init() {
	registerBuiltins()
}

func registerBuiltins() {
	Register(&Plugin{Name: "exec", Options: map[string]string{"user": "nobody"}})
	Register(&Plugin{Name: "docker"})
}

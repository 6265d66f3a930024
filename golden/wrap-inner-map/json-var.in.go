package jsonvar

import (
	"encoding/json"
	"os"
)

type User struct {
	Name string `json:"name"`
}

var cache = map[string]map[string]*User{}

func save() ([]byte, error) {
	cache["eu"] = map[string]*User{"ann": {Name: "ann"}}
	cache["empty"] = nil
	return json.MarshalIndent(cache, "", "  ")
}

func load(b []byte) error {
	return json.Unmarshal(b, &cache)
}

func stream() error {
	return json.NewEncoder(os.Stdout).Encode(cache)
}

package jsonvar

import (
	"encoding/json"
	"os"
)

type User struct {
	Name string `json:"name"`
}

var cache = map[string]cacheInner{}

// cacheInner is one inner map of map[string]map[string]*User, wrapped by gomapfix (wrap-inner-map).
type cacheInner struct {
	data map[string]*User
}

// MarshalJSON encodes w exactly as its inner map was encoded before it was wrapped.
func (w cacheInner) MarshalJSON() ([]byte, error) {
	return json.Marshal(w.data)
}

// UnmarshalJSON decodes into w's inner map, as into the map before it was wrapped.
func (w *cacheInner) UnmarshalJSON(b []byte) error {
	return json.Unmarshal(b, &w.data)
}

func save() ([]byte, error) {
	cache["eu"] = cacheInner{data: map[string]*User{"ann": {Name: "ann"}}}
	cache["empty"] = cacheInner{}
	return json.MarshalIndent(cache, "", "  ")
}

func load(b []byte) error {
	return json.Unmarshal(b, &cache)
}

func stream() error {
	return json.NewEncoder(os.Stdout).Encode(cache)
}

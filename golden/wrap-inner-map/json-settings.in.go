package jsonsettings

import (
	"encoding/json"
	"io"
)

type User struct{ Name string }

var cache = map[string]map[string]any{}

func read(r io.Reader) error {
	dec := json.NewDecoder(r)
	dec.UseNumber()
	return dec.Decode(&cache)
}

func keep(region string, v map[string]any) {
	cache[region] = v
}

package blockedany

import "fmt"

type User struct{ Name string }

func dump() string {
	m := map[string]map[string]*User{"a": {"b": {Name: "x"}}}
	m["c"] = map[string]*User{}
	return fmt.Sprint(m)
}

package valuekinds

import "io"

type point struct{ X, Y int }

type session struct {
	user  string
	close func() error
}

type handle interface{ Close() error }

var (
	sessions = map[string]map[string]session{}
	points   = map[string]map[string]point{}
	handles  = map[string]map[string]handle{}
	readers  = map[string]map[string]io.Reader{}
	anything = map[string]map[string]any{}
	slices   = map[string]map[string][]byte{}
)

func use() int {
	sessions["a"] = map[string]session{"b": {user: "u"}}
	points["a"] = map[string]point{"b": {1, 2}}
	handles["a"] = nil
	anything["a"] = map[string]any{"b": 1}
	slices["a"] = map[string][]byte{"b": []byte("x")}
	return len(sessions["a"]) + len(points["a"]) + len(handles["a"]) + len(readers) + len(anything["a"]) + len(slices["a"]["b"])
}

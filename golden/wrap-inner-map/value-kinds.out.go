package valuekinds

import "io"

type point struct{ X, Y int }

type session struct {
	user  string
	close func() error
}

type handle interface{ Close() error }

var (
	sessions = map[string]sessionsInner{}
	points   = map[string]map[string]point{}
	handles  = map[string]handlesInner{}
	readers  = map[string]map[string]io.Reader{}
	anything = map[string]anythingInner{}
	slices   = map[string]slicesInner{}
)

// sessionsInner is one inner map of map[string]map[string]session, wrapped by gomapfix (wrap-inner-map).
type sessionsInner struct {
	data map[string]session
}

// handlesInner is one inner map of map[string]map[string]handle, wrapped by gomapfix (wrap-inner-map).
type handlesInner struct {
	data map[string]handle
}

// anythingInner is one inner map of map[string]map[string]any, wrapped by gomapfix (wrap-inner-map).
type anythingInner struct {
	data map[string]any
}

// slicesInner is one inner map of map[string]map[string][]byte, wrapped by gomapfix (wrap-inner-map).
type slicesInner struct {
	data map[string][]byte
}

func use() int {
	sessions["a"] = sessionsInner{data: map[string]session{"b": {user: "u"}}}
	points["a"] = map[string]point{"b": {1, 2}}
	handles["a"] = handlesInner{}
	anything["a"] = anythingInner{data: map[string]any{"b": 1}}
	slices["a"] = slicesInner{data: map[string][]byte{"b": []byte("x")}}
	return len(sessions["a"].data) + len(points["a"]) + len(handles["a"].data) + len(readers) + len(anything["a"].data) + len(slices["a"].data["b"])
}

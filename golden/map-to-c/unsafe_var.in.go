package p

/*
static void publish_snapshot(void *snapshot) { (void)snapshot; }
*/
import "C"

import "unsafe"

type User struct{ ID string }

type snapshot struct {
	team    string
	members map[string]*User
}

// publish is the shape go vet's cgocall check misses: the map sits in a
// struct, and the pointer reaches C through an unsafe.Pointer variable.
func publish(team string, members map[string]*User) {
	s := &snapshot{team: team, members: members}
	p := unsafe.Pointer(s)
	C.publish_snapshot(p) // want: s.members map[string]*User reaches C.publish_snapshot through p := unsafe.Pointer(s)
}

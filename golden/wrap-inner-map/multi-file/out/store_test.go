package multifile

import "testing"

func TestRegistry(t *testing.T) {
	r := newRegistry()
	r.add("eu", &User{Name: "ann", Admin: true})
	r.replace("us", map[string]*User{"bob": {Name: "bob"}})
	if got := len(r.byRegion["us"].data); got != 1 {
		t.Fatalf("us has %d users", got)
	}
	if u, ok := r.get("eu", "ann"); !ok || u.Name != "ann" {
		t.Fatalf("get(eu, ann) = %v, %v", u, ok)
	}
	if got := r.admins(); len(got) != 1 || got[0] != "eu/ann" {
		t.Fatalf("admins = %v", got)
	}
	if inner, ok := r.byRegion["eu"]; !ok || inner.data == nil {
		t.Fatal("eu missing")
	}
}

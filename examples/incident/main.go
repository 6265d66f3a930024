// Command incident is a small program that exhibits each hazard gomapfix
// finds where nested maps meet cgo and concurrency. By default it takes only
// the paths that do not crash; see README.md.
package main

import (
	"flag"
	"fmt"
	"os"
	"runtime"
)

func main() {
	workers := flag.Int("workers", 1, "goroutines counting words (more than 1 races on one map)")
	refreshers := flag.Int("refreshers", 0, "goroutines storing into the cache while main reads it (races with get's caller)")
	publishToC := flag.Bool("publish", false, "pass a Go map to C (panics under GODEBUG=cgocheck=1)")
	flag.Parse()

	addUser("core", &User{ID: "u1", Name: "Ada"})
	addUser("core", &User{ID: "u2", Name: "Grace"})
	replaceTeam("infra", map[string]*User{"u3": {ID: "u3", Name: "Linus"}})
	if u, ok := lookup("infra", "u3"); ok {
		fmt.Println("infra:", u.Name)
	}
	removeUser("core", "u2")
	fmt.Println("core:", teamSize("core"), memberNames("core"))

	c := newCache()
	c.put("core", &User{ID: "u1", Name: "Ada"})
	stop := make(chan struct{})
	for i := 0; i < *refreshers; i++ {
		go c.refresh("core", &User{ID: "u1", Name: "Ada"}, stop)
	}
	fmt.Println("cached core members:", len(c.get("core")))
	close(stop)

	counts := countWords([]string{"map map cgo", "cgo map"}, *workers)
	fmt.Println("map:", counts["map"], "cgo:", counts["cgo"])

	w := NewWidget()
	for i := 0; i < 3; i++ {
		w.Touch()
		runtime.GC()
	}
	if err := w.Rename("gauge"); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Println("widget hits:", w.Hits())

	if *publishToC {
		publish("core")
	}
}

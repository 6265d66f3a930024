// Package catalog registers the built-in plugins while the program initialises.
package catalog

import "sync"

type Plugin struct {
	Name    string
	Options map[string]string
}

var (
	mu      sync.Mutex
	catalog = map[string]*Plugin{}
)

// Register adds a plugin; only the init functions of this package call it, so every write
// happens before any goroutine can read the catalog (no finding for All).
func Register(p *Plugin) {
	mu.Lock()
	defer mu.Unlock()
	catalog[p.Name] = p
}

// All returns the catalog itself.
func All() map[string]*Plugin {
	mu.Lock()
	defer mu.Unlock()
	return catalog
}

// Package plugins reads the catalog; it registers nothing.
package plugins

import "example.com/registry/catalog"

func Names() []string {
	var out []string
	for name := range catalog.All() {
		out = append(out, name)
	}
	return out
}

// gomapfix-golden: --unsafe-fixes
package jsonfield

import "encoding/json"

type Route struct {
	Target string `json:"target"`
}

// Config is read from and written to disk as JSON.
type Config struct {
	Name   string                 `json:"name"`
	Routes map[string]routesInner `json:"routes,omitempty"`
}

// routesInner is one inner map of map[string]map[string]*Route, wrapped by gomapfix (wrap-inner-map).
type routesInner struct {
	data map[string]*Route
}

// MarshalJSON encodes w exactly as its inner map was encoded before it was wrapped.
func (w routesInner) MarshalJSON() ([]byte, error) {
	return json.Marshal(w.data)
}

// UnmarshalJSON decodes into w's inner map, as into the map before it was wrapped.
func (w *routesInner) UnmarshalJSON(b []byte) error {
	return json.Unmarshal(b, &w.data)
}

func (c *Config) Route(host, path string) *Route {
	return c.Routes[host].data[path]
}

func parse(b []byte) (*Config, error) {
	var c Config
	if err := json.Unmarshal(b, &c); err != nil {
		return nil, err
	}
	return &c, nil
}

// gomapfix-golden: --unsafe-fixes
package jsonfield

import "encoding/json"

type Route struct {
	Target string `json:"target"`
}

// Config is read from and written to disk as JSON.
type Config struct {
	Name   string                       `json:"name"`
	Routes map[string]map[string]*Route `json:"routes,omitempty"`
}

func (c *Config) Route(host, path string) *Route {
	return c.Routes[host][path]
}

func parse(b []byte) (*Config, error) {
	var c Config
	if err := json.Unmarshal(b, &c); err != nil {
		return nil, err
	}
	return &c, nil
}

package regions

import (
	"bytes"
	"encoding/json"
	"io"
)

// cache is marshalled and unmarshalled directly.
var cache = map[string]map[string]*User{}

func encodeCache() ([]byte, error) {
	return json.Marshal(cache)
}

func encodeCacheIndented() ([]byte, error) {
	return json.MarshalIndent(cache, "", "  ")
}

func decodeCache(b []byte) error {
	return json.Unmarshal(b, &cache)
}

func streamCache(w io.Writer) error {
	return json.NewEncoder(w).Encode(cache)
}

func readCache(r io.Reader) error {
	dec := json.NewDecoder(r)
	return dec.Decode(&cache)
}

func cacheString() string {
	var buf bytes.Buffer
	if err := streamCache(&buf); err != nil {
		return err.Error()
	}
	return buf.String()
}

// Document is exported API: wrapping its field is an API break, so
// gomapfix only applies it with --unsafe-fixes, keeping the JSON identical.
type Document struct {
	Title   string                              `json:"title"`
	Regions map[string]map[string]User          `json:"regions"`
	Scores  map[string]map[string]float64       `json:"scores,omitempty"`
	Extra   map[string]map[string][]interface{} `json:"extra,omitempty"`
}

func (d *Document) put(region string, u *User) {
	if d.Regions == nil {
		d.Regions = map[string]map[string]User{}
	}
	if d.Regions[region] == nil {
		d.Regions[region] = map[string]User{}
	}
	d.Regions[region][u.Name] = *u
}

func encodeDocument(d *Document) ([]byte, error) {
	return json.Marshal(d)
}

func decodeDocument(b []byte) (*Document, error) {
	var d Document
	err := json.Unmarshal(b, &d)
	return &d, err
}

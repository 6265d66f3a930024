package jsonfield

import (
	"encoding/json"
	"testing"
)

func TestRoundTrip(t *testing.T) {
	in := `{"name":"x","routes":{"a.com":{"/":{"target":"b"}},"c.com":null}}`
	c, err := parse([]byte(in))
	if err != nil {
		t.Fatal(err)
	}
	if got := c.Route("a.com", "/").Target; got != "b" {
		t.Fatalf("target %q", got)
	}
	out, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	if string(out) != in {
		t.Fatalf("round trip changed the JSON:\n%s\n%s", in, out)
	}
}

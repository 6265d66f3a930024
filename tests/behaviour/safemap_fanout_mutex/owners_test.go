package owners

import (
	"fmt"
	"testing"
)

func TestOwners(t *testing.T) {
	nodes := make([]string, 64)
	for i := range nodes {
		nodes[i] = fmt.Sprint("n", i)
	}
	for round := 0; round < 20; round++ {
		local := nodes[round%len(nodes)]
		got := Owners(nodes, local, func(n string) (string, error) { return "o-" + n, nil })
		if len(got) != len(nodes) || got[local] != "self" || got["n63"] == "" {
			t.Fatalf("round %d: %d owners, local %q", round, len(got), got[local])
		}
	}
}

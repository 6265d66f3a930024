package fanout

import (
	"strings"
	"testing"
)

func TestCount(t *testing.T) {
	lines := make([]string, 64)
	for i := range lines {
		lines[i] = strings.Repeat("go map race ", 50)
	}
	counts := Count(lines)
	for _, word := range []string{"go", "map", "race"} {
		if got, want := counts[word], 64*50; got != want {
			t.Fatalf("counts[%q] = %d, want %d", word, got, want)
		}
	}
}

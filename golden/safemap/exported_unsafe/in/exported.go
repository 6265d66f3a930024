// gomapfix-golden: --unsafe-fixes
package exported

// Sessions is used by other packages too: converting it is an API change.
var Sessions = map[string]int{}

func Open(id string) {
	go func() { Sessions[id] = 1 }()
}

func Has(id string) bool {
	_, ok := Sessions[id]
	return ok
}

func hasAll(ids []string) bool {
	for _, id := range ids {
		if !Has(id) {
			return false
		}
	}
	return true
}

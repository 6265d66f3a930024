// gomapfix-golden: --unsafe-fixes
package exported

// Sessions is used by other packages too: converting it is an API change.
var Sessions safeMap[string, int]

func Open(id string) {
	go func() { Sessions.Store(id, 1) }()
}

func Has(id string) bool {
	_, ok := Sessions.Load(id)
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

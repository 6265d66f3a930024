// Package revoke marks revoked tokens in the shared map it gets from store.
package revoke

import "example.com/tokens/store"

func tokensOf(r *store.Resources) map[string]map[string]string {
	return r.Tokens()
}

// All revokes every cluster's tokens and marks each cluster done in the shared map.
func All(r *store.Resources) int {
	tokens := tokensOf(r)
	return revoke(tokens)
}

func revoke(tokens map[string]map[string]string) int {
	n := 0
	for cluster, forCluster := range tokens {
		n += len(forCluster)
		tokens[cluster] = nil
	}
	return n
}

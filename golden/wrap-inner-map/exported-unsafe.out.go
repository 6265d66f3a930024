// gomapfix-golden: --unsafe-fixes
package exportedunsafe

import "encoding/json"

type User struct{ Name string }

// UsersByRegion is shared with other packages.
var UsersByRegion = map[string]usersByRegionInner{}

// usersByRegionInner is one inner map of map[string]map[string]*User, wrapped by gomapfix (wrap-inner-map).
type usersByRegionInner struct {
	data map[string]*User
}

// MarshalJSON encodes w exactly as its inner map was encoded before it was wrapped.
func (w usersByRegionInner) MarshalJSON() ([]byte, error) {
	return json.Marshal(w.data)
}

// UnmarshalJSON decodes into w's inner map, as into the map before it was wrapped.
func (w *usersByRegionInner) UnmarshalJSON(b []byte) error {
	return json.Unmarshal(b, &w.data)
}

// Lookup returns the users of one region.
func Lookup(region string) map[string]*User {
	return UsersByRegion[region].data
}

func add(region string, u *User) {
	if UsersByRegion[region].data == nil {
		UsersByRegion[region] = usersByRegionInner{data: map[string]*User{}}
	}
	UsersByRegion[region].data[u.Name] = u
}

// Without --unsafe-fixes the API break is only reported.
package exportednotapplied

type User struct{ Name string }

// UsersByRegion is shared with other packages.
var UsersByRegion = map[string]map[string]*User{}

// Lookup returns the users of one region.
func Lookup(region string) map[string]*User {
	return UsersByRegion[region]
}

func add(region string, u *User) {
	if UsersByRegion[region] == nil {
		UsersByRegion[region] = map[string]*User{}
	}
	UsersByRegion[region][u.Name] = u
}

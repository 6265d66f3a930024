package blockedotherpackage

import "maps"

type User struct{ Name string }

type cache struct {
	byRegion map[string]map[string]*User
}

func (c *cache) copy() *cache {
	return &cache{byRegion: maps.Clone(c.byRegion)}
}

package buildconstraint

func known(dev, ino uint64) bool {
	_, ok := byDevice[dev].data[ino]
	return ok
}

// byDeviceInner is one inner map of map[uint64]map[uint64]*entry, wrapped by gomapfix (wrap-inner-map).
type byDeviceInner struct {
	data map[uint64]*entry
}

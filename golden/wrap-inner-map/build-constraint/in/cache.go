package buildconstraint

func known(dev, ino uint64) bool {
	_, ok := byDevice[dev][ino]
	return ok
}

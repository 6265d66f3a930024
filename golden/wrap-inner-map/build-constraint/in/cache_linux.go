package buildconstraint

type entry struct{ path string }

var byDevice = map[uint64]map[uint64]*entry{}

func remember(dev, ino uint64, path string) {
	if byDevice[dev] == nil {
		byDevice[dev] = map[uint64]*entry{}
	}
	byDevice[dev][ino] = &entry{path: path}
}

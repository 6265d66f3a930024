package buildconstraint

type entry struct{ path string }

var byDevice = map[uint64]byDeviceInner{}

func remember(dev, ino uint64, path string) {
	if byDevice[dev].data == nil {
		byDevice[dev] = byDeviceInner{data: map[uint64]*entry{}}
	}
	byDevice[dev].data[ino] = &entry{path: path}
}

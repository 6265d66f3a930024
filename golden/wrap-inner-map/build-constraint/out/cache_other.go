//go:build !linux

package buildconstraint

var byDevice = map[uint64]byDeviceInner{}

func remember(dev, ino uint64, path string) {
	if byDevice[dev].data == nil {
		byDevice[dev] = byDeviceInner{data: make(map[uint64]*entry)}
	}
	byDevice[dev].data[ino] = &entry{path}
}

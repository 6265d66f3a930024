package nested

type userSet = map[string]bool

var byRegion = map[string]map[string]int{}

func track(region, id string) {
	go func() {
		if byRegion[region] == nil {
			byRegion[region] = map[string]int{}
		}
		byRegion[region][id] = 1
		byRegion[region][id]++
		byRegion[region][id] += 2
		delete(byRegion[region], "gone")
	}()
}

func count(region, id string) int {
	return byRegion[region][id] + len(byRegion[region])
}

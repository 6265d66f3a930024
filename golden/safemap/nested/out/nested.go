package nested

type userSet = map[string]bool

var byRegion safeMap[string, map[string]int]

func track(region, id string) {
	go func() {
		byRegion.Update(region, func(v map[string]int, _ bool) map[string]int {
			if v == nil {
				v = map[string]int{}
			}
			return v
		})
		byRegion.Update(region, func(v map[string]int, _ bool) map[string]int {
			v = gomapfixClone(v)
			v[id] = 1
			return v
		})
		byRegion.Update(region, func(v map[string]int, _ bool) map[string]int {
			v = gomapfixClone(v)
			v[id]++
			return v
		})
		byRegion.Update(region, func(v map[string]int, _ bool) map[string]int {
			v = gomapfixClone(v)
			v[id] += 2
			return v
		})
		byRegion.Update(region, func(v map[string]int, _ bool) map[string]int {
			v = gomapfixClone(v)
			delete(v, "gone")
			return v
		})
	}()
}

func count(region, id string) int {
	v, _ := byRegion.Load(region)
	v2, _ := byRegion.Load(region)
	return v[id] + len(v2)
}

package later

var done SafeMap[int, bool]

func finish(ids []int) {
	for _, id := range ids {
		go func(id int) {
			done.Store(id, true)
		}(id)
	}
}

func finished(id int) bool {
	v, _ := done.Load(id)
	return v
}

// pending was converted by an earlier run.
var pending SafeMap[int, string]

func queue(id int) {
	go pending.Store(id, "queued")
}

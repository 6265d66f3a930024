package later

var done safeMap[int, bool]

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
var pending safeMap[int, string]

func queue(id int) {
	go pending.Store(id, "queued")
}

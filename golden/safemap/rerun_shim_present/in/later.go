package later

var done = map[int]bool{}

func finish(ids []int) {
	for _, id := range ids {
		go func(id int) {
			done[id] = true
		}(id)
	}
}

func finished(id int) bool {
	return done[id]
}

// pending was converted by an earlier run.
var pending safeMap[int, string]

func queue(id int) {
	go pending.Store(id, "queued")
}

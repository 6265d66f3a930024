package reads

import "fmt"

var scores = map[string]int{}

func start(names []string) {
	for _, n := range names {
		go func(n string) { scores[n] = len(n) }(n)
	}
}

func report(name string) string {
	s := scores[name]
	var t = scores[name+"!"]
	_, seen := scores["x"]
	if v, ok := scores[name]; ok && v > 0 {
		s += v
	}
	fmt.Println(scores[name], scores["y"])
	if scores[name] > 10 {
		return "high"
	}
	switch scores[name] {
	case 0:
		return "none"
	}
	u := scores[name] + 1
	return fmt.Sprint(s, t, seen, u)
}

package reads

import "fmt"

var scores safeMap[string, int]

func start(names []string) {
	for _, n := range names {
		go func(n string) { scores.Store(n, len(n)) }(n)
	}
}

func report(name string) string {
	s, _ := scores.Load(name)
	var t, _ = scores.Load(name + "!")
	_, seen := scores.Load("x")
	if v, ok := scores.Load(name); ok && v > 0 {
		s += v
	}
	v2, _ := scores.Load(name)
	v3, _ := scores.Load("y")
	fmt.Println(v2, v3)
	v4, _ := scores.Load(name)
	if v4 > 10 {
		return "high"
	}
	v5, _ := scores.Load(name)
	switch v5 {
	case 0:
		return "none"
	}
	v6, _ := scores.Load(name)
	u := v6 + 1
	return fmt.Sprint(s, t, seen, u)
}

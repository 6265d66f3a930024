package marked

//gomapfix:safemap
var registry = map[string]func() int{}

var plain = map[string]int{}

func register(name string, f func() int) {
	registry[name] = f
	plain[name] = 1
}

func call(name string) int {
	f, ok := registry[name]
	if !ok {
		return plain[name]
	}
	return f()
}

type server struct {
	routes map[string]string //gomapfix:safemap
}

func (s *server) route(p string) string {
	r, ok := s.routes[p]
	if !ok {
		s.routes[p] = "/"
	}
	return r
}

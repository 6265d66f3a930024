package marked

//gomapfix:safemap
var registry safeMap[string, func() int]

var plain = map[string]int{}

func register(name string, f func() int) {
	registry.Store(name, f)
	plain[name] = 1
}

func call(name string) int {
	f, ok := registry.Load(name)
	if !ok {
		return plain[name]
	}
	return f()
}

type server struct {
	routes safeMap[string, string] //gomapfix:safemap
}

func (s *server) route(p string) string {
	r, ok := s.routes.Load(p)
	if !ok {
		s.routes.Store(p, "/")
	}
	return r
}

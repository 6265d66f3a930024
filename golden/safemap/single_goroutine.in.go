package single

type child struct {
	requests map[int]string
}

func newChild() *child {
	return &child{requests: map[int]string{}}
}

func (c *child) serve() {
	for i := 0; i < 3; i++ {
		c.handle(i)
	}
	c.cleanUp()
}

func (c *child) handle(i int) { c.requests[i] = "r" }

func (c *child) cleanUp() {
	for k := range c.requests {
		delete(c.requests, k)
	}
}

func Serve() {
	c := newChild()
	go c.serve()
}

package p

import "net"

// conn keeps per-connection state in a map that only its own goroutine touches.
type conn struct {
	c     net.Conn
	seen  map[string]int
	count int
}

func newConn(c net.Conn) *conn {
	return &conn{c: c, seen: map[string]int{}}
}

func (c *conn) serve() {
	buf := make([]byte, 64)
	for {
		n, err := c.c.Read(buf)
		if err != nil {
			return
		}
		c.seen[string(buf[:n])]++
		c.count++
	}
}

// accept starts one goroutine per connection, each with a conn of its own that the loop
// never touches again: no two goroutines share a map (no finding).
func accept(l net.Listener) {
	for {
		nc, err := l.Accept()
		if err != nil {
			return
		}
		c := newConn(nc)
		go c.serve()
	}
}

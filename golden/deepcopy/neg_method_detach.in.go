package p

import "sync"

// enterIdle takes conns out of the client with the lock held: resetLocked gives the client
// a fresh map, so the old one ranged over after Unlock is reachable from nowhere else
// (no finding).

type conn struct{ id int }

type client struct {
	mu    sync.Mutex
	conns map[*conn]struct{}
}

func (c *client) add(cn *conn) {
	c.mu.Lock()
	c.conns[cn] = struct{}{}
	c.mu.Unlock()
}

func (c *client) resetLocked() {
	c.conns = make(map[*conn]struct{})
}

func (c *client) enterIdle() int {
	c.mu.Lock()
	conns := c.conns
	c.resetLocked()
	c.mu.Unlock()
	n := 0
	for cn := range conns {
		n += cn.id
	}
	return n
}

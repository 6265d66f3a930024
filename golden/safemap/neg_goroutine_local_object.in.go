package p

import "time"

// client buffers what it has to flush per subject; queue and flush run on the goroutine
// that uses the client.
type client struct {
	subject string
	pending map[string][]byte
}

func newClient(subject string) *client {
	return &client{subject: subject, pending: map[string][]byte{}}
}

func (c *client) queue(msg []byte) {
	c.pending[c.subject] = append(c.pending[c.subject], msg...)
}

func (c *client) flush() int {
	n := 0
	for subject, buf := range c.pending {
		n += len(subject) + len(buf)
		delete(c.pending, subject)
	}
	return n
}

func (c *client) sendLoop(tick time.Duration) {
	for range time.Tick(tick) {
		c.queue([]byte("ping"))
		c.flush()
	}
}

// Start hands the client it creates to one goroutine.
func Start(subject string, tick time.Duration) *client {
	c := newClient(subject)
	go c.sendLoop(tick)
	return c
}

// startInternal's goroutine creates a client of its own: the two goroutines that run queue
// and flush never share a client, or its map (no finding).
func startInternal(tick time.Duration) {
	go internalLoop(tick)
}

func internalLoop(tick time.Duration) {
	c := newClient("internal")
	for range time.Tick(tick) {
		c.queue([]byte("stats"))
		c.flush()
	}
}

package closures

import "sync"

type conn struct{ id int }

type hub struct {
	mu    sync.Mutex
	rooms map[string]map[int]*conn
}

func (h *hub) join(room string, c *conn) {
	h.mu.Lock()
	defer h.mu.Unlock()
	ensure := func() map[int]*conn {
		if h.rooms[room] == nil {
			h.rooms[room] = map[int]*conn{}
		}
		return h.rooms[room]
	}
	ensure()[c.id] = c
}

func (h *hub) broadcast(room string, send func(*conn)) {
	h.mu.Lock()
	members, ok := h.rooms[room]
	h.mu.Unlock()
	if !ok {
		return
	}
	var wg sync.WaitGroup
	for _, c := range members {
		wg.Add(1)
		go func() {
			defer wg.Done()
			send(c)
		}()
	}
	wg.Wait()
	go func() {
		h.mu.Lock()
		defer h.mu.Unlock()
		if len(members) == 0 {
			delete(h.rooms, room)
		}
	}()
}

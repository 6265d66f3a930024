package p

// send starts the manager's loop when it is not running: it takes the one token from
// stopped, and the loop hands it back when it returns. Loops of one manager never run at
// the same time, so the maps only the loop touches race with nothing (no finding).

type event struct{ key string }

type manager struct {
	events  chan event
	stopped chan struct{}
	pending map[string]int
}

func newManager() *manager {
	m := &manager{events: make(chan event), pending: make(map[string]int)}
	m.stopped = make(chan struct{}, 1)
	m.stopped <- struct{}{}
	return m
}

func (m *manager) send(ev event) {
	for {
		select {
		case m.events <- ev:
			return
		case <-m.stopped:
			go m.loop()
		}
	}
}

func (m *manager) loop() {
	defer func() {
		m.stopped <- struct{}{}
	}()
	for ev := range m.events {
		m.pending[ev.key]++
		if len(m.pending) > 100 {
			return
		}
	}
}

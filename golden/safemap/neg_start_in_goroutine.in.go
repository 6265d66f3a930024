package p

// Start launches the peer's one read goroutine. startAsync calls Start on a goroutine of
// its own: that goroutine runs Start, not readHandler, which still runs once per peer
// (no finding).

type peer struct {
	in      chan string
	streams map[string]int
}

func (p *peer) Start() error {
	go p.readHandler()
	return nil
}

func (p *peer) readHandler() {
	for msg := range p.in {
		p.streams[msg]++
	}
}

func startAsync(p *peer) <-chan error {
	done := make(chan error, 1)
	go func() {
		done <- p.Start()
	}()
	return done
}

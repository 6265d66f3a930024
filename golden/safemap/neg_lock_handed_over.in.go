package p

import "sync"

// Open takes b.mu and hands it to the goroutine it starts, which releases it when done;
// every other access holds b.mu too, and openAll gives each goroutine a broker of its own
// (no finding).

type broker struct {
	mu    sync.Mutex
	rates map[int16]int
}

func safely(f func()) {
	defer func() { _ = recover() }()
	f()
}

func (b *broker) Open() {
	b.mu.Lock()
	go safely(func() {
		defer b.mu.Unlock()
		b.rates = map[int16]int{}
		b.rates[0] = 1
	})
}

func (b *broker) record(key int16) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.rates[key]++
}

func (b *broker) Send(key int16) {
	b.record(key)
}

// openAll opens each broker on a goroutine of its own: each goroutine gets its own broker.
func openAll(brokers []*broker) {
	var wg sync.WaitGroup
	for _, b := range brokers {
		wg.Add(1)
		go func(b *broker) {
			defer wg.Done()
			b.Open()
		}(b)
	}
	wg.Wait()
}

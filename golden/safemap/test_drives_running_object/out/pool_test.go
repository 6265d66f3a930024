package p

import "testing"

func setup() *pool {
	p := newPool()
	p.start(4)
	return p
}

func TestEnqueue(t *testing.T) {
	p := setup()
	defer close(p.jobs)
	p.jobs <- "a"
	p.enqueue("b")
}

package p

import "strings"

// dir is a tree of directories that only the aggregator's goroutine builds and reads.
type dir struct {
	children map[string]*dir
	events   int
}

func newDir() *dir {
	return &dir{children: map[string]*dir{}}
}

// count is recursive; its only other caller runs on the aggregator goroutine.
func (d *dir) count() int {
	n := d.events
	for _, c := range d.children {
		n += c.count()
	}
	return n
}

type aggregator struct {
	root *dir
	in   chan string
	out  chan int
}

func (a *aggregator) start() {
	go a.loop()
}

func (a *aggregator) loop() {
	for p := range a.in {
		a.handle(p)
	}
}

func (a *aggregator) handle(p string) {
	a.add(p)
	a.report()
}

func (a *aggregator) report() {
	a.out <- a.root.count()
}

func (a *aggregator) add(p string) {
	top, _, _ := strings.Cut(p, "/")
	child, ok := a.root.children[top]
	if !ok {
		child = newDir()
		a.root.children[top] = child
	}
	child.events++
}

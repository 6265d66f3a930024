package p

import "sync"

type jobs struct {
	mu    sync.Mutex
	byTag map[string]map[int]string
}

func (j *jobs) add(tag string, id int, name string) {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.byTag[tag] == nil {
		j.byTag[tag] = map[int]string{}
	}
	j.byTag[tag][id] = name
}

func report(m map[int]string, done chan<- int) { done <- len(m) }

// count passes the inner map to a goroutine: it runs after the lock is released.
func (j *jobs) count(tag string, done chan<- int) {
	j.mu.Lock()
	defer j.mu.Unlock()
	go report(j.byTag[tag], done)
}

// countLater captures it in a goroutine literal.
func (j *jobs) countLater(tag string, done chan<- int) {
	j.mu.Lock()
	defer j.mu.Unlock()
	m := j.byTag[tag]
	go func() {
		done <- len(m)
	}()
}

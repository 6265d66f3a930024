package store

import (
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
)

// The reader reads at least rounds times, and until the writer has written
// at least writes times while it was reading.
const (
	rounds = 2000
	writes = 2000
)

// writer adds to team "core" from another goroutine until stop is closed;
// it closes started after its first write.
func writer(s *Store, started chan<- struct{}, stop <-chan struct{}, wg *sync.WaitGroup, n *int64) {
	defer wg.Done()
	for i := 0; ; i++ {
		select {
		case <-stop:
			return
		default:
		}
		s.Add("core", strconv.Itoa(i%64), 1)
		atomic.AddInt64(n, 1)
		if i == 0 {
			close(started)
		}
	}
}

func readConcurrently(t *testing.T, read func(s *Store) int) {
	s := New()
	s.Add("core", "ada", 1)
	started, stop := make(chan struct{}), make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	var n int64
	go writer(s, started, stop, &wg, &n)
	<-started
	total := 0
	for i := 0; i < rounds || atomic.LoadInt64(&n) < writes; i++ {
		total += read(s)
	}
	close(stop)
	wg.Wait()
	if total == 0 {
		t.Fatal("read nothing")
	}
}

// TestTeamWhileWriting reads the inner map team returns while Add writes it.
func TestTeamWhileWriting(t *testing.T) {
	readConcurrently(t, func(s *Store) int {
		n := 0
		for _, v := range s.team("core") {
			n += v
		}
		return n
	})
}

// TestSnapshotWhileWriting reads the inner maps of a snapshot while Add writes them.
func TestSnapshotWhileWriting(t *testing.T) {
	readConcurrently(t, func(s *Store) int {
		n := 0
		for _, members := range s.snapshot() {
			for _, v := range members {
				n += v
			}
		}
		return n
	})
}

// TestMissingTeamIsNil: a team nobody joined reads as nil, before and after the fix.
func TestMissingTeamIsNil(t *testing.T) {
	s := New()
	s.Add("core", "ada", 1)
	if m := s.team("nobody"); m != nil {
		t.Fatalf("team(nobody) = %#v, want nil", m)
	}
	if got := s.team("core")["ada"]; got != 1 {
		t.Fatalf("team(core)[ada] = %d, want 1", got)
	}
	if snap := s.snapshot(); len(snap) != 1 || snap["core"]["ada"] != 1 || snap["nobody"] != nil {
		t.Fatalf("snapshot() = %#v", snap)
	}
}

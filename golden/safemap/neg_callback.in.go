package p

import (
	"io/fs"
	"path/filepath"
)

// sizes is filled by the scanning goroutine, through the callback it hands to
// filepath.WalkDir, which runs it on the same goroutine (no finding).
var sizes map[string]int64

func start(root string, done chan<- int) {
	go scan(root, done)
}

func scan(root string, done chan<- int) {
	sizes = map[string]int64{}
	_ = filepath.WalkDir(root, visit)
	done <- len(sizes)
}

func visit(path string, d fs.DirEntry, err error) error {
	if err != nil || d.IsDir() {
		return err
	}
	info, err := d.Info()
	if err != nil {
		return err
	}
	sizes[path] = info.Size()
	return nil
}

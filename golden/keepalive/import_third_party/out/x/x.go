// Package x stands for a third-party package.
package x

import "strconv"

// Name formats n.
func Name(n int) string { return "n" + strconv.Itoa(n) }

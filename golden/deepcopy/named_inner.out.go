package p

import (
	"maps"
	"sync"
)

type Item struct{ SKU string }

// itemSet is a named inner map type; the copy keeps the name.
type itemSet map[string]*Item

type carts struct {
	mu  sync.Mutex
	all map[string]itemSet
}

func (c *carts) add(user string, it *Item) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.all[user] == nil {
		c.all[user] = itemSet{}
	}
	c.all[user][it.SKU] = it
}

func (c *carts) cart(user string) itemSet {
	c.mu.Lock()
	defer c.mu.Unlock()
	return maps.Clone(c.all[user])
}

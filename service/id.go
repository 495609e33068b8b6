package service

import (
	"fmt"
	"sync"
	"time"
)

// orderEpoch is the origin of order id timestamps.
var orderEpoch = time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)

// IDGenerator makes order ids (D14): `ORDER_` and 17 digits, unique and
// increasing on one node. The number is milliseconds since 2020 shifted left
// 16 bits, with the node number in the low 6 bits and a sequence between.
type IDGenerator struct {
	mu   sync.Mutex
	node int64
	last int64
}

// NewIDGenerator returns a generator for node (0-63).
func NewIDGenerator(node int) *IDGenerator {
	return &IDGenerator{node: int64(node) & 63}
}

// SetNode moves the generator to another node number, for a node that lost
// its lease on the old one. Numbers stay increasing.
func (g *IDGenerator) SetNode(node int) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.node = int64(node) & 63
}

// Next returns the next order number at time now.
func (g *IDGenerator) Next(now time.Time) int64 {
	g.mu.Lock()
	defer g.mu.Unlock()
	n := now.Sub(orderEpoch).Milliseconds()<<16 | g.node
	if n <= g.last {
		n = (g.last+64)&^63 | g.node
	}
	g.last = n
	return n
}

// OrderID formats an order number as an order id.
func OrderID(n int64) string { return fmt.Sprintf("ORDER_%017d", n) }

// OrderCode formats an order number as a communication order code (D24):
// `L` and 18 digits.
func OrderCode(n int64) string { return fmt.Sprintf("L1%017d", n) }

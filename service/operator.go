package service

import (
	"github.com/opencube/opencube"
	"github.com/opencube/opencube/operator"
)

// Operator is the operator API's own section: the lists of everything,
// users and their tokens, the audit trail, and the operator's changes that
// no protocol makes (plans, grants, enterprise states, SIM moves). The
// changes a protocol also makes go through that protocol's service.
type Operator struct {
	Store OperatorStore
	Clock opencube.Clock
	IDs   *IDGenerator
}

// OperatorStore is what Operator reads and writes.
type OperatorStore interface {
	opencube.Store
	operator.Store
}

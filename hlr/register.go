package hlr

import (
	"context"
	"errors"
	"fmt"

	"github.com/opencube/opencube"
)

// Subscriber is a register's record of one IMSI.
type Subscriber struct {
	IMSI   string `json:"imsi"`
	MSISDN string `json:"msisdn,omitempty"`
	CS     bool   `json:"cs_enabled"` // circuit-switched access (voice, SMS)
	PS     bool   `json:"ps_enabled"` // packet-switched access (data)
}

// Register is a subscriber register (HLR or HSS) as opencube provisions
// it. Every method is idempotent in effect when repeated with the same
// arguments, except Create, which answers ErrExists.
type Register interface {
	// Create adds a subscriber with the IMSI, access enabled by the
	// register's default; ErrExists when it exists.
	Create(ctx context.Context, imsi string) error
	// SetMSISDN sets a subscriber's MSISDN, or removes it when empty.
	SetMSISDN(ctx context.Context, imsi, msisdn string) error
	// SetAccess enables or disables a subscriber's CS and PS access.
	SetAccess(ctx context.Context, imsi string, cs, ps bool) error
	// SetAuth writes a subscriber's authentication data (the 2G or 3G
	// set, by its algorithm), or removes both when a is nil.
	SetAuth(ctx context.Context, imsi string, a *opencube.SIMAuth) error
	// Delete removes a subscriber; ErrNotFound when there is none.
	Delete(ctx context.Context, imsi string) error
	// Subscriber returns a subscriber; ErrNotFound when there is none.
	Subscriber(ctx context.Context, imsi string) (*Subscriber, error)
	// Subscribers lists every subscriber, for reconciliation.
	Subscribers(ctx context.Context) ([]*Subscriber, error)
}

// ErrNotFound is the answer about an IMSI the register does not hold.
var ErrNotFound = errors.New("hlr: no such subscriber")

// ErrExists is Create's answer about an IMSI the register holds.
var ErrExists = errors.New("hlr: subscriber exists")

// Refused is a command the register understood and refused (an IMSI it
// rejects, a value out of its range): retrying it unchanged will not help.
// Answer is the register's own words.
type Refused struct {
	Command string // the command, without any secret
	Answer  string
}

// Error quotes the command and the register's answer.
func (e *Refused) Error() string { return fmt.Sprintf("hlr refused %s: %s", e.Command, e.Answer) }

// IsRefused reports whether err is a Refused, and returns it.
func IsRefused(err error) (*Refused, bool) {
	var r *Refused
	ok := errors.As(err, &r)
	return r, ok
}

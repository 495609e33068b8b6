package sms

import (
	"context"
	"errors"

	"github.com/opencube/opencube"
)

// Gateway hands MT messages to the network. Delivery reports and MO
// messages come back through the Service (Report, ReceiveMO), called by
// the gateway's own callbacks or jobs.
type Gateway interface {
	// Name names the gateway in logs and errors.
	Name() string
	// Send hands m over. It returns an error wrapping ErrNotSent when the
	// gateway certainly did not take m (safe to send again), wrapping
	// ErrRejected when it refused m for good, and any other error when
	// the outcome is unknown (the gateway may have taken m).
	Send(ctx context.Context, m *opencube.SMS) (*Acceptance, error)
}

// Acceptance is a gateway's receipt for a message it took.
type Acceptance struct {
	// ID is the gateway's reference of the message.
	ID string
	// FollowUp, when set, is a job written in the transaction that
	// records the acceptance (the sandbox device's delivery).
	FollowUp *opencube.Job
}

// Errors a Gateway's Send wraps.
var (
	// ErrNotSent means the gateway certainly did not take the message:
	// it is sent again after a back-off.
	ErrNotSent = errors.New("sms: the gateway did not take the message")
	// ErrRejected means the gateway refused the message for good: it fails.
	ErrRejected = errors.New("sms: the gateway rejected the message")
)

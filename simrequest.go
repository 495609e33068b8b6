package opencube

import (
	"context"
	"time"
)

// SIMRequest is an asynchronous operation on a SIM (a Cube v4 activate,
// suspend, resume or cancel): accepted at once, done by a job
// (JobSIMRequest). While it is processing the SIM is locked: another
// operation on it is refused (CauseSIMLocked), the job's own changes
// excepted.
type SIMRequest struct {
	ID         string `json:"request_id"`
	Enterprise string `json:"enterprise"`
	ICCID      string `json:"iccid"`
	Operation  string `json:"operation"`
	// OrderID names the order the operation acts on, when it names one.
	OrderID   string           `json:"order_id,omitempty"`
	KeepAlive bool             `json:"keep_alive,omitempty"`
	Status    SIMRequestStatus `json:"status"`
	// ErrorKind, ErrorCause and ErrorMessage are why a failed request
	// failed.
	ErrorKind    Kind       `json:"error_kind,omitempty"`
	ErrorCause   Cause      `json:"error_cause,omitempty"`
	ErrorMessage string     `json:"error_message,omitempty"`
	CreatedAt    time.Time  `json:"created_at"`
	FinishedAt   *time.Time `json:"finished_at,omitempty"`
}

// SIMRequestStatus is where an asynchronous operation is.
type SIMRequestStatus int

// SIMRequest states (the async result's status).
const (
	SIMRequestProcessing SIMRequestStatus = 0
	SIMRequestSucceeded  SIMRequestStatus = 1
	SIMRequestFailed     SIMRequestStatus = 2
)

// JobSIMRequest does an asynchronous SIM operation (the key, its id).
const JobSIMRequest = "sim.request"

// SIMRequestStore keeps asynchronous SIM operations.
type SIMRequestStore interface {
	// CreateSIMRequest inserts r, processing, and j in one transaction;
	// KindSIMState with CauseSIMLocked when the SIM has a request
	// processing.
	CreateSIMRequest(ctx context.Context, r *SIMRequest, j *Job) error
	// FindSIMRequest returns an enterprise's request; KindNotFound when
	// unknown.
	FindSIMRequest(ctx context.Context, accessCode, id string) (*SIMRequest, error)
	// FinishSIMRequest writes r's outcome (Status, the error, FinishedAt)
	// unless it is finished already, which releases its SIM, and then e
	// (when not nil) to the outbox, in one transaction.
	FinishSIMRequest(ctx context.Context, r *SIMRequest, e *Event) error
	// SIMLocked returns the id of the SIM's processing request, "" when
	// none.
	SIMLocked(ctx context.Context, iccid string) (string, error)
}

// simRequestKey is the context key of WithSIMRequest.
type simRequestKey struct{}

// WithSIMRequest returns a context acting for the processing request id:
// its changes pass the lock it holds on its SIM.
func WithSIMRequest(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, simRequestKey{}, id)
}

// SIMRequestFrom returns the request ctx acts for, "" when none.
func SIMRequestFrom(ctx context.Context) string {
	id, _ := ctx.Value(simRequestKey{}).(string)
	return id
}

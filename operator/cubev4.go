package operator

import (
	"context"
	"time"

	"github.com/opencube/opencube"
)

// The vocabulary of Cube v4 beside the protocols' own: the enterprises'
// public keys, renewal orders and asynchronous SIM operations.

// APIKey is one of an enterprise's RSA public keys: a Cube v4 request
// signed with its private key (Authorization: LF {keyId}/{sign}) acts for
// the enterprise. The server never holds the private key.
type APIKey struct {
	// ID is the keyId of the Authorization header: 32 lowercase hex
	// digits, the first 16 bytes of the SHA-256 of the key's PKIX DER, so
	// that one key is never registered twice.
	ID         string `json:"key_id"`
	Enterprise string `json:"enterprise"`
	// PublicKey is the key as standard Base64 of its PKIX
	// (SubjectPublicKeyInfo) DER, whatever form it was given in.
	PublicKey string    `json:"public_key"`
	Bits      int       `json:"bits"`
	CreatedAt time.Time `json:"created_at"`
}

// MaxAPIKeys is how many keys an enterprise holds at once.
const MaxAPIKeys = 20

// APIKeyStore keeps the enterprises' Cube v4 public keys.
type APIKeyStore interface {
	// CreateAPIKey inserts k; opencube.KindConflict when its ID exists (the key is
	// registered, to this or another enterprise), opencube.KindUnauthenticated
	// when the enterprise is unknown, KindQuota when it holds MaxAPIKeys.
	CreateAPIKey(ctx context.Context, k *APIKey) error
	// FindAPIKey returns a key by its ID; opencube.KindUnauthenticated when unknown.
	FindAPIKey(ctx context.Context, id string) (*APIKey, error)
	// FindAPIKeys returns an enterprise's keys, oldest first.
	FindAPIKeys(ctx context.Context, accessCode string) ([]*APIKey, error)
	// DeleteAPIKey removes an enterprise's key; opencube.KindNotFound when the
	// enterprise holds no key of that ID.
	DeleteAPIKey(ctx context.Context, accessCode, id string) error
}

// ServiceOrder is a Cube v4 online renewal order (POST /orders/service):
// its id ("OL-" and digits) and the document GET /orders/{id}/service
// answers, kept as made.
type ServiceOrder struct {
	ID         string
	Enterprise string
	Document   []byte // JSON
	CreatedAt  time.Time
}

// ServiceOrderStore keeps Cube v4 renewal orders.
type ServiceOrderStore interface {
	// PlaceServiceOrder runs fn in one order transaction, inserts the
	// order fn returns and records claim's entries (when fn answered it,
	// opencube.ReplayClaim.AnswerWith) in that same transaction, so that
	// the order's changes, its document and its answer commit together or
	// not at all (D28). fn may run more than once (a retried transaction).
	// opencube.KindConflict when the order's id exists,
	// opencube.KindUnauthenticated when its enterprise is unknown,
	// opencube.ErrReplayed (with claim.Prior) when an entry exists.
	PlaceServiceOrder(ctx context.Context, claim *opencube.ReplayClaim, fn func(tx opencube.OrderTx) (*ServiceOrder, error)) error
	// FindServiceOrder returns an enterprise's renewal order; opencube.KindNotFound
	// when unknown.
	FindServiceOrder(ctx context.Context, accessCode, id string) (*ServiceOrder, error)
}

// SIMRequest is an asynchronous operation on a SIM (a Cube v4 activate,
// suspend, resume or cancel): accepted at once, done by a job
// (opencube.JobSIMRequest). While it is processing the SIM is locked: another
// operation on it is refused (opencube.CauseSIMLocked), the job's own changes
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
	ErrorKind    opencube.Kind  `json:"error_kind,omitempty"`
	ErrorCause   opencube.Cause `json:"error_cause,omitempty"`
	ErrorMessage string         `json:"error_message,omitempty"`
	CreatedAt    time.Time      `json:"created_at"`
	FinishedAt   *time.Time     `json:"finished_at,omitempty"`
}

// SIMRequestStatus is where an asynchronous operation is.
type SIMRequestStatus int

// SIMRequest states (the async result's status).
const (
	SIMRequestProcessing SIMRequestStatus = 0
	SIMRequestSucceeded  SIMRequestStatus = 1
	SIMRequestFailed     SIMRequestStatus = 2
)

// SIMRequestStore keeps asynchronous SIM operations.
type SIMRequestStore interface {
	// CreateSIMRequest runs fn in one order transaction, then inserts the
	// processing request and the job fn returns, and records claim's
	// entries (when fn answered it, opencube.ReplayClaim.AnswerWith) in
	// that same transaction (D28): fn may make the change the request acts
	// on (an order to start). fn may run more than once.
	// opencube.KindSIMState with opencube.CauseSIMLocked when the SIM has a
	// request processing, opencube.ErrReplayed (with claim.Prior) when an
	// entry exists. claim may be nil.
	CreateSIMRequest(ctx context.Context, claim *opencube.ReplayClaim, fn func(tx opencube.OrderTx) (*SIMRequest, *opencube.Job, error)) error
	// FindSIMRequest returns an enterprise's request; opencube.KindNotFound when
	// unknown.
	FindSIMRequest(ctx context.Context, accessCode, id string) (*SIMRequest, error)
	// FinishSIMRequest writes r's outcome (Status, the error, FinishedAt)
	// unless it is finished already, which releases its SIM, and then e
	// (when not nil) to the outbox, in one transaction.
	FinishSIMRequest(ctx context.Context, r *SIMRequest, e *opencube.Event) error
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

// SIMLabels are an enterprise's own words on one of its SIMs (Cube v4
// PATCH /sims/{sim_id}): tags, notes and the device's name.
type SIMLabels struct {
	ICCID      string    `json:"iccid"`
	Tags       []string  `json:"tags"`
	Notes      string    `json:"notes"`
	DeviceName string    `json:"device_name"`
	UpdatedAt  time.Time `json:"updated_at"`
}

// SIMLabelPatch is a change of a SIM's labels: each field set (not nil)
// replaces the label.
type SIMLabelPatch struct {
	Tags       *[]string
	Notes      *string
	DeviceName *string
}

// Apply applies p to l.
func (p SIMLabelPatch) Apply(l *SIMLabels) {
	if p.Tags != nil {
		l.Tags = append([]string{}, *p.Tags...)
	}
	if p.Notes != nil {
		l.Notes = *p.Notes
	}
	if p.DeviceName != nil {
		l.DeviceName = *p.DeviceName
	}
}

// SIMLabelStore keeps the SIMs' labels.
type SIMLabelStore interface {
	// PatchSIMLabels applies p to the labels of an enterprise's SIM (none
	// set yet: empty labels) at now, and records claim's entries with the
	// answer render makes of the result, in one transaction (D28);
	// opencube.KindDeviceNotFound when the enterprise has no such SIM,
	// opencube.ErrReplayed (with claim.Prior) when an entry exists. claim
	// may be nil.
	PatchSIMLabels(ctx context.Context, accessCode, iccid string, p SIMLabelPatch, now time.Time, claim *opencube.ReplayClaim, render func(*SIMLabels) []byte) (*SIMLabels, error)
	// FindSIMLabels returns a SIM's labels: empty ones when none were set.
	FindSIMLabels(ctx context.Context, iccid string) (*SIMLabels, error)
}

// DeviceStore finds the devices of SIMs and SIMs of devices from the
// data sessions (RADIUS accounting).
type DeviceStore interface {
	// FindICCIDByIMEI returns the enterprise's SIM whose data session
	// with device imei (15 digits) is the latest; "" when none had one.
	FindICCIDByIMEI(ctx context.Context, accessCode, imei string) (string, error)
	// OpenSessions returns the SIM's open data sessions.
	OpenSessions(ctx context.Context, iccid string) ([]*opencube.DataSession, error)
	// FindSIMLock returns the lock of the SIM of imsi, nil when it has
	// none.
	FindSIMLock(ctx context.Context, imsi string) (*SIMLock, error)
}

// SIMLock locks a SIM to one device, one network, or both (Cube v4 PUT
// /sims/{sim_id}/network_lock): RADIUS authorization refuses the SIM in
// another device (3GPP-IMEISV) or on another network
// (3GPP-SGSN-MCC-MNC). An empty field locks nothing.
type SIMLock struct {
	ICCID     string
	IMEI      string // 15 digits
	Network   string // MCC and MNC, 5 or 6 digits
	UpdatedAt time.Time
}

// SIMLockTx writes a SIM's lock in an order transaction (both stores'
// transactions implement it).
type SIMLockTx interface {
	// PutSIMLock writes l, replacing the SIM's lock (empty fields: no
	// lock).
	PutSIMLock(ctx context.Context, l *SIMLock) error
}

// NotificationKeyStore keeps the Notification Keys of Cube v4 webhook
// endpoints.
type NotificationKeyStore interface {
	// SetNotificationKey replaces the Notification Key of an enterprise's
	// v4 endpoint; opencube.KindNotFound when it has no endpoint,
	// opencube.KindInvalid when its endpoint is not in the v4 format.
	SetNotificationKey(ctx context.Context, accessCode, keyID, key string, now time.Time) error
}

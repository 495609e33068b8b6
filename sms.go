package opencube

import (
	"context"
	"errors"
	"time"
)

// SMSDirection says which way a short message travels.
type SMSDirection string

// SMS directions.
const (
	SMSMT SMSDirection = "mt" // mobile-terminated: to the device (sendSms)
	SMSMO SMSDirection = "mo" // mobile-originated: from the device
)

// SMSState is where a short message stands: MT moves queued -> sent ->
// delivered, or to failed or expired; MO is delivered when it arrives.
type SMSState string

// SMS states.
const (
	SMSQueued    SMSState = "queued"    // acknowledged to the customer, not yet accepted by a gateway
	SMSSent      SMSState = "sent"      // accepted by the gateway, no delivery report yet
	SMSDelivered SMSState = "delivered" // delivered to the device (MO: received)
	SMSFailed    SMSState = "failed"    // the gateway rejected it or reported it undeliverable
	SMSExpired   SMSState = "expired"   // not sent, or not reported, within its validity
)

// Final reports whether a message in state s changes no more.
func (s SMSState) Final() bool {
	return s == SMSDelivered || s == SMSFailed || s == SMSExpired
}

// SMSType is the CSSS sms_type: 0 text, 1 binary (hex on the wire).
type SMSType int

// SMS types.
const (
	SMSText   SMSType = 0
	SMSBinary SMSType = 1
)

// SMS is one short message to or from a SIM.
type SMS struct {
	ID             string       `json:"sms_id"`
	EnterpriseCode string       `json:"enterprise"`
	ICCID          string       `json:"iccid"`
	MSISDN         string       `json:"msisdn"`
	Direction      SMSDirection `json:"direction"`
	Type           SMSType      `json:"sms_type"`
	Content        string       `json:"content"`  // the text, or the hex of a binary message
	Encoding       string       `json:"encoding"` // on the air: "gsm7", "ucs2" or "binary"
	Segments       int          `json:"segments"`
	State          SMSState     `json:"state"`
	GatewayID      string       `json:"gateway_id,omitempty"` // the gateway's reference of an accepted MT message
	Error          string       `json:"error,omitempty"`      // why the message failed, or the last send error
	Attempts       int          `json:"attempts"`             // hand-overs to the gateway started
	// SubmittingAt is set while a hand-over is in flight or its outcome
	// unknown (the node stopped, the gateway did not answer): the message
	// is not handed over again before a delivery report had time to come.
	SubmittingAt *time.Time `json:"submitting_at,omitempty"`
	CreatedAt    time.Time  `json:"created_at"` // queued (MT), received (MO)
	SentAt       *time.Time `json:"sent_at,omitempty"`
	DeliveredAt  *time.Time `json:"delivered_at,omitempty"`
	FailedAt     *time.Time `json:"failed_at,omitempty"`
	ExpiredAt    *time.Time `json:"expired_at,omitempty"`
	UpdatedAt    time.Time  `json:"updated_at"`
	// JobID is the Cube v4 send (job_id) the MT message is part of, ""
	// for others.
	JobID string `json:"job_id,omitempty"`
}

// SMSFilter selects an enterprise's messages, newest first.
type SMSFilter struct {
	Enterprise string
	ICCID      string       // "": any SIM
	Direction  SMSDirection // "": both
	State      SMSState     // "": any
	Since      time.Time    // zero: no lower bound (created at, inclusive)
	Until      time.Time    // zero: no upper bound (exclusive)
	JobID      string       // "": any send
	Page       Page
}

// SendSMSRequest is one sendSms call.
type SendSMSRequest struct {
	ICCID   string
	Content string
	Type    SMSType
	JobID   string // the Cube v4 send it is part of, if any
}

// MORequest is a message from a device, as a gateway received it: From
// is the SIM's MSISDN or ICCID.
type MORequest struct {
	From    string
	Content string // text, or hex when Type is SMSBinary
	Type    SMSType
}

// SMSService is the SMS section of the CSSS API, acting for the enterprise
// carried by ctx (NewContext).
type SMSService interface {
	// SendSMS validates, counts and stores a message to a SIM, queued.
	SendSMS(ctx context.Context, r SendSMSRequest) (*SMS, error)
	// FindSMS lists the enterprise's messages, newest first, and their total.
	FindSMS(ctx context.Context, f SMSFilter) ([]*SMS, int, error)
}

// SMSReportData is the Data of an EventSMSReport event (短信下行回调).
type SMSReportData struct {
	SMSID  string   `json:"sms_id"`
	Status string   `json:"status"` // "success" (delivered) or "fail" (failed or expired)
	State  SMSState `json:"state"`
}

// SMSMOData is the Data of an EventSMSMO event (短信上行回调).
type SMSMOData struct {
	SMSID      string `json:"sms_id"`
	MSISDN     string `json:"msisdn"`
	Content    string `json:"content"`
	DataCoding int    `json:"data_coding"` // 0 text, 1 binary (Content is then hex)
}

// SMSStore keeps short messages.
type SMSStore interface {
	// UpdateSMS runs fn in one transaction and commits what it wrote, or
	// nothing when fn returns an error.
	UpdateSMS(ctx context.Context, fn func(tx SMSTx) error) error
	// UpdateSMSClaiming is UpdateSMS that records a pending claim's replay
	// entries in the transaction, as OrderStore.UpdateOrdersClaiming.
	UpdateSMSClaiming(ctx context.Context, claim *ReplayClaim, fn func(tx SMSTx) error) error
	// FindSMS returns messages newest first (created at, then id) and
	// their total.
	FindSMS(ctx context.Context, f SMSFilter) ([]*SMS, int, error)
}

// SMSTx is the SMS book inside one store transaction, with the order book.
type SMSTx interface {
	OrderTx
	// SMSByID returns a message of any enterprise, locked where the store
	// supports it; KindSMSNotFound when unknown.
	SMSByID(ctx context.Context, id string) (*SMS, error)
	// InsertSMS inserts a message; KindConflict when its id exists.
	InsertSMS(ctx context.Context, m *SMS) error
	// SaveSMS writes a message's mutable fields (state, gateway id,
	// error, attempts and times); KindSMSNotFound when unknown.
	SaveSMS(ctx context.Context, m *SMS) error
	// CountSMS counts the MT messages to a SIM created from since on, having
	// locked the SIM so that counts of one SIM run one after the other.
	CountSMS(ctx context.Context, iccid string, since time.Time) (int, error)
	// SIMByNumber returns the SIM of any enterprise whose ICCID or MSISDN
	// is number; KindDeviceNotFound when none.
	SIMByNumber(ctx context.Context, number string) (*SIM, error)
}

// SMSGateway hands MT messages to the network. Delivery reports and MO
// messages come back through an SMSReceiver, called by the gateway's own
// callbacks or jobs.
type SMSGateway interface {
	// Name names the gateway in logs and errors.
	Name() string
	// Send hands m over. It returns an error wrapping ErrSMSNotSent when
	// the gateway certainly did not take m (safe to send again), wrapping
	// ErrSMSRejected when it refused m for good, and any other error when
	// the outcome is unknown (the gateway may have taken m).
	Send(ctx context.Context, m *SMS) (*SMSAcceptance, error)
}

// SMSAcceptance is a gateway's receipt for a message it took.
type SMSAcceptance struct {
	ID       string // the gateway's reference of the message
	FollowUp *Job   // a job to write with the acceptance (the sandbox device's delivery), or nil
}

// Errors an SMSGateway's Send wraps.
var (
	// ErrSMSNotSent means the gateway certainly did not take the message:
	// it is sent again after a back-off.
	ErrSMSNotSent = errors.New("sms: the gateway did not take the message")
	// ErrSMSRejected means the gateway refused the message for good: it fails.
	ErrSMSRejected = errors.New("sms: the gateway rejected the message")
)

// SMSOutcome is what a delivery report says of an MT message.
type SMSOutcome string

// Outcomes of a delivery report.
const (
	SMSOutcomeSent      SMSOutcome = "sent"      // the network took it (SMSC accepted)
	SMSOutcomeDelivered SMSOutcome = "delivered" // the device has it
	SMSOutcomeFailed    SMSOutcome = "failed"    // it cannot be delivered
)

// SMSReceiver takes what a gateway reports: delivery reports of MT
// messages and MO messages from devices.
type SMSReceiver interface {
	// Report records a delivery report of MT message id; reports only move
	// a message forward.
	Report(ctx context.Context, id string, o SMSOutcome, detail string) error
	// ReceiveMO records a message from a device and notifies its enterprise.
	ReceiveMO(ctx context.Context, r MORequest) (*SMS, error)
}

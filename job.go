package opencube

import (
	"time"
)

// Job is a unit of background work that exactly one node performs (a
// scheduled order move, a notification delivery). Jobs are written in the
// transaction of the change that causes them and claimed with a lease, so
// that the work of a node that dies mid-job is picked up by another once
// the lease runs out.
type Job struct {
	ID   string `json:"id"`
	Kind string `json:"kind"`
	// Key names the job's subject within its kind (an order id, an event
	// id); a kind and key pair is pending at most once.
	Key          string    `json:"key"`
	Payload      []byte    `json:"payload,omitempty"`
	RunAt        time.Time `json:"run_at"`
	Attempts     int       `json:"attempts"`
	LastError    string    `json:"last_error,omitempty"` // of the last failed attempt
	ClaimedBy    string    `json:"claimed_by,omitempty"` // with ClaimedUntil, the current lease, if any
	ClaimedUntil time.Time `json:"claimed_until,omitzero"`
}

// Job kinds. A periodic job reschedules itself.
const (
	// JobExpireOrder moves an in-use order (the key) to expired (state 4,
	// event 1008) once its validity has run out (D11, D12).
	JobExpireOrder = "order.expire"
	// JobExpiryAlert raises the days-before-expiry alert of an in-use
	// order (the key).
	JobExpiryAlert = "order.expiry_alert"
	// JobSessionSweep periodically closes the sessions without a record
	// for longer than the session timeout (a lost Stop).
	JobSessionSweep = "usage.session_sweep"
	// JobDeliver delivers an event (the key) to its enterprise's webhook
	// endpoint; InsertEvent writes it when the endpoint subscribes to the
	// event's type.
	JobDeliver = "notify.deliver"
	// JobPurgeDeliveries periodically deletes the webhook deliveries that
	// finished (delivered, or failed for good) longer ago than the
	// retention, with their attempts.
	JobPurgeDeliveries = "notify.purge_deliveries"
	// JobSendSMS hands an MT message (the key) to the gateway.
	JobSendSMS = "sms.send"
	// JobExpireSMS expires a message (the key) still queued or sent at its
	// RunAt.
	JobExpireSMS = "sms.expire"
	// JobSandboxSMS is the sandbox device's delivery of a message (the
	// key); its payload is the outcome, "delivered" or "failed".
	JobSandboxSMS = "sms.sandbox"
	// JobESIMPreOrderTimeout cancels an eSIM order (the key) not paid in
	// time and releases its profile.
	JobESIMPreOrderTimeout = "esim.preorder_timeout"
	// JobESIMInstallMail e-mails the install material of a paid eSIM order
	// (the key) to its buyer.
	JobESIMInstallMail = "esim.install_mail"
	// JobMallCancelSubscription cancels at Stripe the subscription (the
	// key) of a Mall order whose auto-renewal ended.
	JobMallCancelSubscription = "mall.cancel_subscription"
	// JobMallGroupOperation adds SIMs to a Mall bundle group or removes
	// them (the key: the operation's request id).
	JobMallGroupOperation = "mall.group_operation"
)

// JobSIMRequest does an asynchronous SIM operation (the key, its id).
const JobSIMRequest = "sim.request"

// JobKinds lists every job kind above: what metrics label by kind.
var JobKinds = []string{
	JobExpireOrder, JobExpiryAlert, JobSessionSweep, JobDeliver, JobPurgeDeliveries,
	JobSendSMS, JobExpireSMS, JobSandboxSMS, JobESIMPreOrderTimeout, JobESIMInstallMail, JobSIMRequest,
	JobHLRSync, JobHLRDelete, JobHLRReconcile, JobMallCancelSubscription, JobMallGroupOperation,
}

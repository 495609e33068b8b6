package opencube

import (
	"context"
	"net/url"
	"slices"
	"strings"
	"time"
)

// Webhook delivery constants.
const (
	// RedeliverPayload is the Payload of a JobDeliver job an operator asked
	// for (Redeliver): it sends even a delivered delivery, which a job
	// without it skips (its node stopped before completing the job).
	RedeliverPayload = "redeliver"
	// WebhookSecretPrefix starts every endpoint secret (Standard Webhooks).
	WebhookSecretPrefix = "whsec_"
	// DefaultSecretGrace is how long a rotated-out endpoint secret still signs.
	DefaultSecretGrace = 24 * time.Hour
	// MaxSecretGrace is the longest grace of a rotated-out endpoint secret:
	// grace_seconds is 0-2592000 (30 days).
	MaxSecretGrace = 30 * 24 * time.Hour
	// FailingAfter is how many consecutive failed attempts mark an endpoint
	// failing.
	FailingAfter = 5
)

// Webhook is an enterprise's notification endpoint (one per enterprise).
type Webhook struct {
	EnterpriseCode string      `json:"enterprise"`
	URL            string      `json:"url"`
	Events         []EventType `json:"events"`           // the subscribed event types; empty means all
	Secret         string      `json:"secret,omitempty"` // signs (Standard Webhooks); shown only when made
	// OldSecret, until OldSecretUntil, signs beside Secret after a rotation.
	OldSecret      string     `json:"-"`
	OldSecretUntil *time.Time `json:"old_secret_until,omitempty"`
	// Failures counts consecutive failed attempts. Failing is set at
	// FailingAfter and cleared by a success; deliveries go on regardless.
	Failures  int       `json:"consecutive_failures"`
	Failing   bool      `json:"failing"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
	// Format is the protocol of the notifications: WebhookCSSS (the
	// default) or WebhookV4.
	Format WebhookFormat `json:"format"`
	// NotificationKeyID and NotificationKey (hex) sign Cube v4
	// notifications (HMAC-SHA1, x-lf-signature); made when the endpoint
	// first takes the v4 format, the key shown only then.
	NotificationKeyID string `json:"notification_key_id,omitempty"`
	NotificationKey   string `json:"notification_key,omitempty"`
}

// WebhookFormat is the protocol of an endpoint's notifications.
type WebhookFormat string

// Webhook formats.
const (
	WebhookCSSS WebhookFormat = "csss" // CSSS payloads signed with the enterprise secret (D18)
	WebhookV4   WebhookFormat = "v4"   // Cube v4 payloads and x-lf-* headers (cube-v4-api.md §3)
)

// Secrets returns the endpoint secrets that sign at now: the current one,
// and the previous one during its grace period.
func (w *Webhook) Secrets(now time.Time) []string {
	s := []string{w.Secret}
	if w.OldSecret != "" && w.OldSecretUntil != nil && now.Before(*w.OldSecretUntil) {
		s = append(s, w.OldSecret)
	}
	return s
}

// Validate reports whether w can be stored.
func (w *Webhook) Validate() error {
	switch w.Format {
	case "", WebhookCSSS, WebhookV4:
	default:
		return MustBe("format", "csss or v4")
	}
	u, err := url.Parse(w.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return Invalid("url", "url must be an absolute http or https URL")
	}
	for _, e := range w.Events {
		if !slices.Contains(EventTypes, e) {
			return Invalid("events", "unknown event type %q", e)
		}
	}
	return nil
}

// EventList is the stored form of an event type list: comma-separated.
func EventList(types []EventType) string {
	s := make([]string, len(types))
	for i, t := range types {
		s[i] = string(t)
	}
	return strings.Join(s, ",")
}

// ParseEventList is the inverse of EventList.
func ParseEventList(s string) []EventType {
	if s == "" {
		return []EventType{}
	}
	var out []EventType
	for _, p := range strings.Split(s, ",") {
		out = append(out, EventType(p))
	}
	return out
}

// DeliveryState is where a delivery stands.
type DeliveryState string

// Delivery states.
const (
	DeliveryPending   DeliveryState = "pending"   // waiting for its next attempt
	DeliveryDelivered DeliveryState = "delivered" // a 2xx or code 0000 answered
	DeliveryFailed    DeliveryState = "failed"    // retries ran out; redeliver to try again
)

// Delivery is one event on its way to its enterprise's endpoint. Its ID is
// the event's id, sent as x-lf-delivery and webhook-id on every attempt.
type Delivery struct {
	ID             string        `json:"id"`
	EnterpriseCode string        `json:"enterprise"`
	Type           EventType     `json:"event"`
	State          DeliveryState `json:"state"`
	Event          *Event        `json:"detail"`
	Attempts       []Attempt     `json:"attempts"`
	CreatedAt      time.Time     `json:"created_at"`
	UpdatedAt      time.Time     `json:"updated_at"`
	DeliveredAt    *time.Time    `json:"delivered_at,omitempty"`
}

// Attempt is one try at delivering.
type Attempt struct {
	N          int           `json:"n"`
	At         time.Time     `json:"at"`
	StatusCode int           `json:"status_code"` // the receiver's HTTP status, 0 when none came
	Latency    time.Duration `json:"latency_ns"`
	Error      string        `json:"error,omitempty"`
	OK         bool          `json:"ok"`
}

// Outgoing is a delivery with what sending it takes
// (NotifyStore.FindOutgoing).
type Outgoing struct {
	Delivery   *Delivery
	Enterprise *Enterprise
	Webhook    *Webhook // nil when the enterprise has no endpoint
}

// DeliveryOutcome is how an attempt at a delivery ended, with what becomes
// of the JobDeliver job that made it (NotifyStore.FinishDeliveries).
type DeliveryOutcome struct {
	ID      string // the delivery
	Attempt Attempt
	State   DeliveryState // the delivery's state after the attempt
	// JobID is the job, held by Owner: completed when RetryAt is zero,
	// otherwise released to run again at RetryAt with Error as its last
	// error.
	JobID, Owner string
	RetryAt      time.Time
	Error        string
}

// DeliveryFilter selects deliveries of one enterprise, newest first.
type DeliveryFilter struct {
	Enterprise string
	State      DeliveryState // "": any
	Type       EventType     // "": any
	Since      time.Time     // zero: no lower bound (event time)
	Until      time.Time     // zero: no upper bound (exclusive)
	Limit      int           // 0: 100
}

// NotifyStore keeps webhook endpoints, deliveries and alert settings.
// KindNotFound answers an unknown endpoint or delivery.
type NotifyStore interface {
	// PutWebhook inserts or replaces the enterprise's endpoint URL and
	// events, and returns whether it created the endpoint; a new endpoint
	// takes w.Secret, an existing one keeps its secrets.
	// KindUnauthenticated when the enterprise is unknown.
	PutWebhook(ctx context.Context, w *Webhook) (bool, error)
	// FindWebhook returns the enterprise's endpoint, secrets included.
	FindWebhook(ctx context.Context, accessCode string) (*Webhook, error)
	// RotateWebhookSecret makes secret current and keeps the current one
	// valid until oldUntil.
	RotateWebhookSecret(ctx context.Context, accessCode, secret string, oldUntil time.Time) error
	// FindDelivery returns a delivery with its event and attempts.
	FindDelivery(ctx context.Context, id string) (*Delivery, error)
	// FindOutgoing returns delivery id with its enterprise and the
	// enterprise's endpoint (nil when it has none), secrets included, as
	// FindDelivery, FindEnterprise and FindWebhook would, read at once.
	FindOutgoing(ctx context.Context, id string) (*Outgoing, error)
	// FindDeliveries lists deliveries with their attempts, newest first.
	FindDeliveries(ctx context.Context, f DeliveryFilter) ([]*Delivery, error)
	// RecordAttempt appends attempt a to delivery id, moves it to state,
	// and counts the endpoint's consecutive failures (reset by success).
	RecordAttempt(ctx context.Context, id string, a Attempt, state DeliveryState) error
	// FinishDeliveries records attempts as RecordAttempt does and, in the
	// same transaction, settles the job of each: it completes it, or
	// releases it to run again at RetryAt, when Owner still holds it, and
	// leaves it alone otherwise (another node took it over). The outcomes
	// commit together or not at all; one of an unknown delivery records no
	// attempt, its job settled all the same.
	FinishDeliveries(ctx context.Context, outs []DeliveryOutcome) error
	// Redeliver makes pending again, due at now, the deliveries of the
	// enterprise's events created in [since, until) (creating those the
	// endpoint never had), or only delivery id when set; it returns how
	// many. KindNotFound when the enterprise has no endpoint.
	Redeliver(ctx context.Context, accessCode, id string, since, until, now time.Time) (int, error)
	// PurgeDeliveries deletes, with their attempts, up to limit deliveries
	// not pending and last updated before before, oldest first, and
	// returns how many.
	PurgeDeliveries(ctx context.Context, before time.Time, limit int) (int, error)
	// PutAlertSettings stores the enterprise's usage alert settings.
	PutAlertSettings(ctx context.Context, s *AlertSettings) error
	// FindAlertSettings returns the enterprise's alert settings, the
	// defaults when none are stored.
	FindAlertSettings(ctx context.Context, accessCode string) (*AlertSettings, error)
}

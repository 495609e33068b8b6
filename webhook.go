package opencube

import (
	"context"
	"net/url"
	"slices"
	"strings"
	"time"
)

// Notification event types beside the order events of csss-api.md §4.1.
const (
	// EventFlowAlert is a usage alert (流量使用量API预警, §4.2): an order
	// reached a volume threshold or is some days from its expiry.
	EventFlowAlert EventType = "flow_alert"
	// EventSMSReport is the final report of an MT short message
	// (短信下行回调): delivered or failed.
	EventSMSReport EventType = "sms_report"
	// EventSMSMO is a mobile-originated short message (短信上行回调).
	EventSMSMO EventType = "sms_mo"
)

// EventTypes lists every notification event type an endpoint may
// subscribe to.
var EventTypes = []EventType{
	EventCreateOrder, EventEndOrder, EventCancelOrder, EventPauseOrder, EventResumeOrder,
	EventStartOrder, EventStartOTAOrder, EventExpireOrder, EventRenewOrder, EventReduceCycle,
	EventDownloadIMSI, EventFlowAlert, EventSMSReport, EventSMSMO, EventMallRecharge,
}

// JobDeliver is the job kind that delivers one event to its enterprise's
// webhook endpoint; its key is the event id. The store writes it in the
// transaction that inserts the event (InsertEvent), when the enterprise has
// an endpoint subscribed to the event's type.
const JobDeliver = "notify.deliver"

// RedeliverPayload is the Payload of a JobDeliver job that an operator
// asked for (Redeliver): it sends even a delivery already delivered. A job
// without it skips a delivered delivery (a node that stopped between
// recording success and completing the job).
const RedeliverPayload = "redeliver"

// WebhookSecretPrefix starts every endpoint secret (Standard Webhooks).
const WebhookSecretPrefix = "whsec_"

// DefaultSecretGrace is how long a rotated-out endpoint secret still signs.
const DefaultSecretGrace = 24 * time.Hour

// MaxSecretGrace is the longest grace of a rotated-out endpoint secret:
// grace_seconds is 0-2592000 (30 days).
const MaxSecretGrace = 30 * 24 * time.Hour

// Webhook is an enterprise's notification endpoint (one per enterprise).
type Webhook struct {
	EnterpriseCode string `json:"enterprise"`
	URL            string `json:"url"`
	// Events are the subscribed event types; empty means all.
	Events []EventType `json:"events"`
	// Secret signs the Standard Webhooks signature; shown only when made.
	Secret string `json:"secret,omitempty"`
	// OldSecret, until OldSecretUntil, signs beside Secret after a rotation.
	OldSecret      string     `json:"-"`
	OldSecretUntil *time.Time `json:"old_secret_until,omitempty"`
	// Failures counts consecutive failed attempts; Failing is set once they
	// reach FailingAfter and cleared by the next success. A failing
	// endpoint still receives every delivery.
	Failures  int       `json:"consecutive_failures"`
	Failing   bool      `json:"failing"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// FailingAfter is how many consecutive failed attempts mark an endpoint
// failing.
const FailingAfter = 5

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
	N  int       `json:"n"`
	At time.Time `json:"at"`
	// StatusCode is the receiver's HTTP status, 0 when none came.
	StatusCode int           `json:"status_code"`
	Latency    time.Duration `json:"latency_ns"`
	Error      string        `json:"error,omitempty"`
	OK         bool          `json:"ok"`
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
type NotifyStore interface {
	// PutWebhook inserts or replaces the enterprise's endpoint URL and
	// events; a new endpoint takes w.Secret, an existing one keeps its
	// secrets. It returns whether the endpoint was created;
	// KindUnauthenticated when the enterprise is unknown.
	PutWebhook(ctx context.Context, w *Webhook) (bool, error)
	// FindWebhook returns the enterprise's endpoint, secrets included;
	// KindNotFound when it has none.
	FindWebhook(ctx context.Context, accessCode string) (*Webhook, error)
	// RotateWebhookSecret makes secret current and keeps the current one
	// valid until oldUntil; KindNotFound when there is no endpoint.
	RotateWebhookSecret(ctx context.Context, accessCode, secret string, oldUntil time.Time) error
	// FindDelivery returns a delivery with its event and attempts;
	// KindNotFound when unknown.
	FindDelivery(ctx context.Context, id string) (*Delivery, error)
	// FindDeliveries lists deliveries with their attempts, newest first.
	FindDeliveries(ctx context.Context, f DeliveryFilter) ([]*Delivery, error)
	// RecordAttempt appends attempt a to delivery id, moves it to state,
	// and counts the endpoint's consecutive failures (reset by success).
	RecordAttempt(ctx context.Context, id string, a Attempt, state DeliveryState) error
	// Redeliver makes the deliveries of the enterprise's events created in
	// [since, until) pending again, due at now (creating those the endpoint
	// never had), or only delivery id when id is set; it returns how many.
	// KindNotFound when id is unknown or the enterprise has no endpoint.
	Redeliver(ctx context.Context, accessCode, id string, since, until, now time.Time) (int, error)
	// PurgeDeliveries deletes up to limit deliveries that are not pending
	// and were last updated before before, oldest first, with their
	// attempts, and returns how many it deleted.
	PurgeDeliveries(ctx context.Context, before time.Time, limit int) (int, error)
	// PutAlertSettings stores the enterprise's usage alert settings.
	PutAlertSettings(ctx context.Context, s *AlertSettings) error
	// FindAlertSettings returns the enterprise's alert settings, the
	// defaults when none are stored.
	FindAlertSettings(ctx context.Context, accessCode string) (*AlertSettings, error)
}

// KindNotFound is the error kind of a missing notification object (a
// webhook endpoint, a delivery): the admin API answers 404.
const KindNotFound Kind = "not_found"

// JobPurgeDeliveries is the job kind that deletes the webhook deliveries
// finished (delivered, or failed for good) longer ago than the retention,
// with their attempts. The job reschedules itself.
const JobPurgeDeliveries = "notify.purge_deliveries"

// EventMallRecharge is the Mall's recharge-success push (充值成功消息推送):
// a paid Mall order became an order on the SIM. It travels through the
// outbox like the order events; its Data holds the Mall order (orderNo,
// deviceCode, packageCode, payAmount, payCurrency, payId, orderId).
const EventMallRecharge EventType = "mall_recharge"

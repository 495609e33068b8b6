package admin

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/opencube/opencube"
)

// WebhookRequest is the body of PUT /admin/v1/enterprises/{code}/webhook.
type WebhookRequest struct {
	URL string `json:"url"`
	// Events are the subscribed event types ("1000"..."1012",
	// "flow_alert"); none or empty means all.
	Events []opencube.EventType `json:"events"`
	// Format is csss (the default) or v4: Cube v4 payloads signed with the
	// enterprise's Notification Key (made, and shown once, when the
	// endpoint first takes v4).
	Format opencube.WebhookFormat `json:"format,omitempty"`
}

// RotateWebhookRequest is the body of POST .../webhook/rotate.
type RotateWebhookRequest struct {
	// GraceSeconds is how long the old secret keeps signing, 0-2592000
	// (30 days); 86400 when absent.
	GraceSeconds *int64 `json:"grace_seconds,omitempty"`
}

// RedeliverRequest is the body of POST .../deliveries/redeliver.
type RedeliverRequest struct {
	Since time.Time `json:"since"`
	Until time.Time `json:"until,omitzero"`
}

// RedeliverResult is the answer of a redelivery of many events.
type RedeliverResult struct {
	Redelivered int `json:"redelivered"`
}

// DeliveryList is the answer of GET .../deliveries.
type DeliveryList struct {
	Deliveries []*opencube.Delivery `json:"deliveries"`
}

// MaxDeliveryLimit is the largest limit of GET .../deliveries.
const MaxDeliveryLimit = 1000

// AdvanceRequest is the body of POST /admin/v1/clock/advance.
type AdvanceRequest struct {
	Seconds int64 `json:"seconds"`
}

// ClockState is the answer of the clock routes.
type ClockState struct {
	Now time.Time `json:"now"`
	// OffsetSeconds is how far the sandbox clock runs ahead of real time.
	OffsetSeconds int64 `json:"offset_seconds"`
	// Ran counts the background jobs an advance ran.
	Ran int `json:"ran"`
}

// Sandbox is the server clock of sandbox mode.
type Sandbox interface {
	// Now returns the sandbox time.
	Now() time.Time
	// Offset returns how far it runs ahead of real time.
	Offset() time.Duration
	// Advance moves the clock forward by d, running every job due in
	// between at its own time, in order; it returns how many ran.
	Advance(ctx context.Context, d time.Duration) (int, error)
}

// WebhookPath is the path of an enterprise's webhook endpoint.
func WebhookPath(accessCode string) string { return EnterprisePath(accessCode, "webhook") }

// DeliveryPath is the path of one delivery, or of its sub resource.
func DeliveryPath(id, sub string) string {
	p := Prefix + "deliveries/" + url.PathEscape(id)
	if sub != "" {
		p += "/" + sub
	}
	return p
}

func (s *Server) notify() (opencube.NotifyService, error) {
	if s.Notify == nil {
		return nil, &opencube.Error{Kind: KindNoRoute, Message: "notifications are not served"}
	}
	return s.Notify, nil
}

func (s *Server) putWebhook(r *http.Request) (int, any, error) {
	n, err := s.notify()
	if err != nil {
		return 0, nil, err
	}
	var req WebhookRequest
	if err := decode(r.Body, &req); err != nil {
		return 0, nil, err
	}
	w, err := n.PutWebhook(r.Context(), &opencube.Webhook{EnterpriseCode: r.PathValue("code"), URL: req.URL, Events: req.Events, Format: req.Format})
	if err != nil {
		return 0, nil, err
	}
	if w.Secret != "" {
		return http.StatusCreated, w, nil
	}
	return http.StatusOK, w, nil
}

func (s *Server) findWebhook(r *http.Request) (int, any, error) {
	n, err := s.notify()
	if err != nil {
		return 0, nil, err
	}
	w, err := n.FindWebhook(r.Context(), r.PathValue("code"))
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, w, nil
}

func (s *Server) rotateNotificationKey(r *http.Request) (int, any, error) {
	n, err := s.notify()
	if err != nil {
		return 0, nil, err
	}
	w, err := n.RotateNotificationKey(r.Context(), r.PathValue("code"))
	if err != nil {
		return 0, nil, err
	}
	SetAudit(r, "webhook", w.EnterpriseCode, "new Notification Key "+w.NotificationKeyID)
	return http.StatusOK, w, nil
}

func (s *Server) rotateWebhook(r *http.Request) (int, any, error) {
	n, err := s.notify()
	if err != nil {
		return 0, nil, err
	}
	var req RotateWebhookRequest
	if r.ContentLength != 0 {
		if err := decode(r.Body, &req); err != nil {
			return 0, nil, err
		}
	}
	grace := opencube.DefaultSecretGrace
	if req.GraceSeconds != nil {
		// Checked before it becomes a Duration, which a large number
		// would overflow.
		maxGrace := int64(opencube.MaxSecretGrace / time.Second)
		if err := opencube.CheckRange("grace_seconds", *req.GraceSeconds, 0, maxGrace); err != nil {
			return 0, nil, err
		}
		grace = time.Duration(*req.GraceSeconds) * time.Second
	}
	w, err := n.RotateWebhookSecret(r.Context(), r.PathValue("code"), grace)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, w, nil
}

// queryTime reads an RFC 3339 time from the query; zero when absent.
func queryTime(q url.Values, name string) (time.Time, error) {
	v := q.Get(name)
	if v == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339Nano, v)
	if err != nil {
		return time.Time{}, opencube.Invalid(name, "%s must be an RFC 3339 time", name)
	}
	return t, nil
}

func (s *Server) findDeliveries(r *http.Request) (int, any, error) {
	n, err := s.notify()
	if err != nil {
		return 0, nil, err
	}
	q := r.URL.Query()
	f := opencube.DeliveryFilter{
		Enterprise: r.PathValue("code"),
		State:      opencube.DeliveryState(q.Get("state")),
		Type:       opencube.EventType(q.Get("event")),
	}
	switch f.State {
	case "", opencube.DeliveryPending, opencube.DeliveryDelivered, opencube.DeliveryFailed:
	default:
		return 0, nil, opencube.Invalid("state", "state must be pending, delivered or failed")
	}
	if f.Since, err = queryTime(q, "since"); err != nil {
		return 0, nil, err
	}
	if f.Until, err = queryTime(q, "until"); err != nil {
		return 0, nil, err
	}
	if v := q.Get("limit"); v != "" {
		if f.Limit, err = strconv.Atoi(v); err != nil || f.Limit < 1 || f.Limit > MaxDeliveryLimit {
			return 0, nil, opencube.OutOfRange("limit", 1, MaxDeliveryLimit)
		}
	}
	ds, err := n.FindDeliveries(r.Context(), f)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, DeliveryList{Deliveries: ds}, nil
}

func (s *Server) redeliver(r *http.Request) (int, any, error) {
	n, err := s.notify()
	if err != nil {
		return 0, nil, err
	}
	d, err := n.Redeliver(r.Context(), r.PathValue("id"))
	if err != nil {
		return 0, nil, err
	}
	return http.StatusAccepted, d, nil
}

func (s *Server) redeliverSince(r *http.Request) (int, any, error) {
	n, err := s.notify()
	if err != nil {
		return 0, nil, err
	}
	var req RedeliverRequest
	if err := decode(r.Body, &req); err != nil {
		return 0, nil, err
	}
	if req.Since.IsZero() {
		return 0, nil, opencube.Invalid("since", "since is required (an RFC 3339 time)")
	}
	count, err := n.RedeliverSince(r.Context(), r.PathValue("code"), req.Since, req.Until)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusAccepted, RedeliverResult{Redelivered: count}, nil
}

func (s *Server) putAlerts(r *http.Request) (int, any, error) {
	n, err := s.notify()
	if err != nil {
		return 0, nil, err
	}
	var req opencube.AlertSettings
	if err := decode(r.Body, &req); err != nil {
		return 0, nil, err
	}
	req.EnterpriseCode = r.PathValue("code")
	if err := n.PutAlertSettings(r.Context(), &req); err != nil {
		return 0, nil, err
	}
	return http.StatusOK, &req, nil
}

func (s *Server) findAlerts(r *http.Request) (int, any, error) {
	n, err := s.notify()
	if err != nil {
		return 0, nil, err
	}
	a, err := n.FindAlertSettings(r.Context(), r.PathValue("code"))
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, a, nil
}

// noSandbox is the answer of the clock routes outside sandbox mode: they do
// not exist.
func noSandbox(r *http.Request) error {
	return &opencube.Error{Kind: KindNoRoute, Message: fmt.Sprintf("no admin endpoint %s %s (the clock routes exist in sandbox mode only: serve --sandbox or --demo)", r.Method, r.URL.Path)}
}

func (s *Server) showClock(r *http.Request) (int, any, error) {
	if s.Sandbox == nil {
		return 0, nil, noSandbox(r)
	}
	return http.StatusOK, ClockState{Now: s.Sandbox.Now().UTC(), OffsetSeconds: int64(s.Sandbox.Offset() / time.Second)}, nil
}

func (s *Server) advanceClock(r *http.Request) (int, any, error) {
	if s.Sandbox == nil {
		return 0, nil, noSandbox(r)
	}
	var req AdvanceRequest
	if err := decode(r.Body, &req); err != nil {
		return 0, nil, err
	}
	if req.Seconds < 0 || req.Seconds > 10*366*86400 {
		return 0, nil, opencube.Invalid("seconds", "seconds must be 0 to ten years")
	}
	ran, err := s.Sandbox.Advance(r.Context(), time.Duration(req.Seconds)*time.Second)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, ClockState{Now: s.Sandbox.Now().UTC(), OffsetSeconds: int64(s.Sandbox.Offset() / time.Second), Ran: ran}, nil
}

package notify

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/md5"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/opencube/opencube"
	"github.com/opencube/opencube/csss"
	"github.com/opencube/opencube/service"
)

// Store is what a Notifier reads and writes.
type Store interface {
	FindEnterprise(ctx context.Context, accessCode string) (*opencube.Enterprise, error)
	FindWebhook(ctx context.Context, accessCode string) (*opencube.Webhook, error)
	FindDelivery(ctx context.Context, id string) (*opencube.Delivery, error)
	RecordAttempt(ctx context.Context, id string, a opencube.Attempt, state opencube.DeliveryState) error
}

// Delivery defaults.
const (
	// DefaultTimeout bounds one attempt: connecting, sending and reading
	// the answer.
	DefaultTimeout = 10 * time.Second
	// DefaultMaxAttempts is how many attempts a delivery gets before it is
	// marked failed. With Backoff's schedule the retries span about 62
	// hours, never less than 50 whatever the jitter.
	DefaultMaxAttempts = 20
	// MaxBody bounds the part of a receiver's answer that is read.
	MaxBody = 64 << 10
)

// Headers of a delivery.
const (
	HeaderMD5       = "x-lf-md5"          // lowercase hex MD5 of the body
	HeaderDelivery  = "x-lf-delivery"     // the event id, the same on every attempt
	HeaderID        = "webhook-id"        // Standard Webhooks: the event id
	HeaderTimestamp = "webhook-timestamp" // Standard Webhooks: Unix seconds of the attempt
	HeaderSignature = "webhook-signature" // Standard Webhooks: space-separated v1,<base64>
)

// Backoff is the delay before attempt n+1 after n failed attempts: 30 s
// doubling to at most 6 h, times a jitter factor in [0.8, 1.2) drawn from
// r (a number in [0, 1)).
func Backoff(n int, r float64) time.Duration {
	d := 6 * time.Hour
	if n < 20 {
		d = min(30*time.Second<<max(n-1, 0), d)
	}
	return time.Duration(float64(d) * (0.8 + 0.4*r))
}

// Notifier sends deliveries: its Deliver method is the opencube.JobDeliver
// job handler.
type Notifier struct {
	Store Store
	// Clock dates attempts and schedules retries (the service clock).
	Clock opencube.Clock
	// HeaderClock dates the webhook-timestamp header, which receivers
	// compare with their own clock to reject replays: the wall clock when
	// Clock is a sandbox clock moved ahead. Clock when nil.
	HeaderClock opencube.Clock
	Client      *http.Client
	Timeout     time.Duration
	MaxAttempts int
	// Jitter returns a number in [0, 1) for Backoff; math/rand when nil.
	Jitter func() float64
	Logger *slog.Logger
	// Observe, when set, is told the outcome (Outcome*) and latency of
	// every attempt once it is recorded (metrics).
	Observe func(outcome string, latency time.Duration)

	outcomes outcomes
	mu       sync.Mutex
	prepared map[string]preparedOutgoing // by preparedKey
}

// Outcomes of an attempt (Notifier.Observe).
const (
	OutcomeDelivered = "delivered" // the receiver took it
	OutcomeRetry     = "retry"     // it failed and will be tried again
	OutcomeFailed    = "failed"    // it failed, the last attempt: failed for good
)

// New returns a Notifier with the default timeout and attempts.
func New(store Store, clock opencube.Clock) *Notifier {
	return &Notifier{
		Store: store, Clock: clock, Timeout: DefaultTimeout, MaxAttempts: DefaultMaxAttempts,
		Client: &http.Client{Transport: &http.Transport{
			Proxy: http.ProxyFromEnvironment, MaxIdleConnsPerHost: 64, IdleConnTimeout: 90 * time.Second,
		}},
		Logger: slog.Default(),
	}
}

// Deliver is the opencube.JobDeliver handler: one attempt at delivering
// the event named by the job's key. It returns nil when the delivery is
// done (delivered, out of attempts, or no longer deliverable), and an
// *service.RetryLater with the back-off otherwise; on an OutcomeStore, once
// an attempt is made, it settles the job with the attempt's record and
// returns a *service.Settled holding either.
func (n *Notifier) Deliver(ctx context.Context, j *opencube.Job) error {
	out, err := n.find(ctx, j)
	if err != nil || out == nil {
		return err
	}
	d, w, e := out.Delivery, out.Webhook, out.Enterprise
	if e.Disabled() {
		// Paused, not failed: no attempt is recorded, and enabling the
		// enterprise makes the delivery due at once.
		return service.Held(n.Clock.Now(), "delivery %s held: enterprise %s is disabled", d.ID, e.AccessCode)
	}
	if len(e.Secrets) == 0 {
		return errors.New("enterprise " + e.AccessCode + " has no secret to sign with")
	}
	var body []byte
	if w.Format == opencube.WebhookV4 {
		body, err = V4Payload(d.Event)
	} else {
		body, err = Payload(d.Event, e.Secrets[len(e.Secrets)-1])
	}
	if err != nil {
		return err
	}
	now := n.Clock.Now()
	a := n.send(ctx, w, d.ID, body, now)
	if ctx.Err() != nil {
		return ctx.Err() // shutting down: not the receiver's failure
	}
	state := opencube.DeliveryPending
	attempts := len(d.Attempts) + 1
	maxAttempts := n.MaxAttempts
	if maxAttempts <= 0 {
		maxAttempts = DefaultMaxAttempts
	}
	switch {
	case a.OK:
		state = opencube.DeliveryDelivered
	case attempts >= maxAttempts:
		state = opencube.DeliveryFailed
	}
	var retry *service.RetryLater
	if state == opencube.DeliveryPending {
		jitter := n.Jitter
		if jitter == nil {
			jitter = rand.Float64
		}
		retry = &service.RetryLater{
			At:  now.Add(a.Latency).Add(Backoff(attempts, jitter())),
			Err: fmt.Errorf("delivery %s attempt %d: %s", d.ID, attempts, a.Error),
		}
	}
	// On a store that can, the attempt is recorded and the job completed
	// (or released for its retry) in one transaction, shared with the
	// deliveries that end meanwhile; otherwise the worker settles the job.
	st, settles := n.Store.(OutcomeStore)
	settles = settles && j.ClaimedBy != ""
	if settles {
		o := opencube.DeliveryOutcome{ID: d.ID, Attempt: a, State: state, JobID: j.ID, Owner: j.ClaimedBy}
		if retry != nil {
			o.RetryAt, o.Error = retry.At, retry.Error()
		}
		if err := n.outcomes.record(ctx, st, o); err != nil {
			return err
		}
	} else if err := n.Store.RecordAttempt(ctx, d.ID, a, state); err != nil {
		return err
	}
	if n.Observe != nil {
		outcome := OutcomeRetry
		switch state {
		case opencube.DeliveryDelivered:
			outcome = OutcomeDelivered
		case opencube.DeliveryFailed:
			outcome = OutcomeFailed
		}
		n.Observe(outcome, a.Latency)
	}
	if state == opencube.DeliveryFailed && n.Logger != nil {
		n.Logger.Warn("delivery failed for good", "delivery", d.ID, "enterprise", d.EnterpriseCode, "attempts", attempts)
	}
	switch {
	case settles && retry != nil:
		return &service.Settled{Err: retry}
	case settles:
		return &service.Settled{}
	case retry != nil:
		return retry
	}
	return nil
}

// OutgoingStore is a Store that reads a delivery with its enterprise and
// endpoint at once (opencube.NotifyStore.FindOutgoing); a Notifier on one
// does so.
type OutgoingStore interface {
	FindOutgoing(ctx context.Context, id string) (*opencube.Outgoing, error)
}

// OutgoingsStore is a Store that reads several deliveries with their
// enterprises and endpoints at once; a Notifier on one reads those of a
// claim so (Prepare). A delivery it does not find, or whose enterprise it
// does not find, is left out of its answer.
type OutgoingsStore interface {
	FindOutgoings(ctx context.Context, ids []string) (map[string]*opencube.Outgoing, error)
}

// preparedOutgoing is what Prepare read for the run of a job.
type preparedOutgoing struct {
	out *opencube.Outgoing
	at  time.Time // when it was read
}

// preparedFor bounds how long a read of Prepare waits for its job's run:
// one not taken by then (its run cut short by a shutdown) is dropped.
const preparedFor = time.Minute

// preparedKey names a run of job j: a job claimed again is read again.
func preparedKey(j *opencube.Job) string { return j.ID + "/" + strconv.Itoa(j.Attempts) }

// Prepare reads the deliveries of jobs, claimed together, with their
// enterprises and endpoints, in one go on a store that can
// (OutgoingsStore), for their runs of Deliver that follow, which then do
// not read them each on its own. It is the Worker's Prepare function for
// opencube.JobDeliver. A run whose delivery Prepare did not find, or did
// not read at all (an error, which is only logged), reads it itself.
func (n *Notifier) Prepare(ctx context.Context, jobs []*opencube.Job) {
	st, ok := n.Store.(OutgoingsStore)
	if !ok || len(jobs) < 2 {
		return
	}
	ids := make([]string, len(jobs))
	for i, j := range jobs {
		ids[i] = j.Key
	}
	outs, err := st.FindOutgoings(ctx, ids)
	if err != nil {
		if n.Logger != nil && ctx.Err() == nil {
			n.Logger.Warn("reading the claimed deliveries", "err", err)
		}
		return
	}
	now := time.Now()
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.prepared == nil {
		n.prepared = map[string]preparedOutgoing{}
	}
	for k, p := range n.prepared {
		if now.Sub(p.at) > preparedFor {
			delete(n.prepared, k)
		}
	}
	for _, j := range jobs {
		if out := outs[j.Key]; out != nil {
			n.prepared[preparedKey(j)] = preparedOutgoing{out: out, at: now}
		}
	}
}

// takePrepared returns, and forgets, what Prepare read for this run of j.
func (n *Notifier) takePrepared(j *opencube.Job) *opencube.Outgoing {
	n.mu.Lock()
	defer n.mu.Unlock()
	k := preparedKey(j)
	p, ok := n.prepared[k]
	if !ok {
		return nil
	}
	delete(n.prepared, k)
	if time.Since(p.at) > preparedFor {
		return nil
	}
	return p.out
}

// find reads the delivery of job j with its endpoint and enterprise; nil
// when there is nothing to send: the delivery or its endpoint is gone, or
// it was delivered and j is no redelivery.
func (n *Notifier) find(ctx context.Context, j *opencube.Job) (*opencube.Outgoing, error) {
	out := n.takePrepared(j)
	var err error
	switch st, ok := n.Store.(OutgoingStore); {
	case out != nil:
	case ok:
		out, err = st.FindOutgoing(ctx, j.Key)
	default:
		out, err = n.findEach(ctx, j.Key)
	}
	if opencube.ErrorKind(err) == opencube.KindNotFound {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if out.Delivery.State == opencube.DeliveryDelivered && string(j.Payload) != opencube.RedeliverPayload {
		return nil, nil
	}
	if out.Webhook == nil {
		return nil, nil // the endpoint is gone
	}
	return out, nil
}

// findEach is FindOutgoing on a Store: one read at a time, the enterprise
// only when the endpoint is there.
func (n *Notifier) findEach(ctx context.Context, id string) (*opencube.Outgoing, error) {
	d, err := n.Store.FindDelivery(ctx, id)
	if err != nil {
		return nil, err
	}
	out := &opencube.Outgoing{Delivery: d}
	out.Webhook, err = n.Store.FindWebhook(ctx, d.EnterpriseCode)
	if opencube.ErrorKind(err) == opencube.KindNotFound {
		return out, nil
	}
	if err != nil {
		return nil, err
	}
	if out.Enterprise, err = n.Store.FindEnterprise(ctx, d.EnterpriseCode); err != nil {
		return nil, err
	}
	return out, nil
}

// send makes one attempt and describes it.
func (n *Notifier) send(ctx context.Context, w *opencube.Webhook, id string, body []byte, now time.Time) opencube.Attempt {
	a := opencube.Attempt{At: now}
	timeout := n.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, w.URL, bytes.NewReader(body))
	if err != nil {
		a.Error = err.Error()
		return a
	}
	stamp := now
	if n.HeaderClock != nil {
		stamp = n.HeaderClock.Now()
	}
	SetHeaders(req.Header, id, body, stamp, w.Secrets(now))
	if w.Format == opencube.WebhookV4 {
		if err := SetV4Headers(req.Header, w, body, stamp); err != nil {
			a.Error = err.Error()
			return a
		}
	}
	start := time.Now()
	resp, err := n.Client.Do(req)
	if err != nil {
		a.Latency = time.Since(start)
		a.Error = err.Error()
		return a
	}
	answer, err := io.ReadAll(io.LimitReader(resp.Body, MaxBody))
	resp.Body.Close()
	a.Latency = time.Since(start)
	a.StatusCode = resp.StatusCode
	a.OK = resp.StatusCode/100 == 2 || bodyCode(answer) == "0000"
	if !a.OK {
		a.Error = "HTTP " + strconv.Itoa(resp.StatusCode)
		if err != nil {
			a.Error += ": " + err.Error()
		}
	}
	return a
}

// bodyCode returns the "code" of a JSON answer, "" when there is none.
func bodyCode(b []byte) string {
	var v struct {
		Code json.RawMessage `json:"code"`
	}
	if json.Unmarshal(b, &v) != nil {
		return ""
	}
	s := strings.Trim(string(v.Code), `"`)
	return s
}

// SetHeaders adds the headers of a delivery of body, event id, sent at now
// and signed with every secret in secrets.
func SetHeaders(h http.Header, id string, body []byte, now time.Time, secrets []string) {
	sum := md5.Sum(body)
	ts := strconv.FormatInt(now.Unix(), 10)
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set(HeaderMD5, hex.EncodeToString(sum[:]))
	h.Set(HeaderDelivery, id)
	h.Set(HeaderID, id)
	h.Set(HeaderTimestamp, ts)
	sigs := make([]string, 0, len(secrets))
	for _, s := range secrets {
		sigs = append(sigs, "v1,"+Signature(s, id, ts, body))
	}
	h.Set(HeaderSignature, strings.Join(sigs, " "))
}

// Signature is the Standard Webhooks signature of a message: the Base64 of
// HMAC-SHA256, keyed with the Base64-decoded secret (without its whsec_
// prefix), of id.timestamp.body.
func Signature(secret, id, timestamp string, body []byte) string {
	key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(secret, opencube.WebhookSecretPrefix))
	if err != nil {
		key = []byte(secret)
	}
	m := hmac.New(sha256.New, key)
	m.Write([]byte(id))
	m.Write([]byte{'.'})
	m.Write([]byte(timestamp))
	m.Write([]byte{'.'})
	m.Write(body)
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

// OrderNotice is the body of an order status notification (docs/csss.md,
// notifications), plus Seq, the event's number among all its SIM's events
// (an endpoint subscribed to some types sees gaps): receivers order and
// deduplicate by it.
type OrderNotice struct {
	Type            string  `json:"type"`
	OrderID         string  `json:"order_id"`
	DeviceID        string  `json:"device_id"`
	IMSI            string  `json:"imsi"`
	PackageCode     string  `json:"package_code"`
	OrderStatus     string  `json:"order_status"`
	OrderStartDate  *string `json:"order_start_date"`
	OrderExpireDate *string `json:"order_expire_date"`
	EventTime       string  `json:"event_time"`
	AccessCode      string  `json:"access_code"`
	Seq             int64   `json:"seq"`
	Sign            string  `json:"sign"`
}

// AlertNotice is the body of a usage alert (docs/csss.md, notifications):
// volumes in CSSS megabytes (D19), threshold "80%" or "3d" (days before
// expiry).
type AlertNotice struct {
	Type            string  `json:"type"`
	DeviceID        string  `json:"device_id"`
	OrderID         string  `json:"order_id"`
	Threshold       string  `json:"threshold"`
	UsedFlow        string  `json:"used_flow"`
	TotalFlow       string  `json:"total_flow"`
	OrderExpireDate *string `json:"order_expire_date"`
	AlertTime       string  `json:"alert_time"`
	AccessCode      string  `json:"access_code"`
	Seq             int64   `json:"seq"`
	Sign            string  `json:"sign"`
}

// compactDate renders a UTC+8 YYYYMMDD date, nil for none.
func compactDate(t *time.Time) *string {
	if t == nil {
		return nil
	}
	s := t.In(opencube.BusinessZone).Format("20060102")
	return &s
}

// Payload returns the signed JSON body that notifies e, signed with the
// enterprise secret like a CSSS request (the sign field over the
// canonical form of the rest).
func Payload(e *opencube.Event, secret string) ([]byte, error) {
	if e.Type == opencube.EventMallRecharge {
		return rechargePayload(e, secret)
	}
	if isSMSEvent(e.Type) {
		return smsPayload(e, secret) // sms.go
	}
	ms := strconv.FormatInt(e.CreatedAt.UnixMilli(), 10)
	var v signable
	if e.Type != opencube.EventFlowAlert && e.Data != "" {
		// Another kind of event (a Mall recharge...): its Data's fields and
		// the common ones.
		n := genericNotice{}
		dec := json.NewDecoder(strings.NewReader(e.Data))
		dec.UseNumber()
		if err := dec.Decode(&n); err != nil {
			return nil, fmt.Errorf("notify: data of event %s: %w", e.ID, err)
		}
		n["type"], n["device_id"], n["order_id"], n["event_time"] = string(e.Type), e.ICCID, e.OrderID, ms
		n["access_code"], n["seq"] = e.EnterpriseCode, e.Seq
		v = n
	} else if e.Type == opencube.EventFlowAlert {
		var data opencube.AlertData
		if e.Data != "" {
			if err := json.Unmarshal([]byte(e.Data), &data); err != nil {
				return nil, fmt.Errorf("notify: alert data of event %s: %w", e.ID, err)
			}
		}
		v = &AlertNotice{
			Type: string(e.Type), DeviceID: e.ICCID, OrderID: e.OrderID, Threshold: data.Threshold,
			UsedFlow: csss.FormatMB(data.UsedBytes), TotalFlow: csss.FormatMB(data.TotalBytes),
			OrderExpireDate: compactDate(e.ExpiresAt), AlertTime: ms, AccessCode: e.EnterpriseCode, Seq: e.Seq,
		}
	} else {
		v = &OrderNotice{
			Type: string(e.Type), OrderID: e.OrderID, DeviceID: e.ICCID, IMSI: e.IMSI, PackageCode: e.PlanCode,
			OrderStatus: strconv.Itoa(int(e.Status)), OrderStartDate: compactDate(e.StartedAt),
			OrderExpireDate: compactDate(e.ExpiresAt), EventTime: ms, AccessCode: e.EnterpriseCode, Seq: e.Seq,
		}
	}
	return signedBody(v, secret)
}

// signable is a notice body with a sign member.
type signable interface{ setSign(string) }

// signedBody sets v's sign, computed over v without it (D18), and returns
// v's JSON body.
func signedBody(v signable, secret string) ([]byte, error) {
	sign, err := csss.SignValue(v, secret)
	if err != nil {
		return nil, err
	}
	v.setSign(sign)
	return csss.Marshal(v)
}

func (n *OrderNotice) setSign(s string)  { n.Sign = s }
func (n genericNotice) setSign(s string) { n["sign"] = s }

// genericNotice is the body of an event that is neither an order move nor
// a usage alert: the fields of its Data, and type, device_id, order_id,
// event_time, access_code, seq and sign.
type genericNotice map[string]any

func (n *AlertNotice) setSign(s string) { n.Sign = s }

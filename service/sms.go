package service

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/opencube/opencube"
	"github.com/opencube/opencube/gsm"
)

// Defaults of an SMS service.
const (
	// DefaultMaxSegments is the most segments a message may take.
	DefaultMaxSegments = 10
	// DefaultDailyLimit is the most MT messages a SIM may be sent in a
	// business (UTC+8) day.
	DefaultDailyLimit = 100
	// DefaultSMSValidity is how long an MT message may stay queued or sent
	// without a final delivery report before it expires.
	DefaultSMSValidity = 48 * time.Hour
	// DefaultDoubtWindow is how long a hand-over whose outcome is unknown
	// waits for a delivery report before the message is sent again.
	DefaultDoubtWindow = 10 * time.Minute
)

// SMS is the SMS section of the CSSS API over a store and a gateway
// (opencube.SMSService), what the gateway reports (opencube.SMSReceiver),
// and the handler of the SMS jobs.
type SMS struct {
	Store       opencube.SMSStore
	Clock       opencube.Clock
	Gateway     opencube.SMSGateway
	MaxSegments int
	DailyLimit  int
	Validity    time.Duration
	DoubtWindow time.Duration
	// Enterprises, when set, holds the MT messages of a disabled
	// enterprise: SendJob leaves them queued until it is enabled.
	Enterprises opencube.EnterpriseFinder
	Logger      *slog.Logger
	// Observe, when set, is told of every message that reached a state,
	// once the move committed (metrics).
	Observe func(direction opencube.SMSDirection, state opencube.SMSState)
	// claim is the replay claim of the request the copy made by Replaying
	// acts for; nil on the shared service.
	claim *opencube.ReplayClaim
}

// Replaying implements opencube.ReplayingSMSService: a copy of s whose
// transactions record claim.
func (s *SMS) Replaying(claim *opencube.ReplayClaim) opencube.SMSService {
	c := *s
	c.claim = claim
	return &c
}

var (
	_ opencube.ReplayingSMSService = (*SMS)(nil)
	_ opencube.SMSReceiver         = (*SMS)(nil)
)

// NewSMS returns an SMS service with the default limits.
func NewSMS(store opencube.SMSStore, clock opencube.Clock, gw opencube.SMSGateway) *SMS {
	return &SMS{
		Store: store, Clock: clock, Gateway: gw, MaxSegments: DefaultMaxSegments, DailyLimit: DefaultDailyLimit,
		Validity: DefaultSMSValidity, DoubtWindow: DefaultDoubtWindow, Logger: slog.Default(),
	}
}

// Handlers returns the job handlers of the SMS service by kind, for a
// Worker.
func (s *SMS) Handlers() map[string]JobHandler {
	return map[string]JobHandler{
		opencube.JobSendSMS:    s.SendJob,
		opencube.JobExpireSMS:  s.ExpireJob,
		opencube.JobSandboxSMS: s.SandboxJob,
	}
}

// now returns the clock's time at microsecond precision, as stored.
func (s *SMS) now() time.Time { return s.Clock.Now().UTC().Truncate(time.Microsecond) }

// newID returns a new message id: SMS_ and 32 hex digits.
func newID() string { return "SMS_" + strings.ReplaceAll(opencube.NewUUID(), "-", "") }

// encode returns a message's normalised content, encoding and segments.
func encode(content string, t opencube.SMSType) (string, gsm.Encoding, int, error) {
	switch t {
	case opencube.SMSText:
		if content == "" {
			return "", 0, 0, opencube.Invalid("content", "content is empty")
		}
		e, segs := gsm.SplitText(content)
		return content, e, len(segs), nil
	case opencube.SMSBinary:
		b, ok := gsm.DecodeHex(content)
		if !ok || len(b) == 0 {
			return "", 0, 0, opencube.Invalid("content", "binary content must be hex octets").Because(opencube.CauseSMSHex)
		}
		return hex.EncodeToString(b), gsm.Binary, len(gsm.SplitBinary(b)), nil
	}
	return "", 0, 0, opencube.MustBe("sms_type", "0 or 1")
}

// businessDay returns the start of t's UTC+8 day.
func businessDay(t time.Time) time.Time {
	b := t.In(opencube.BusinessZone)
	return time.Date(b.Year(), b.Month(), b.Day(), 0, 0, 0, 0, opencube.BusinessZone).UTC()
}

// SendSMS implements opencube.SMSService: the message, the job that sends
// it and the job that expires it are written in one transaction before
// SendSMS returns.
func (s *SMS) SendSMS(ctx context.Context, r opencube.SendSMSRequest) (*opencube.SMS, error) {
	ms, err := s.SendBatch(ctx, []opencube.SendSMSRequest{r})
	if err != nil {
		return nil, err
	}
	return ms[0], nil
}

// SendBatch sends one message per request, all written in one
// transaction with the replay claim's entries (D28): a batch is sent
// whole or not at all, and the claim is answered with its first message.
// The first request that fails fails the batch.
func (s *SMS) SendBatch(ctx context.Context, rs []opencube.SendSMSRequest) ([]*opencube.SMS, error) {
	ent := opencube.EnterpriseFrom(ctx)
	now := s.now()
	ms := make([]*opencube.SMS, len(rs))
	for i, r := range rs {
		if r.ICCID == "" {
			return nil, opencube.Invalid("device_id", "device_id is required")
		}
		content, enc, segs, err := encode(r.Content, r.Type)
		if err != nil {
			return nil, err
		}
		if max := s.maxSegments(); segs > max {
			return nil, opencube.Errorf(opencube.KindSMSTooLong, "the message takes %d segments, more than %d", segs, max).
				Because(opencube.CauseSMSSegments, segs, max)
		}
		ms[i] = &opencube.SMS{
			ID: newID(), EnterpriseCode: ent, ICCID: r.ICCID, Direction: opencube.SMSMT, Type: r.Type,
			Content: content, Encoding: enc.String(), Segments: segs, State: opencube.SMSQueued, CreatedAt: now, UpdatedAt: now,
			JobID: r.JobID,
		}
	}
	err := s.Store.UpdateSMSClaiming(ctx, s.claim, func(tx opencube.SMSTx) error {
		for _, m := range ms {
			if err := s.queue(ctx, tx, m, now); err != nil {
				return err
			}
		}
		s.claim.AnswerSMS(ms[0])
		return nil
	})
	if err != nil {
		return nil, err
	}
	for range ms {
		s.observe(opencube.SMSMT, opencube.SMSQueued)
	}
	return ms, nil
}

// queue writes MT message m, its send job and its expiry job in tx, once
// its SIM may be sent it today.
func (s *SMS) queue(ctx context.Context, tx opencube.SMSTx, m *opencube.SMS, now time.Time) error {
	sim, err := tx.SIM(ctx, m.EnterpriseCode, m.ICCID)
	if err != nil {
		return err
	}
	if err := usable(sim); err != nil {
		return err
	}
	m.MSISDN = sim.MSISDN
	n, err := tx.CountSMS(ctx, sim.ICCID, businessDay(now))
	if err != nil {
		return err
	}
	if limit := s.dailyLimit(); n >= limit {
		return opencube.Errorf(opencube.KindSMSDailyLimit, "SIM %s was sent %d messages today, the most allowed", sim.ICCID, n).
			Because(opencube.CauseSMSDailyLimit, n)
	}
	if err := tx.InsertSMS(ctx, m); err != nil {
		return err
	}
	if err := tx.InsertJob(ctx, &opencube.Job{ID: opencube.NewUUID(), Kind: opencube.JobSendSMS, Key: m.ID, RunAt: now}); err != nil {
		return err
	}
	return tx.InsertJob(ctx, &opencube.Job{ID: opencube.NewUUID(), Kind: opencube.JobExpireSMS, Key: m.ID, RunAt: now.Add(s.validity())})
}

// observe tells Observe that a message reached state; an empty state
// (nothing moved) tells nothing.
func (s *SMS) observe(direction opencube.SMSDirection, state opencube.SMSState) {
	if s.Observe != nil && state != "" {
		s.Observe(direction, state)
	}
}

// FindSMS implements opencube.SMSService.
func (s *SMS) FindSMS(ctx context.Context, f opencube.SMSFilter) ([]*opencube.SMS, int, error) {
	f.Enterprise = opencube.EnterpriseFrom(ctx)
	return s.Store.FindSMS(ctx, f)
}

func (s *SMS) maxSegments() int {
	if s.MaxSegments > 0 {
		return s.MaxSegments
	}
	return DefaultMaxSegments
}

func (s *SMS) dailyLimit() int {
	if s.DailyLimit > 0 {
		return s.DailyLimit
	}
	return DefaultDailyLimit
}

func (s *SMS) validity() time.Duration {
	if s.Validity > 0 {
		return s.Validity
	}
	return DefaultSMSValidity
}

func (s *SMS) doubtWindow() time.Duration {
	if s.DoubtWindow > 0 {
		return s.DoubtWindow
	}
	return DefaultDoubtWindow
}

// Report records a delivery report of MT message id. Reports only move a
// message forward: a report for a message in a final state, or a repeated
// one, changes nothing. A final outcome notifies the customer (短信下行回调)
// in the same transaction.
func (s *SMS) Report(ctx context.Context, id string, o opencube.SMSOutcome, detail string) error {
	now := s.now()
	var moved opencube.SMSState
	err := s.Store.UpdateSMS(ctx, func(tx opencube.SMSTx) error {
		moved = ""
		m, err := tx.SMSByID(ctx, id)
		if err != nil {
			return err
		}
		if m.Direction != opencube.SMSMT || m.State.Final() {
			return nil
		}
		switch o {
		case opencube.SMSOutcomeSent:
			if m.State != opencube.SMSQueued {
				return nil
			}
			m.State, m.SentAt, m.SubmittingAt = opencube.SMSSent, &now, nil
		case opencube.SMSOutcomeDelivered:
			m.State, m.DeliveredAt, m.SubmittingAt = opencube.SMSDelivered, &now, nil
			if m.SentAt == nil {
				m.SentAt = &now
			}
		case opencube.SMSOutcomeFailed:
			m.State, m.FailedAt, m.SubmittingAt, m.Error = opencube.SMSFailed, &now, nil, detail
		default:
			return opencube.Invalid("outcome", "unknown outcome %q", o)
		}
		m.UpdatedAt = now
		if err := tx.SaveSMS(ctx, m); err != nil {
			return err
		}
		moved = m.State
		if m.State.Final() {
			return insertReport(ctx, tx, m, now)
		}
		return nil
	})
	if err == nil {
		s.observe(opencube.SMSMT, moved)
	}
	return err
}

// insertReport writes the 短信下行回调 event of a message in a final state.
func insertReport(ctx context.Context, tx opencube.SMSTx, m *opencube.SMS, now time.Time) error {
	status := "fail"
	if m.State == opencube.SMSDelivered {
		status = "success"
	}
	data, _ := json.Marshal(opencube.SMSReportData{SMSID: m.ID, Status: status, State: m.State})
	return tx.InsertEvent(ctx, &opencube.Event{
		ID: opencube.NewUUID(), Type: opencube.EventSMSReport, EnterpriseCode: m.EnterpriseCode, ICCID: m.ICCID,
		CreatedAt: now, Data: string(data),
	})
}

// ReceiveMO records a message from a device, found by its ICCID or
// MSISDN, and notifies its enterprise (短信上行回调) in the same
// transaction.
func (s *SMS) ReceiveMO(ctx context.Context, r opencube.MORequest) (*opencube.SMS, error) {
	if r.From == "" {
		return nil, opencube.Invalid("from", "the sender is required")
	}
	content, enc, segs, err := encode(r.Content, r.Type)
	if err != nil {
		return nil, err
	}
	now := s.now()
	var m *opencube.SMS
	err = s.Store.UpdateSMS(ctx, func(tx opencube.SMSTx) error {
		sim, err := tx.SIMByNumber(ctx, strings.TrimPrefix(r.From, "+"))
		if err != nil {
			return err
		}
		m = &opencube.SMS{
			ID: newID(), EnterpriseCode: sim.EnterpriseCode, ICCID: sim.ICCID, MSISDN: sim.MSISDN, Direction: opencube.SMSMO,
			Type: r.Type, Content: content, Encoding: enc.String(), Segments: segs, State: opencube.SMSDelivered,
			CreatedAt: now, DeliveredAt: &now, UpdatedAt: now,
		}
		if err := tx.InsertSMS(ctx, m); err != nil {
			return err
		}
		data, _ := json.Marshal(opencube.SMSMOData{SMSID: m.ID, MSISDN: sim.MSISDN, Content: content, DataCoding: int(r.Type)})
		return tx.InsertEvent(ctx, &opencube.Event{
			ID: opencube.NewUUID(), Type: opencube.EventSMSMO, EnterpriseCode: sim.EnterpriseCode, ICCID: sim.ICCID,
			CreatedAt: now, Data: string(data),
		})
	})
	if err != nil {
		return nil, err
	}
	s.observe(opencube.SMSMO, opencube.SMSDelivered)
	return m, nil
}

// ExpireJob is the opencube.JobExpireSMS handler: a message still queued
// or sent at the end of its validity expires, and the customer is told.
func (s *SMS) ExpireJob(ctx context.Context, j *opencube.Job) error {
	now := s.now()
	var moved opencube.SMSState
	err := s.Store.UpdateSMS(ctx, func(tx opencube.SMSTx) error {
		moved = ""
		m, err := tx.SMSByID(ctx, j.Key)
		if err != nil {
			return err
		}
		if m.State.Final() {
			return nil
		}
		m.State, m.ExpiredAt, m.SubmittingAt, m.UpdatedAt = opencube.SMSExpired, &now, nil, now
		if err := tx.SaveSMS(ctx, m); err != nil {
			return err
		}
		moved = m.State
		return insertReport(ctx, tx, m, now)
	})
	if err == nil {
		s.observe(opencube.SMSMT, moved)
	}
	if opencube.ErrorKind(err) == opencube.KindSMSNotFound {
		return nil
	}
	return err
}

// SandboxJob is the opencube.JobSandboxSMS handler: the sandbox device
// reports the message delivered, or failed when its payload says so.
func (s *SMS) SandboxJob(ctx context.Context, j *opencube.Job) error {
	o := opencube.SMSOutcomeDelivered
	if string(j.Payload) == string(opencube.SMSOutcomeFailed) {
		o = opencube.SMSOutcomeFailed
	}
	err := s.Report(ctx, j.Key, o, "sandbox device: delivery failed")
	if opencube.ErrorKind(err) == opencube.KindSMSNotFound {
		return nil
	}
	return err
}

// errorText bounds a gateway error for storage.
func errorText(err error) string {
	t := err.Error()
	if len(t) > 500 {
		t = t[:500]
	}
	return t
}

// fmtGateway prefixes a gateway error with the gateway's name.
func (s *SMS) fmtGateway(err error) error {
	return fmt.Errorf("%s: %w", s.Gateway.Name(), err)
}

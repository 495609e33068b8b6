package opencube

import (
	"context"
	"slices"
	"strings"
	"time"
)

// Disconnect asks a NAS to end a session whose order ran out of quota
// (RFC 5176 Disconnect-Request).
type Disconnect struct {
	NASAddr   string
	SessionID string
	UserName  string
	IMSI      string
	ICCID     string
}

// BookResult is the outcome of booking one accounting record.
type BookResult struct {
	// Unknown is set when no SIM has the record's IMSI; the record is
	// acknowledged and dropped.
	Unknown bool
	// Bytes is the usage the record added (its delta over the session's
	// last totals).
	Bytes int64
	// Disconnect is set when the record's session must end.
	Disconnect *Disconnect
}

// UsageService is the operator-side usage entry point: accounting, rating
// and authorization of the packet core.
type UsageService interface {
	// BookUsage rates records in one transaction; the i-th result is the
	// i-th record's. Nothing is booked when it fails.
	BookUsage(ctx context.Context, records []*UsageRecord) ([]BookResult, error)
	// Authorize decides whether the SIM with IMSI imsi may open a session.
	Authorize(ctx context.Context, imsi string) (*AuthDecision, error)
}

var _ UsageService = (*Service)(nil)

// DefaultSessionTimeout is how long an open session may go without a record
// before the session sweep closes it (a lost Stop).
const DefaultSessionTimeout = 2 * time.Hour

// BookUsage implements UsageService.
func (s *Service) BookUsage(ctx context.Context, records []*UsageRecord) ([]BookResult, error) {
	results := make([]BookResult, len(records))
	// Rate in IMSI order (stable: a session's records keep theirs), so that
	// concurrent batches lock SIMs in one order and cannot deadlock.
	order := make([]int, len(records))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return strings.Compare(records[a].IMSI, records[b].IMSI) })
	imsis := make([]string, 0, len(records))
	keys := make([]SessionKey, 0, len(records))
	for _, i := range order {
		r := records[i]
		if len(imsis) == 0 || imsis[len(imsis)-1] != r.IMSI {
			imsis = append(imsis, r.IMSI)
		}
		keys = append(keys, SessionKey{r.NAS, r.SessionID})
	}
	err := s.Store.UpdateUsage(ctx, func(tx UsageTx) error {
		// Read every subscriber and session of the batch at once; booking
		// then updates them in memory, so a later record of the batch sees
		// what an earlier one did.
		b := &batch{}
		var err error
		if b.subs, err = tx.Subscribers(ctx, imsis); err != nil {
			return err
		}
		if b.sessions, err = tx.Sessions(ctx, keys); err != nil {
			return err
		}
		var latest time.Time
		for _, i := range order {
			r := records[i]
			res, err := s.book(ctx, tx, b, r)
			if err != nil {
				return err
			}
			results[i] = res
			if r.Time.After(latest) {
				latest = r.Time
			}
		}
		if latest.IsZero() {
			return nil
		}
		return tx.AdvanceUsageAsOf(ctx, latest)
	})
	if err != nil {
		return nil, err
	}
	return results, nil
}

// batch is the state of the subscribers and sessions of one BookUsage
// call, read at its start.
type batch struct {
	subs     map[string]*Subscriber
	sessions map[SessionKey]*DataSession
}

// book rates one record inside tx.
func (s *Service) book(ctx context.Context, tx UsageTx, b *batch, r *UsageRecord) (BookResult, error) {
	var (
		res BookResult
		err error
	)
	sub := b.subs[r.IMSI]
	if sub == nil {
		res.Unknown = true
		return res, nil
	}
	key := SessionKey{r.NAS, r.SessionID}
	sess := b.sessions[key]
	if sess == nil {
		start := r.Time.Add(-r.SessionTime)
		sess = &DataSession{
			NAS: r.NAS, ID: r.SessionID, ICCID: sub.SIM.ICCID, IMSI: sub.SIM.IMSI,
			EnterpriseCode: sub.SIM.EnterpriseCode, StartedAt: start, LastAt: start,
		}
		b.sessions[key] = sess
	}
	if r.NASAddr != "" {
		sess.NASAddr = r.NASAddr
	}
	if r.UserName != "" {
		sess.UserName = r.UserName
	}
	if r.Network != "" {
		sess.Network = r.Network
	}
	// Totals are cumulative: only what goes beyond the last totals is new.
	in, out := max(sess.InputBytes, r.InputBytes), max(sess.OutputBytes, r.OutputBytes)
	delta := in + out - sess.InputBytes - sess.OutputBytes
	from := sess.LastAt
	newer := !r.Time.Before(sess.LastAt)
	sess.InputBytes, sess.OutputBytes = in, out
	if newer {
		sess.LastAt = r.Time
	}
	switch {
	case r.Type == AcctStop:
		sess.State = SessionStopped
	case sess.State == SessionTimedOut && newer:
		sess.State = SessionOpen // the NAS was only quiet
	}
	if err := tx.PutSession(ctx, sess); err != nil {
		return res, err
	}
	res.Bytes = delta
	pieces := SplitDays(from, r.Time, delta)
	for _, p := range pieces {
		if err := tx.AddDailyUsage(ctx, sub.SIM.EnterpriseCode, sub.SIM.ICCID, p.Day, p.Bytes); err != nil {
			return res, err
		}
	}
	o := sub.Order
	if o == nil {
		// D13: an OTA order with timing_type=1 starts on the first session.
		if o, err = s.startOnAttach(ctx, tx, sub.SIM.ICCID, sess.StartedAt); err != nil || o == nil {
			return res, err
		}
		sub.Order, sub.Meter = o, Meter{}
	}
	if o.Status != OrderInUse {
		return res, nil
	}
	if delta > 0 {
		usedBefore := o.UsedBytes
		m := sub.Meter
		test := o.TestBytes()
		for _, p := range pieces {
			if o.Daily() && p.Day > m.Day {
				o.UsedBytes, m.Day = 0, p.Day // the daily volume resets at UTC+8 midnight
				usedBefore = 0
			}
			b := p.Bytes
			if take := min(b, max(test-m.TestUsedBytes, 0)); take > 0 {
				m.TestUsedBytes += take
				b -= take
			}
			o.UsedBytes += b
		}
		if m.Day == 0 {
			m.Day = Day(r.Time)
		}
		if err := s.afterUsage(ctx, tx, o, usedBefore); err != nil {
			return res, err
		}
		if err := tx.PutUsedBytes(ctx, o.ID, o.UsedBytes); err != nil {
			return res, err
		}
		if m != sub.Meter { // most records leave it as it was
			if err := tx.PutMeter(ctx, o.ID, m); err != nil {
				return res, err
			}
			sub.Meter = m
		}
	}
	// A capped order that has run out ends the session, again on every
	// later record in case a Disconnect-Request was lost.
	if r.Type != AcctStop && o.PlanType != PlanUnlimitedDaily && sub.Remaining(r.Time) <= 0 && sess.NASAddr != "" {
		res.Disconnect = &Disconnect{NASAddr: sess.NASAddr, SessionID: sess.ID, UserName: sess.UserName, IMSI: sess.IMSI, ICCID: sess.ICCID}
	}
	return res, nil
}

// startOnAttach enables the SIM's oldest not-enabled order when it is an OTA
// order that starts on first attach, and returns it (nil otherwise).
func (s *Service) startOnAttach(ctx context.Context, tx UsageTx, iccid string, at time.Time) (*Order, error) {
	next, err := tx.NextOrder(ctx, iccid)
	if err != nil || next == nil || !next.OTA || next.TimingType != TimingFirstAttach {
		return nil, err
	}
	if at.Before(next.OrderedAt) {
		at = next.OrderedAt
	}
	ev, err := next.Apply(MoveEnable, at)
	if err != nil {
		return nil, err
	}
	if err := tx.UpdateOrder(ctx, next); err != nil {
		return nil, err
	}
	if err := scheduleExpiry(ctx, tx, next); err != nil {
		return nil, err
	}
	return next, tx.InsertEvent(ctx, NewEvent(ev, next))
}

// AuthDecision is the answer to a RADIUS Access-Request.
type AuthDecision struct {
	Accept bool
	// Reason says why a request was rejected (the Reply-Message).
	Reason string
	// ThrottleKbps is the speed of a throttled unlimited daily plan; 0 for
	// full speed.
	ThrottleKbps int
	ICCID        string
}

// Authorize implements UsageService.
func (s *Service) Authorize(ctx context.Context, imsi string) (*AuthDecision, error) {
	sub, err := s.Store.FindSubscriber(ctx, imsi)
	if ErrorKind(err) == KindDeviceNotFound {
		return &AuthDecision{Reason: "unknown SIM"}, nil
	}
	if err != nil {
		return nil, err
	}
	return sub.Authorize(s.Clock.Now()), nil
}

// Authorize decides at now whether the subscriber may open a data session.
func (sub *Subscriber) Authorize(now time.Time) *AuthDecision {
	d := &AuthDecision{ICCID: sub.SIM.ICCID}
	o := sub.Order
	switch {
	case sub.SIM.Status != SIMActive:
		d.Reason = "SIM is " + string(sub.SIM.Status)
	case o == nil && sub.FirstAttach:
		d.Accept = true // the session starts the waiting OTA order
	case o == nil:
		d.Reason = "no plan in use"
	case o.Status != OrderInUse:
		d.Reason = "plan is suspended"
	case o.ExpiresAt != nil && now.After(*o.ExpiresAt):
		d.Reason = "plan has expired"
	case sub.Remaining(now) > 0:
		d.Accept = true
	case o.PlanType == PlanUnlimitedDaily:
		d.Accept, d.ThrottleKbps = true, max(sub.ThrottleKbps, 1)
	default:
		d.Reason = "data quota used up"
	}
	return d
}

// JobSessionSweep is the job kind that closes sessions that went without a
// record for longer than the session timeout (a lost Stop). The job
// reschedules itself.
const JobSessionSweep = "usage.session_sweep"

// SessionSweepJob returns the session sweep job due at at.
func SessionSweepJob(at time.Time) *Job {
	return &Job{ID: NewUUID(), Kind: JobSessionSweep, Key: "sessions", RunAt: at}
}

// ScheduleSessionSweep makes sure the session sweep is scheduled, at at.
func (s *Service) ScheduleSessionSweep(ctx context.Context, at time.Time) error {
	return s.scheduleJob(ctx, SessionSweepJob(at))
}

// SweepSessions returns the JobSessionSweep handler: it closes open sessions
// older than timeout and schedules the next sweep after every.
func (s *Service) SweepSessions(timeout, every time.Duration) JobHandler {
	return s.periodic(every, SessionSweepJob, func(ctx context.Context, now time.Time) error {
		_, err := s.CloseStaleSessions(ctx, now.Add(-timeout))
		return err
	})
}

// CloseStaleSessions closes every open session whose last record is before
// before, and returns how many it closed. Their usage stays as last reported.
func (s *Service) CloseStaleSessions(ctx context.Context, before time.Time) (int, error) {
	n := 0
	for {
		var closed int
		err := s.Store.UpdateUsage(ctx, func(tx UsageTx) error {
			stale, err := tx.StaleSessions(ctx, before, 500)
			if err != nil {
				return err
			}
			closed = len(stale)
			for _, sess := range stale {
				sess.State = SessionTimedOut
				if err := tx.PutSession(ctx, sess); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return n, err
		}
		n += closed
		if closed < 500 {
			return n, nil
		}
	}
}

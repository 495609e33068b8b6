package service

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/opencube/opencube"
)

var _ opencube.UsageService = (*SIMs)(nil)

// DefaultSessionTimeout is how long an open session may go without a record
// before the session sweep closes it (a lost Stop).
const DefaultSessionTimeout = 2 * time.Hour

// BookUsage implements opencube.UsageService.
func (s *SIMs) BookUsage(ctx context.Context, records []*opencube.UsageRecord) ([]opencube.BookResult, error) {
	// Nothing is booked of a batch holding a record out of bounds (D26).
	for _, r := range records {
		if err := r.Validate(); err != nil {
			return nil, fmt.Errorf("usage record of IMSI %s, session %s: %w", r.IMSI, r.SessionID, err)
		}
	}
	results := make([]opencube.BookResult, len(records))
	// Rate in IMSI order (stable: a session's records keep theirs), so that
	// concurrent batches lock SIMs in one order and cannot deadlock.
	order := make([]int, len(records))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return strings.Compare(records[a].IMSI, records[b].IMSI) })
	imsis := make([]string, 0, len(records))
	keys := make([]opencube.SessionKey, 0, len(records))
	for _, i := range order {
		r := records[i]
		if len(imsis) == 0 || imsis[len(imsis)-1] != r.IMSI {
			imsis = append(imsis, r.IMSI)
		}
		keys = append(keys, opencube.SessionKey{NAS: r.NAS, ID: r.SessionID})
	}
	err := s.Store.UpdateUsage(ctx, func(tx opencube.UsageTx) error {
		// Read every subscriber and session of the batch at once; booking
		// then updates them in memory, so a later record of the batch sees
		// what an earlier one did.
		b := &batch{}
		var err error
		if r, ok := tx.(batchReader); ok {
			if b.subs, b.sessions, err = r.SubscribersAndSessions(ctx, imsis, keys); err != nil {
				return err
			}
		} else {
			if b.subs, err = tx.Subscribers(ctx, imsis); err != nil {
				return err
			}
			if b.sessions, err = tx.Sessions(ctx, keys); err != nil {
				return err
			}
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

// batchReader is a UsageTx that reads Subscribers and Sessions together,
// in one round trip to its database.
type batchReader interface {
	SubscribersAndSessions(ctx context.Context, imsis []string, keys []opencube.SessionKey) (
		map[string]*opencube.Subscriber, map[opencube.SessionKey]*opencube.DataSession, error)
}

// batch is the state of the subscribers and sessions of one BookUsage
// call, read at its start.
type batch struct {
	subs     map[string]*opencube.Subscriber
	sessions map[opencube.SessionKey]*opencube.DataSession
}

// book rates one record inside tx.
func (s *SIMs) book(ctx context.Context, tx opencube.UsageTx, b *batch, r *opencube.UsageRecord) (opencube.BookResult, error) {
	var (
		res opencube.BookResult
		err error
	)
	sub := b.subs[r.IMSI]
	if sub == nil {
		res.Unknown = true
		return res, nil
	}
	key := opencube.SessionKey{NAS: r.NAS, ID: r.SessionID}
	sess := b.sessions[key]
	// seen says the session was known with its last record's time and
	// state, for telling a repeat from news.
	seen := sess != nil
	var lastAt time.Time
	var lastState opencube.SessionState
	if seen {
		lastAt, lastState = sess.LastAt, sess.State
	}
	if sess == nil {
		start := r.Time.Add(-r.SessionTime)
		sess = &opencube.DataSession{
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
	for _, f := range []struct {
		to   *string
		from string
	}{{&sess.IMEI, r.IMEI}, {&sess.RAT, r.RAT}, {&sess.IP, r.IP}, {&sess.Location, r.Location}} {
		if f.from != "" {
			*f.to = f.from
		}
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
	case r.Type == opencube.AcctStop:
		sess.State = opencube.SessionStopped
	case sess.State == opencube.SessionTimedOut && newer:
		sess.State = opencube.SessionOpen // the NAS was only quiet
	}
	if err := tx.PutSession(ctx, sess); err != nil {
		return res, err
	}
	res.Bytes = delta
	res.Duplicate = seen && delta == 0 && !r.Time.After(lastAt) &&
		(r.Type != opencube.AcctStop || lastState == opencube.SessionStopped)
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
		sub.Order, sub.Meter = o, opencube.Meter{}
	}
	if o.Status != opencube.OrderInUse {
		return res, nil
	}
	// addOnLeft is the volume the order's add-ons have left, once known.
	addOnLeft := int64(-1)
	if delta > 0 {
		usedBefore := o.UsedBytes
		m := sub.Meter
		test := testBytes(o)
		var over int64 // what went beyond the order's volume
		for _, p := range pieces {
			if daily(o) && p.Day > m.Day {
				o.UsedBytes, m.Day = 0, p.Day // the daily volume resets at UTC+8 midnight
				usedBefore = 0
			}
			b := p.Bytes
			if take := min(b, max(test-m.TestUsedBytes, 0)); take > 0 {
				m.TestUsedBytes += take
				b -= take
			}
			before := o.UsedBytes
			o.UsedBytes += b
			over += max(o.UsedBytes-o.VolumeBytes, 0) - max(before-o.VolumeBytes, 0)
		}
		if over > 0 {
			// Beyond the order's volume, the live add-ons pay, oldest first.
			if addOnLeft, err = spendAddOns(ctx, tx, o, over, r.Time); err != nil {
				return res, err
			}
		}
		if m.Day == 0 {
			m.Day = opencube.Day(r.Time)
		}
		if err := raiseVolumeAlerts(ctx, tx, o, usedBefore, s.Clock.Now()); err != nil {
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
	if r.Type != opencube.AcctStop && o.PlanType != opencube.PlanUnlimitedDaily && Remaining(sub, r.Time) <= 0 && sess.NASAddr != "" {
		if addOnLeft < 0 {
			if addOnLeft, err = spendAddOns(ctx, tx, o, 0, r.Time); err != nil {
				return res, err
			}
		}
		if addOnLeft > 0 {
			return res, nil // an add-on carries the session on
		}
		res.Disconnect = &opencube.Disconnect{NASAddr: sess.NASAddr, SessionID: sess.ID, UserName: sess.UserName, IMSI: sess.IMSI, ICCID: sess.ICCID}
	}
	return res, nil
}

// startOnAttach enables the SIM's oldest not-enabled order when it is an OTA
// order that starts on first attach, and returns it (nil otherwise).
func (s *SIMs) startOnAttach(ctx context.Context, tx opencube.UsageTx, iccid string, at time.Time) (*opencube.Order, error) {
	next, err := tx.NextOrder(ctx, iccid)
	if err != nil || next == nil || !next.OTA || next.TimingType != opencube.TimingFirstAttach {
		return nil, err
	}
	if at.Before(next.OrderedAt) {
		at = next.OrderedAt
	}
	ev, err := next.Apply(opencube.MoveEnable, at)
	if err != nil {
		return nil, err
	}
	if err := tx.UpdateOrder(ctx, next); err != nil {
		return nil, err
	}
	if err := scheduleExpiry(ctx, tx, next); err != nil {
		return nil, err
	}
	return next, tx.InsertEvent(ctx, opencube.NewEvent(ev, next))
}

// Authorize implements opencube.UsageService.
func (s *SIMs) Authorize(ctx context.Context, imsi string) (*opencube.AuthDecision, error) {
	sub, err := s.Store.FindSubscriber(ctx, imsi)
	if opencube.ErrorKind(err) == opencube.KindDeviceNotFound {
		return &opencube.AuthDecision{Reason: opencube.RejectUnknownSIM}, nil
	}
	if err != nil {
		return nil, err
	}
	now := s.Clock.Now()
	d := authorize(sub, now)
	if d.Reason == opencube.RejectQuota || d.ThrottleKbps > 0 {
		// The order's volume is spent: its live add-ons may carry on.
		left, err := addOnsLeft(ctx, s.Store, []*opencube.Order{sub.Order}, now)
		if err != nil {
			return nil, err
		}
		if left[sub.Order.ID].Left > 0 {
			d.Accept, d.Reason, d.ThrottleKbps = true, "", 0
		}
	}
	return d, nil
}

// ScheduleSessionSweep makes sure the session sweep is scheduled, at at.
func (s *SIMs) ScheduleSessionSweep(ctx context.Context, at time.Time) error {
	return scheduleJob(ctx, s.Store, SessionSweepJob(at))
}

// SweepSessions returns the JobSessionSweep handler: it closes open sessions
// older than timeout and schedules the next sweep after every.
func (s *SIMs) SweepSessions(timeout, every time.Duration) JobHandler {
	return periodic(s.Clock, s.Store, every, SessionSweepJob, func(ctx context.Context, now time.Time) error {
		_, err := s.CloseStaleSessions(ctx, now.Add(-timeout))
		return err
	})
}

// CloseStaleSessions closes every open session whose last record is before
// before, and returns how many it closed. Their usage stays as last reported.
func (s *SIMs) CloseStaleSessions(ctx context.Context, before time.Time) (int, error) {
	n := 0
	for {
		var closed int
		err := s.Store.UpdateUsage(ctx, func(tx opencube.UsageTx) error {
			stale, err := tx.StaleSessions(ctx, before, 500)
			if err != nil {
				return err
			}
			closed = len(stale)
			for _, sess := range stale {
				sess.State = opencube.SessionTimedOut
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

// DayStart returns the first instant of the UTC+8 day yyyymmdd.
func DayStart(day int) time.Time {
	return time.Date(day/10000, time.Month(day/100%100), day%100, 0, 0, 0, 0, opencube.BusinessZone)
}

// DayBytes is part of a usage delta booked to one UTC+8 day.
type DayBytes struct {
	Day   int
	Bytes int64
}

// SplitDays divides bytes used between from and to over the UTC+8 days of
// that span, in proportion to the time spent in each (D20); the last day
// takes the rounding remainder. When to is not after from, everything goes
// to the day of to.
func SplitDays(from, to time.Time, bytes int64) []DayBytes {
	if bytes == 0 {
		return nil
	}
	if !to.After(from) || opencube.Day(from) == opencube.Day(to) {
		return []DayBytes{{Day: opencube.Day(to), Bytes: bytes}}
	}
	total := to.Sub(from)
	var out []DayBytes
	left := bytes
	for cur := from; ; {
		d := opencube.Day(cur)
		next := DayStart(d).AddDate(0, 0, 1)
		if !next.Before(to) {
			out = append(out, DayBytes{Day: d, Bytes: left})
			return out
		}
		// bytes*span/total without overflowing int64 for large volumes.
		share := int64(float64(bytes) * float64(next.Sub(cur)) / float64(total))
		share = min(share, left)
		out = append(out, DayBytes{Day: d, Bytes: share})
		left -= share
		cur = next
	}
}

// SessionSweepJob returns the session sweep job due at at.
func SessionSweepJob(at time.Time) *opencube.Job {
	return &opencube.Job{ID: opencube.NewUUID(), Kind: opencube.JobSessionSweep, Key: "sessions", RunAt: at}
}

// testBytes is the test volume of an order in bytes: test_flow (MB) when
// test_flow_flag is 1, else 0.
func testBytes(o *opencube.Order) int64 {
	if o.TestFlowFlag != "1" || o.TestFlow == "" {
		return 0
	}
	f, err := strconv.ParseFloat(o.TestFlow, 64)
	if err != nil || f <= 0 {
		return 0
	}
	return int64(f * opencube.MB)
}

// daily reports whether o's volume is a daily one that resets at UTC+8
// midnight (plan types 0 and 1).
func daily(o *opencube.Order) bool {
	return o.PlanType == opencube.PlanUnlimitedDaily || o.PlanType == opencube.PlanDaily
}

// Usage is what a subscriber's order has used, as the usage endpoints show it at now:
// the daily volume of a daily plan counts from UTC+8 midnight.
func Usage(sub *opencube.Subscriber, now time.Time) (used, testUsed int64) {
	if sub.Order == nil {
		return 0, 0
	}
	if daily(sub.Order) && sub.Meter.Day != opencube.Day(now) {
		return 0, sub.Meter.TestUsedBytes
	}
	return sub.Order.UsedBytes, sub.Meter.TestUsedBytes
}

// Remaining returns the high-speed volume a subscriber's order has left at
// now: test volume left plus plan volume left.
func Remaining(sub *opencube.Subscriber, now time.Time) int64 {
	if sub.Order == nil {
		return 0
	}
	used, testUsed := Usage(sub, now)
	return max(testBytes(sub.Order)-testUsed, 0) + max(sub.Order.VolumeBytes-used, 0)
}

// authorize decides at now whether the subscriber may open a data session.
func authorize(sub *opencube.Subscriber, now time.Time) *opencube.AuthDecision {
	d := &opencube.AuthDecision{ICCID: sub.SIM.ICCID}
	o := sub.Order
	switch {
	case sub.SIM.Status != opencube.SIMActive:
		d.Reason = opencube.RejectSIMState + string(sub.SIM.Status)
	case o == nil && sub.FirstAttach:
		d.Accept = true // the session starts the waiting OTA order
	case o == nil:
		d.Reason = opencube.RejectNoPlan
	case o.Status != opencube.OrderInUse:
		d.Reason = opencube.RejectPlanSuspended
	case o.ExpiresAt != nil && now.After(*o.ExpiresAt):
		d.Reason = opencube.RejectPlanExpired
	case Remaining(sub, now) > 0:
		d.Accept = true
	case o.PlanType == opencube.PlanUnlimitedDaily:
		d.Accept, d.ThrottleKbps = true, max(sub.ThrottleKbps, 1)
	default:
		d.Reason = opencube.RejectQuota
	}
	return d
}

package service

import (
	"context"
	"time"

	"github.com/opencube/opencube"
	"github.com/opencube/opencube/operator"
	"github.com/opencube/opencube/shop"
)

// Lists is the operator API's reads: every list, with its filters checked,
// and the detail of each object. It needs only the store's lists, so that
// it serves whatever else the store holds.
type Lists struct {
	Store ListStore
	Clock opencube.Clock
}

// ListStore is what Lists reads.
type ListStore interface {
	opencube.Store
	operator.ListStore
	// Provisioning gives a SIM's page its standing in the register
	// (operator.ProvisionStore).
	Provisioning(ctx context.Context, iccid string) (*operator.Provisioning, error)
	// FindESIMOrder, FindGroups and FindGroupSIMs give the shops' detail
	// pages their objects (shop.ShopStore).
	FindESIMOrder(ctx context.Context, id string) (*shop.ESIMOrder, *shop.Profile, error)
	FindMallOrders(ctx context.Context, f shop.MallOrderFilter) ([]*shop.MallOrder, error)
	FindGroups(ctx context.Context, accessCode string) ([]*shop.BundleGroup, error)
	FindGroupSIMs(ctx context.Context, accessCode, groupID string) ([]shop.GroupSIM, error)
}

// checkPage checks a page's limit (0: the default) and bounds its cursor.
func checkPage(p *operator.Page) error {
	if p.Limit == 0 {
		p.Limit = operator.DefaultLimit
	}
	if p.Limit < 1 || p.Limit > operator.MaxLimit {
		return opencube.OutOfRange("limit", 1, operator.MaxLimit)
	}
	if len(p.Cursor) > 1024 {
		return opencube.Invalid("cursor", "cursor is not one this list gave")
	}
	return nil
}

// checkText bounds a free-text filter.
func checkText(field, s string, maxLen int) error {
	if len(s) > maxLen {
		return opencube.Invalid(field, "%s is longer than %d bytes", field, maxLen)
	}
	return nil
}

// checkTimes checks a from/to range.
func checkTimes(from, to time.Time) error {
	if err := opencube.CheckTime("from", from); !from.IsZero() && err != nil {
		return err
	}
	if err := opencube.CheckTime("to", to); !to.IsZero() && err != nil {
		return err
	}
	if !from.IsZero() && !to.IsZero() && to.Before(from) {
		return opencube.Invalid("to", "to is before from")
	}
	return nil
}

// ListEnterprises returns the enterprises q selects.
func (l *Lists) ListEnterprises(ctx context.Context, q operator.EnterpriseQuery) (*operator.List[*opencube.Enterprise], error) {
	if err := checkPage(&q.Page); err != nil {
		return nil, err
	}
	if err := checkText("q", q.Q, 100); err != nil {
		return nil, err
	}
	switch q.Status {
	case "", opencube.EnterpriseActive, opencube.EnterpriseDisabled:
	default:
		return nil, opencube.MustBe("status", "active or disabled")
	}
	return l.Store.ListEnterprises(ctx, q)
}

// Enterprise returns what the operator sees of an enterprise: never a
// secret.
func (l *Lists) Enterprise(ctx context.Context, code string) (*operator.EnterpriseDetail, error) {
	// The list reads the enterprise with its status and the ages of its
	// secrets.
	found, err := l.Store.ListEnterprises(ctx, operator.EnterpriseQuery{AccessCode: code, Page: operator.Page{Limit: 1}})
	if err != nil {
		return nil, err
	}
	if len(found.Items) == 0 {
		return nil, opencube.Errorf(opencube.KindUnauthenticated, "enterprise %s not found", code)
	}
	e := found.Items[0]
	d := &operator.EnterpriseDetail{Enterprise: e, Secrets: operator.Secrets(e, l.Clock.Now())}
	e.Secrets = nil
	switch w, err := l.Store.FindWebhook(ctx, code); {
	case err == nil:
		w.Secret, w.OldSecret = "", ""
		d.Webhook = w
	case opencube.ErrorKind(err) != opencube.KindNotFound:
		return nil, err
	}
	if d.Alerts, err = l.Store.FindAlertSettings(ctx, code); err != nil {
		return nil, err
	}
	c, err := l.Store.EnterpriseCounts(ctx, code)
	if err != nil {
		return nil, err
	}
	d.Counts = *c
	return d, nil
}

// ListSIMs returns the SIMs q selects.
func (l *Lists) ListSIMs(ctx context.Context, q operator.SIMQuery) (*operator.List[*opencube.SIM], error) {
	if err := checkPage(&q.Page); err != nil {
		return nil, err
	}
	switch q.Status {
	case "", opencube.SIMInventory, opencube.SIMActive, opencube.SIMSuspended, opencube.SIMTerminated:
	default:
		return nil, opencube.MustBe("status", "inventory, active, suspended or terminated")
	}
	if q.Q != "" && !opencube.Digits(q.Q, 1, 22) {
		return nil, opencube.Invalid("q", "q must be 1-22 digits: the start of an ICCID, IMSI or MSISDN")
	}
	return l.Store.ListSIMs(ctx, q)
}

// SIM returns what the operator sees of a SIM: its order in use, its
// latest orders, open sessions, usage of the last UsageDays UTC+8 days and
// last message: its current enterprise's, never what it had with the one
// it was moved from.
func (l *Lists) SIM(ctx context.Context, iccid string) (*operator.SIMDetail, error) {
	sim, err := l.Store.FindSIM(ctx, iccid)
	if err != nil {
		return nil, err
	}
	ent := sim.EnterpriseCode
	d := &operator.SIMDetail{SIM: sim, RecentOrders: []*opencube.Order{}, Sessions: []*opencube.DataSession{}, Usage: []operator.UsagePoint{}}
	orders, err := l.Store.ListOrders(ctx, operator.OrderQuery{Enterprise: ent, ICCID: iccid, Page: operator.Page{Limit: operator.RecentOrders}})
	if err != nil {
		return nil, err
	}
	d.RecentOrders = orders.Items
	for _, st := range []opencube.OrderStatus{opencube.OrderInUse, opencube.OrderSuspended} {
		if d.Order != nil {
			break
		}
		in, err := l.Store.ListOrders(ctx, operator.OrderQuery{Enterprise: ent, ICCID: iccid, Status: st, Page: operator.Page{Limit: 1}})
		if err != nil {
			return nil, err
		}
		if len(in.Items) > 0 {
			d.Order = in.Items[0]
		}
	}
	sessions, err := l.Store.ListSessions(ctx, operator.SessionQuery{Enterprise: ent, ICCID: iccid, Page: operator.Page{Limit: operator.MaxLimit}})
	if err != nil {
		return nil, err
	}
	d.Sessions = sessions.Items
	today := l.Clock.Now().In(opencube.BusinessZone)
	first := today.AddDate(0, 0, 1-operator.UsageDays)
	usage, err := l.Store.Usage(ctx, operator.UsageQuery{Enterprise: ent, ICCID: iccid, Granularity: operator.ByDay, From: dayOf(first), To: dayOf(today)})
	if err != nil {
		return nil, err
	}
	if usage != nil {
		d.Usage = usage
	}
	sms, err := l.Store.ListSMS(ctx, operator.SMSQuery{Enterprise: ent, ICCID: iccid, Page: operator.Page{Limit: 1}})
	if err != nil {
		return nil, err
	}
	if len(sms.Items) > 0 {
		d.LastSMS = sms.Items[0]
	}
	if d.Provisioning, err = l.Store.Provisioning(ctx, iccid); err != nil {
		return nil, err
	}
	return d, nil
}

// dayOf is the yyyymmdd of t's date.
func dayOf(t time.Time) int { return t.Year()*10000 + int(t.Month())*100 + t.Day() }

// ListOrders returns the orders q selects.
func (l *Lists) ListOrders(ctx context.Context, q operator.OrderQuery) (*operator.List[*opencube.Order], error) {
	if err := checkPage(&q.Page); err != nil {
		return nil, err
	}
	if q.Status != 0 && (q.Status < opencube.OrderNotEnabled || q.Status > opencube.OrderCancelled) {
		return nil, opencube.OutOfRange("status", int64(opencube.OrderNotEnabled), int64(opencube.OrderCancelled))
	}
	if err := checkTimes(q.From, q.To); err != nil {
		return nil, err
	}
	return l.Store.ListOrders(ctx, q)
}

// Order returns an order and its events, oldest first.
func (l *Lists) Order(ctx context.Context, id string) (*operator.OrderDetail, error) {
	o, events, err := l.Store.FindOrder(ctx, id)
	if err != nil {
		return nil, err
	}
	if events == nil {
		events = []*opencube.Event{}
	}
	return &operator.OrderDetail{Order: o, Events: events}, nil
}

// ListPlans returns the catalog plans q selects.
func (l *Lists) ListPlans(ctx context.Context, q operator.PlanQuery) (*operator.List[*opencube.Plan], error) {
	if err := checkPage(&q.Page); err != nil {
		return nil, err
	}
	switch q.Status {
	case "", opencube.PlanActive, opencube.PlanRetired:
	default:
		return nil, opencube.MustBe("status", "active or retired")
	}
	return l.Store.ListPlans(ctx, q)
}

// Plan returns a catalog plan and the enterprises it is granted to. For
// an enterprise (forEnterprise not empty) it returns the plan only when it
// is granted to it (KindPlanNotOrderable otherwise, as an unknown plan),
// and never the other enterprises.
func (l *Lists) Plan(ctx context.Context, code, forEnterprise string) (*operator.PlanDetail, error) {
	p, grants, err := l.Store.FindPlan(ctx, code)
	if err != nil {
		return nil, err
	}
	if forEnterprise == "" {
		if grants == nil {
			grants = []string{}
		}
		return &operator.PlanDetail{Plan: p, Enterprises: grants}, nil
	}
	for _, g := range grants {
		if g == forEnterprise {
			return &operator.PlanDetail{Plan: p}, nil
		}
	}
	return nil, opencube.Errorf(opencube.KindPlanNotOrderable, "plan %s not found", code)
}

// Usage returns the usage of a SIM or of an enterprise's SIMs, one point a
// day or month with data, oldest first, and the range it covers. A range
// of days is at most MaxUsageDays long; an absent one is the last
// UsageDays days up to to (default: today).
func (l *Lists) Usage(ctx context.Context, q operator.UsageQuery) (*operator.UsageSeries, error) {
	if q.ICCID == "" && q.Enterprise == "" {
		return nil, opencube.Invalid("iccid", "iccid or enterprise is required")
	}
	switch q.Granularity {
	case "":
		q.Granularity = operator.ByDay
	case operator.ByDay, operator.ByMonth:
	default:
		return nil, opencube.MustBe("granularity", "day or month")
	}
	today := dayOf(l.Clock.Now().In(opencube.BusinessZone))
	if q.To == 0 {
		q.To = today
	}
	to, ok := parseDay(q.To)
	if !ok {
		return nil, opencube.Invalid("to", "to must be a date, yyyymmdd")
	}
	if q.From == 0 {
		q.From = dayOf(to.AddDate(0, 0, 1-operator.UsageDays))
	}
	from, ok := parseDay(q.From)
	if !ok {
		return nil, opencube.Invalid("from", "from must be a date, yyyymmdd")
	}
	if from.After(to) {
		return nil, opencube.Invalid("to", "to is before from")
	}
	if to.Sub(from) > MaxUsageDays*24*time.Hour {
		return nil, opencube.Invalid("from", "the range is longer than %d days", MaxUsageDays)
	}
	points, err := l.Store.Usage(ctx, q)
	if err != nil {
		return nil, err
	}
	if points == nil {
		points = []operator.UsagePoint{}
	}
	return &operator.UsageSeries{Granularity: q.Granularity, From: q.From, To: q.To, Points: points}, nil
}

// MaxUsageDays bounds the range of a usage query: about ten years.
const MaxUsageDays = 3700

// parseDay reads a yyyymmdd date.
func parseDay(day int) (time.Time, bool) {
	if day < 10000101 || day > 99991231 {
		return time.Time{}, false
	}
	t := time.Date(day/10000, time.Month(day/100%100), day%100, 0, 0, 0, 0, time.UTC)
	return t, dayOf(t) == day
}

// ListSessions returns the open data sessions q selects.
func (l *Lists) ListSessions(ctx context.Context, q operator.SessionQuery) (*operator.List[*opencube.DataSession], error) {
	if err := checkPage(&q.Page); err != nil {
		return nil, err
	}
	return l.Store.ListSessions(ctx, q)
}

// ListSMS returns the messages q selects.
func (l *Lists) ListSMS(ctx context.Context, q operator.SMSQuery) (*operator.List[*opencube.SMS], error) {
	if err := checkPage(&q.Page); err != nil {
		return nil, err
	}
	switch q.Direction {
	case "", opencube.SMSMT, opencube.SMSMO:
	default:
		return nil, opencube.MustBe("direction", "mt or mo")
	}
	switch q.State {
	case "", opencube.SMSQueued, opencube.SMSSent, opencube.SMSDelivered, opencube.SMSFailed, opencube.SMSExpired:
	default:
		return nil, opencube.MustBe("state", "queued, sent, delivered, failed or expired")
	}
	if err := checkTimes(q.From, q.To); err != nil {
		return nil, err
	}
	return l.Store.ListSMS(ctx, q)
}

// ListJobs returns the background jobs q selects, their states as of now.
func (l *Lists) ListJobs(ctx context.Context, q operator.JobQuery) (*operator.List[*operator.JobView], error) {
	if err := checkPage(&q.Page); err != nil {
		return nil, err
	}
	if q.State != "" && !q.State.Valid() {
		return nil, opencube.MustBe("state", "due, running, failed or waiting")
	}
	return l.Store.ListJobs(ctx, q, l.Clock.Now())
}

// ListMallOrders returns the Mall orders q selects.
func (l *Lists) ListMallOrders(ctx context.Context, q operator.MallOrderQuery) (*operator.List[*shop.MallOrder], error) {
	if err := checkPage(&q.Page); err != nil {
		return nil, err
	}
	switch q.Status {
	case "", operator.MallPaid, operator.MallPending, operator.MallFailed:
	default:
		return nil, opencube.MustBe("status", "paid, pending or failed")
	}
	if err := checkTimes(q.From, q.To); err != nil {
		return nil, err
	}
	return l.Store.ListMallOrders(ctx, q)
}

// MallOrder returns an enterprise's Mall order and the SIM order it
// became; KindOrderNotFound when the enterprise has none of that number.
func (l *Lists) MallOrder(ctx context.Context, accessCode, orderNo string) (*operator.MallOrderDetail, error) {
	ms, err := l.Store.FindMallOrders(ctx, shop.MallOrderFilter{Enterprise: accessCode, OrderNo: orderNo})
	if err != nil {
		return nil, err
	}
	if len(ms) == 0 || orderNo == "" {
		return nil, opencube.Errorf(opencube.KindOrderNotFound, "enterprise %s has no Mall order %s", accessCode, orderNo)
	}
	d := &operator.MallOrderDetail{MallOrder: ms[0]}
	if ms[0].OrderID != "" {
		o, _, err := l.Store.FindOrder(ctx, ms[0].OrderID)
		if err != nil && opencube.ErrorKind(err) != opencube.KindOrderNotFound {
			return nil, err
		}
		d.Order = o
	}
	return d, nil
}

// ListESIMOrders returns the eSIM QR Mall orders q selects.
func (l *Lists) ListESIMOrders(ctx context.Context, q operator.ESIMOrderQuery) (*operator.List[*shop.ESIMOrder], error) {
	if err := checkPage(&q.Page); err != nil {
		return nil, err
	}
	if q.Status != nil && (*q.Status < shop.ESIMWaiting || *q.Status > shop.ESIMCancelled) {
		return nil, opencube.MustBe("status", "waiting, paid, failed or cancelled")
	}
	if err := checkTimes(q.From, q.To); err != nil {
		return nil, err
	}
	return l.Store.ListESIMOrders(ctx, q)
}

// ESIMOrder returns what the operator sees of an eSIM order: the order,
// its profile and whether the profile is a SIM; KindOrderNotFound when
// unknown.
func (l *Lists) ESIMOrder(ctx context.Context, id string) (*operator.ESIMOrderDetail, error) {
	o, p, err := l.Store.FindESIMOrder(ctx, id)
	if err != nil {
		return nil, err
	}
	d := &operator.ESIMOrderDetail{Order: o, Profile: p}
	if o.ICCID != "" {
		switch sim, err := l.Store.FindSIM(ctx, o.ICCID); {
		case err == nil:
			d.IsSIM = sim.EnterpriseCode == o.EnterpriseCode
		case opencube.ErrorKind(err) != opencube.KindDeviceNotFound:
			return nil, err
		}
	}
	return d, nil
}

// ListPayments returns the shop payments q selects.
func (l *Lists) ListPayments(ctx context.Context, q operator.PaymentQuery) (*operator.List[*operator.Payment], error) {
	if err := checkPage(&q.Page); err != nil {
		return nil, err
	}
	switch q.Shop {
	case "", operator.ShopMall, operator.ShopESIM:
	default:
		return nil, opencube.MustBe("shop", "mall or esim")
	}
	switch q.Status {
	case "", operator.PaymentSucceeded, operator.PaymentFailed, operator.PaymentPending:
	default:
		return nil, opencube.MustBe("status", "succeeded, failed or pending")
	}
	if err := checkTimes(q.From, q.To); err != nil {
		return nil, err
	}
	return l.Store.ListPayments(ctx, q)
}

// ListGroups returns the Mall bundle groups q selects.
func (l *Lists) ListGroups(ctx context.Context, q operator.GroupQuery) (*operator.List[*shop.BundleGroup], error) {
	if err := checkPage(&q.Page); err != nil {
		return nil, err
	}
	return l.Store.ListGroups(ctx, q)
}

// Group returns an enterprise's bundle group with its SIMs;
// KindNotFound when it has none of that id.
func (l *Lists) Group(ctx context.Context, accessCode, id string) (*operator.GroupDetail, error) {
	gs, err := l.Store.FindGroups(ctx, accessCode)
	if err != nil {
		return nil, err
	}
	for _, g := range gs {
		if g.ID == id {
			sims, err := l.Store.FindGroupSIMs(ctx, accessCode, id)
			if sims == nil {
				sims = []shop.GroupSIM{}
			}
			return &operator.GroupDetail{Group: g, SIMs: sims}, err
		}
	}
	return nil, opencube.Errorf(opencube.KindNotFound, "enterprise %s has no bundle group %s", accessCode, id)
}

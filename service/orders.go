package service

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/opencube/opencube"
	"github.com/opencube/opencube/addon"
	"github.com/opencube/opencube/billing"
	"github.com/opencube/opencube/operator"
)

var _ opencube.ReplayingPlanService = (*Orders)(nil)

// Replaying implements opencube.ReplayingPlanService: a copy of s whose
// transactions record claim.
func (s *Orders) Replaying(claim *opencube.ReplayClaim) opencube.PlanService {
	c := *s
	c.claim = claim
	return &c
}

// enterprise returns the access code of the enterprise ctx acts for.
func enterprise(ctx context.Context) (string, error) {
	code := opencube.EnterpriseFrom(ctx)
	if code == "" {
		return "", opencube.Errorf(opencube.KindUnauthenticated, "no enterprise in context")
	}
	return code, nil
}

// usable returns nil when sim may order plans and send messages, else the
// KindSIMState error saying what it is (suspended or terminated).
func usable(sim *opencube.SIM) error {
	switch sim.Status {
	case opencube.SIMSuspended:
		return opencube.Errorf(opencube.KindSIMState, "SIM %s is %s", sim.ICCID, sim.Status).Because(opencube.CauseSIMSuspended)
	case opencube.SIMTerminated:
		return opencube.Errorf(opencube.KindSIMState, "SIM %s is %s", sim.ICCID, sim.Status).Because(opencube.CauseSIMTerminated)
	}
	return nil
}

// FindPlans implements opencube.PlanService.
func (s *Orders) FindPlans(ctx context.Context, f opencube.PlanFilter) ([]*opencube.Plan, int, error) {
	code, err := enterprise(ctx)
	if err != nil {
		return nil, 0, err
	}
	f.Enterprise = code
	return s.Store.FindPlans(ctx, f)
}

// matchPlan reports whether r names plan p by its own name and type
// (KindPlanNotOrderable when not).
func matchPlan(r *opencube.OrderRequest, p *opencube.Plan) error {
	if p.Name != r.PlanName {
		return opencube.Errorf(opencube.KindPlanNotOrderable, "package_name does not match plan %s", p.Code).Because(opencube.CausePlanName, p.Code)
	}
	if p.Type != r.PlanType {
		return opencube.Errorf(opencube.KindPlanNotOrderable, "package_type does not match plan %s", p.Code).Because(opencube.CausePlanType, p.Code, int(p.Type))
	}
	return nil
}

// orderableBy reports whether plan p may be ordered for sim: an OTA plan
// needs an OTA SIM.
func orderableBy(p *opencube.Plan, sim *opencube.SIM) bool { return !p.OTA || sim.OTA }

// simPlanReader is an OrderTx that reads a SIM and a plan at once (the
// PostgreSQL store: one round trip).
type simPlanReader interface {
	SIMAndPlan(ctx context.Context, accessCode, iccid, planCode string) (*opencube.SIM, *opencube.Plan, error)
}

// simAndPlan reads the SIM and the plan of an order: the SIM's error
// first, as tx.SIM then tx.Plan would.
func simAndPlan(ctx context.Context, tx opencube.OrderTx, code, iccid, planCode string) (*opencube.SIM, *opencube.Plan, error) {
	if r, ok := tx.(simPlanReader); ok {
		return r.SIMAndPlan(ctx, code, iccid, planCode)
	}
	sim, err := tx.SIM(ctx, code, iccid)
	if err != nil {
		return nil, nil, err
	}
	plan, err := tx.Plan(ctx, code, planCode)
	if err != nil {
		return nil, nil, err
	}
	return sim, plan, nil
}

// newOrder builds (and validates against SIM and plan) the order r asks for.
func (s *Orders) newOrder(ctx context.Context, tx opencube.OrderTx, code string, r *opencube.OrderRequest, iccid string) (*opencube.Order, error) {
	sim, plan, err := simAndPlan(ctx, tx, code, iccid, r.PlanCode)
	if err != nil {
		return nil, err
	}
	if err := matchPlan(r, plan); err != nil {
		return nil, err
	}
	if plan.AddOn {
		return nil, opencube.Errorf(opencube.KindPlanNotOrderable, "plan %s is an add-on plan: it is added to an order in use, not ordered", plan.Code).
			Because(addon.CauseAddOnPlan, plan.Code)
	}
	if !orderableBy(plan, sim) {
		return nil, opencube.Errorf(opencube.KindPlanNotOrderable, "OTA plan %s cannot be ordered for non-OTA SIM %s", plan.Code, sim.ICCID).
			Because(opencube.CauseOTAPlan, plan.Code)
	}
	if r.Open && sim.OTA {
		return nil, opencube.Errorf(opencube.KindOTA, "OTA SIM %s must order with is_open=0", sim.ICCID).Because(opencube.CauseOTAOpen)
	}
	if err := usable(sim); err != nil {
		return nil, err
	}
	now := s.Clock.Now()
	n := s.IDs.Next(now)
	buy := opencube.BuyNormal
	if r.TestFlowFlag == "1" {
		buy = opencube.BuyTest
	}
	return &opencube.Order{
		ID: OrderID(n), Code: OrderCode(n), EnterpriseCode: code, ICCID: sim.ICCID, IMSI: sim.IMSI,
		PlanCode: plan.Code, PlanName: plan.Name, PlanType: plan.Type, VolumeBytes: plan.VolumeBytes,
		OrderPeriod: r.OrderPeriod, Days: r.Days, TimingType: r.TimingType, MCC: r.MCC,
		Status: opencube.OrderNotEnabled, BuyType: buy, PayAmountMinor: r.PayAmountMinor, PayRst: r.PayRst,
		PayType: r.PayType, GlobalOrder: r.GlobalOrder, TestFlow: r.TestFlow, TestFlowFlag: r.TestFlowFlag,
		OTA: sim.OTA, OrderedAt: now, UpdatedAt: now,
	}, nil
}

// place inserts a new order, enabling it at once when asked.
func (s *Orders) place(ctx context.Context, tx opencube.OrderTx, o *opencube.Order, open bool) error {
	if open {
		active, err := tx.ActiveOrder(ctx, o.ICCID)
		if err != nil {
			return err
		}
		if active != nil {
			return opencube.Errorf(opencube.KindOrderState, "SIM %s already has active order %s", o.ICCID, active.ID).
				Because(opencube.CauseActiveOrder, active.ID)
		}
	}
	if err := tx.InsertOrder(ctx, o); err != nil {
		if opencube.ErrorKind(err) == opencube.KindConflict {
			// A duplicate order id is this node's fault (a lost node
			// lease), not the caller's: a system error, safe to retry.
			return fmt.Errorf("order id %s already exists: %w", o.ID, errors.New(err.Error()))
		}
		return err
	}
	if err := tx.InsertEvent(ctx, opencube.NewEvent(opencube.EventCreateOrder, o)); err != nil {
		return err
	}
	if err := s.HLR.orderMoved(ctx, tx, o); err != nil {
		return err
	}
	if !open {
		return nil
	}
	ev, err := o.Apply(opencube.MoveEnable, o.OrderedAt)
	if err != nil {
		return err
	}
	return saveMove(ctx, tx, o, ev, s.HLR)
}

// saveMove writes a changed order, (re)schedules its expiry, writes the
// event the change emitted, if any, and the register's job of its SIM
// when access follows the orders.
func saveMove(ctx context.Context, tx opencube.OrderTx, o *opencube.Order, ev opencube.EventType, h *HLRJobs) error {
	if err := tx.UpdateOrder(ctx, o); err != nil {
		return err
	}
	if err := scheduleExpiry(ctx, tx, o); err != nil {
		return err
	}
	if err := h.orderMoved(ctx, tx, o); err != nil {
		return err
	}
	if ev == "" {
		return nil
	}
	return tx.InsertEvent(ctx, opencube.NewEvent(ev, o))
}

// OrderPlan implements opencube.PlanService.
func (s *Orders) OrderPlan(ctx context.Context, r opencube.OrderRequest) (*opencube.Order, error) {
	code, err := enterprise(ctx)
	if err != nil {
		return nil, err
	}
	if r.ICCID == "" {
		return nil, opencube.Invalid("device_id", "device_id is required")
	}
	if err := r.Validate(); err != nil {
		return nil, err
	}
	var o *opencube.Order
	err = s.Store.UpdateOrdersClaiming(ctx, s.claim, func(tx opencube.OrderTx) error {
		var err error
		if o, err = s.newOrder(ctx, tx, code, &r, r.ICCID); err != nil {
			return err
		}
		if err := s.place(ctx, tx, o, r.Open); err != nil {
			return err
		}
		if !s.noLedger {
			if err := charge(ctx, tx, o.OrderedAt, billing.KindOrder, o.PlanCode, o.OrderPeriod, &r, o); err != nil {
				return err
			}
		}
		s.claim.AnswerOrder(o)
		return nil
	})
	return o, err
}

// OrderPlans implements opencube.PlanService: every device is checked, and any failure
// fails the call with a KindBulkRejected error listing the failing devices.
func (s *Orders) OrderPlans(ctx context.Context, r opencube.BulkOrderRequest) ([]*opencube.Order, error) {
	code, err := enterprise(ctx)
	if err != nil {
		return nil, err
	}
	if len(r.ICCIDs) == 0 {
		return nil, opencube.Invalid("deviceList", "deviceList is required")
	}
	if s.MaxBulk > 0 && len(r.ICCIDs) > s.MaxBulk {
		return nil, opencube.Invalid("deviceList", "deviceList holds more than %d devices", s.MaxBulk).
			Because(opencube.CauseDeviceListSize, s.MaxBulk)
	}
	seen := make(map[string]bool, len(r.ICCIDs))
	for _, id := range r.ICCIDs {
		if id == "" {
			return nil, opencube.Invalid("deviceList", "deviceList has an empty ICCID").Because(opencube.CauseDeviceListBlank)
		}
		if seen[id] {
			return nil, opencube.Invalid("deviceList", "deviceList repeats ICCID %s", id).Because(opencube.CauseDeviceListRepeat, id)
		}
		seen[id] = true
	}
	if err := r.Validate(); err != nil {
		return nil, err
	}
	var orders []*opencube.Order
	err = s.Store.UpdateOrdersClaiming(ctx, s.claim, func(tx opencube.OrderTx) error {
		orders = orders[:0]
		// A plan-level fault fails the whole call with its own kind.
		plan, err := tx.Plan(ctx, code, r.PlanCode)
		if err != nil {
			return err
		}
		if err := matchPlan(&r.OrderRequest, plan); err != nil {
			return err
		}
		var failures []opencube.DeviceFailure
		for _, iccid := range r.ICCIDs {
			o, err := s.newOrder(ctx, tx, code, &r.OrderRequest, iccid)
			if err == nil {
				err = s.place(ctx, tx, o, r.Open)
			}
			if err != nil {
				var e *opencube.Error
				if !errors.As(err, &e) || e.Kind == opencube.KindInternal {
					return err
				}
				failures = append(failures, opencube.DeviceFailure{ICCID: iccid, Err: e})
				continue
			}
			orders = append(orders, o)
		}
		if len(failures) > 0 {
			return &opencube.Error{Kind: opencube.KindBulkRejected, Message: "device " + failures[0].ICCID + " does not meet ordering requirements", Failures: failures}
		}
		// Priced whole: the balance covers every order or none is placed.
		if err := charge(ctx, tx, s.Clock.Now(), billing.KindOrder, plan.Code, r.OrderPeriod, &r.OrderRequest, orders...); err != nil {
			return err
		}
		s.claim.AnswerOrders(orders)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return orders, nil
}

// RenewOrder implements opencube.PlanService. periods is 1-MaxPeriods,
// and the renewed order lasts no longer than MaxValidityYears
// (Order.Renew): otherwise KindInvalid naming renew_period, and nothing is
// written.
func (s *Orders) RenewOrder(ctx context.Context, orderID string, periods int) (*opencube.Order, error) {
	if err := opencube.CheckRange("renew_period", int64(periods), 1, opencube.MaxPeriods); err != nil {
		return nil, err
	}
	return s.update(ctx, orderID, func(tx opencube.OrderTx, o *opencube.Order) (opencube.EventType, error) {
		now := s.Clock.Now()
		ev, err := o.Renew(periods, now)
		if err != nil {
			return "", err
		}
		return ev, charge(ctx, tx, now, billing.KindRenewal, o.PlanCode, periods, nil, o)
	})
}

// update runs one change of an existing order in a transaction, writing the
// order and the event the change emits.
func (s *Orders) update(ctx context.Context, orderID string, change func(opencube.OrderTx, *opencube.Order) (opencube.EventType, error)) (*opencube.Order, error) {
	code, err := enterprise(ctx)
	if err != nil {
		return nil, err
	}
	if orderID == "" {
		return nil, opencube.Invalid("order_id", "order_id is required")
	}
	var o *opencube.Order
	err = s.Store.UpdateOrdersClaiming(ctx, s.claim, func(tx opencube.OrderTx) error {
		var err error
		if o, err = tx.Order(ctx, code, orderID); err != nil {
			return err
		}
		if err := unlocked(ctx, tx, o.ICCID); err != nil {
			return err
		}
		ev, err := change(tx, o)
		if err != nil {
			return err
		}
		if err := saveMove(ctx, tx, o, ev, s.HLR); err != nil {
			return err
		}
		s.claim.AnswerOrder(o)
		return nil
	})
	return o, err
}

// unlocked returns nil unless the SIM has an asynchronous operation
// processing (operator.SIMRequest) other than the one ctx acts for: then
// the KindSIMState error of its lock (CSSS 2007, Cube v4 CB-01-0111).
func unlocked(ctx context.Context, tx opencube.OrderTx, iccid string) error {
	id, err := tx.SIMLocked(ctx, iccid)
	if err != nil {
		return err
	}
	if id != "" && id != operator.SIMRequestFrom(ctx) {
		return opencube.Errorf(opencube.KindSIMState, "SIM %s has an operation in progress (%s)", iccid, id).Because(opencube.CauseSIMLocked)
	}
	return nil
}

// FindOrders implements opencube.PlanService.
func (s *Orders) FindOrders(ctx context.Context, f opencube.OrderFilter) ([]*opencube.Order, int, error) {
	code, err := enterprise(ctx)
	if err != nil {
		return nil, 0, err
	}
	f.Enterprise = code
	return s.Store.FindOrders(ctx, f)
}

// EnableOrder implements opencube.PlanService.
func (s *Orders) EnableOrder(ctx context.Context, orderID, iccid string) (*opencube.Order, error) {
	return s.update(ctx, orderID, func(tx opencube.OrderTx, o *opencube.Order) (opencube.EventType, error) {
		if iccid != "" && iccid != o.ICCID {
			return "", opencube.Errorf(opencube.KindOrderNotFound, "order %s is not for SIM %s", o.ID, iccid).
				Because(opencube.CauseOrderNotForSIM, o.ID, iccid)
		}
		return s.enable(ctx, tx, o)
	})
}

// enable starts o when its SIM holds no other active order.
func (s *Orders) enable(ctx context.Context, tx opencube.OrderTx, o *opencube.Order) (opencube.EventType, error) {
	if o.Status != opencube.OrderNotEnabled {
		_, err := o.Status.Next(opencube.MoveEnable) // the refusal
		return "", err
	}
	active, err := tx.ActiveOrder(ctx, o.ICCID)
	if err != nil {
		return "", err
	}
	if active != nil {
		return "", opencube.Errorf(opencube.KindOrderState, "SIM %s already has active order %s", o.ICCID, active.ID).
			Because(opencube.CauseActiveOrder, active.ID)
	}
	return o.Apply(opencube.MoveEnable, s.Clock.Now())
}

// CancelOrder implements opencube.PlanService.
func (s *Orders) CancelOrder(ctx context.Context, orderID string) (*opencube.Order, error) {
	return s.update(ctx, orderID, func(tx opencube.OrderTx, o *opencube.Order) (opencube.EventType, error) {
		now := s.Clock.Now()
		ev, err := o.Apply(opencube.MoveCancel, now)
		if err != nil {
			return "", err
		}
		return ev, refund(ctx, tx, now, o) // a cancel gives back what the order was charged
	})
}

// activeOrderID resolves the order a device-level call means: orderID when
// given, else the SIM's active order.
func (s *Orders) activeOrderID(ctx context.Context, iccid, orderID string) (string, error) {
	if orderID != "" {
		return orderID, nil
	}
	code, err := enterprise(ctx)
	if err != nil {
		return "", err
	}
	if iccid == "" {
		return "", opencube.Invalid("device_id", "device_id or order_id is required")
	}
	var id string
	err = s.Store.UpdateOrdersClaiming(ctx, s.claim, func(tx opencube.OrderTx) error {
		if _, err := tx.SIM(ctx, code, iccid); err != nil {
			return err
		}
		o, err := tx.ActiveOrder(ctx, iccid)
		if err != nil {
			return err
		}
		if o == nil {
			return opencube.Errorf(opencube.KindOrderNotFound, "SIM %s has no active order", iccid).Because(opencube.CauseNoActiveOrder)
		}
		id = o.ID
		return nil
	})
	return id, err
}

// EndOrder implements opencube.PlanService.
func (s *Orders) EndOrder(ctx context.Context, r opencube.EndOrderRequest) (*opencube.Order, error) {
	id, err := s.activeOrderID(ctx, r.ICCID, r.OrderID)
	if err != nil {
		return nil, err
	}
	return s.update(ctx, id, func(tx opencube.OrderTx, o *opencube.Order) (opencube.EventType, error) {
		if r.ICCID != "" && r.ICCID != o.ICCID {
			return "", opencube.Errorf(opencube.KindOrderNotFound, "order %s is not for SIM %s", o.ID, r.ICCID).
				Because(opencube.CauseOrderNotForSIM, o.ID, r.ICCID)
		}
		if r.KeepAlive && o.OTA {
			return "", opencube.Errorf(opencube.KindOTA, "keep_alive is not supported for OTA SIM %s", o.ICCID).Because(opencube.CauseOTAKeepAlive)
		}
		ev, err := o.Apply(opencube.MoveEnd, s.Clock.Now())
		if err != nil || !r.KeepAlive {
			return ev, err
		}
		if err := s.HLR.orderMoved(ctx, tx, o); err != nil {
			return "", err
		}
		// Write the end and its event first so the SIM is free and the
		// events come in the order the moves happened, then start the next
		// order. The end event is written here, so none is returned.
		if err := tx.UpdateOrder(ctx, o); err != nil {
			return "", err
		}
		if err := tx.InsertEvent(ctx, opencube.NewEvent(ev, o)); err != nil {
			return "", err
		}
		next, err := tx.NextOrder(ctx, o.ICCID)
		if err != nil || next == nil {
			return "", err
		}
		nev, err := next.Apply(opencube.MoveEnable, s.Clock.Now())
		if err != nil {
			return "", err
		}
		if err := tx.UpdateOrder(ctx, next); err != nil {
			return "", err
		}
		if err := scheduleExpiry(ctx, tx, next); err != nil {
			return "", err
		}
		return "", tx.InsertEvent(ctx, opencube.NewEvent(nev, next))
	})
}

// SuspendOrder implements opencube.PlanService.
func (s *Orders) SuspendOrder(ctx context.Context, iccid, orderID string) (*opencube.Order, error) {
	return s.deviceMove(ctx, iccid, orderID, opencube.MoveSuspend)
}

// ResumeOrder implements opencube.PlanService.
func (s *Orders) ResumeOrder(ctx context.Context, iccid, orderID string) (*opencube.Order, error) {
	return s.deviceMove(ctx, iccid, orderID, opencube.MoveResume)
}

func (s *Orders) deviceMove(ctx context.Context, iccid, orderID string, move opencube.Move) (*opencube.Order, error) {
	id, err := s.activeOrderID(ctx, iccid, orderID)
	if err != nil {
		return nil, err
	}
	return s.update(ctx, id, func(_ opencube.OrderTx, o *opencube.Order) (opencube.EventType, error) {
		if iccid != "" && iccid != o.ICCID {
			return "", opencube.Errorf(opencube.KindOrderNotFound, "order %s is not for SIM %s", o.ID, iccid).
				Because(opencube.CauseOrderNotForSIM, o.ID, iccid)
		}
		return o.Apply(move, s.Clock.Now())
	})
}

// FindDevicePlans implements opencube.PlanService.
func (s *Orders) FindDevicePlans(ctx context.Context, iccids []string, page opencube.Page) ([]opencube.DevicePlans, int, error) {
	code, err := enterprise(ctx)
	if err != nil {
		return nil, 0, err
	}
	var sims []*opencube.SIM
	total := len(iccids)
	if len(iccids) == 0 {
		if sims, total, err = s.Store.FindSIMs(ctx, opencube.SIMFilter{Enterprise: code, Page: page}); err != nil {
			return nil, 0, err
		}
	} else {
		lo, hi := min(page.Offset, len(iccids)), min(page.Offset+page.Limit, len(iccids))
		want := iccids[lo:hi]
		found, _, err := s.Store.FindSIMs(ctx, opencube.SIMFilter{Enterprise: code, ICCIDs: want, Page: opencube.Page{Limit: len(want)}})
		if err != nil {
			return nil, 0, err
		}
		for _, id := range want {
			i := slices.IndexFunc(found, func(s *opencube.SIM) bool { return s.ICCID == id })
			if i < 0 {
				return nil, 0, opencube.Errorf(opencube.KindDeviceNotFound, "SIM %s not found", id)
			}
			sims = append(sims, found[i])
		}
	}
	plans, _, err := s.Store.FindPlans(ctx, opencube.PlanFilter{Enterprise: code})
	if err != nil {
		return nil, 0, err
	}
	out := make([]opencube.DevicePlans, 0, len(sims))
	for _, sim := range sims {
		dp := opencube.DevicePlans{ICCID: sim.ICCID, Plans: []*opencube.Plan{}}
		for _, p := range plans {
			if orderableBy(p, sim) {
				dp.Plans = append(dp.Plans, p)
			}
		}
		out = append(out, dp)
	}
	return out, total, nil
}

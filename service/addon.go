package service

import (
	"context"
	"errors"
	"time"

	"github.com/opencube/opencube"
	"github.com/opencube/opencube/addon"
	"github.com/opencube/opencube/billing"
	"github.com/opencube/opencube/operator"
)

// AddAddOn adds an add-on of plan planCode to the SIM's basic order in
// use: extra volume from now to the end of that order's current period
// (CycleEnd), spent once the order's own volume is used up, and ended with
// the order when it is suspended, ended or expired. The add-on, its event
// (EventCreateOrder, naming the add-on as its order) and the replay entry
// of the copy made by Replaying, answered with render's bytes when render
// is not nil, commit in one transaction (D28).
//
// Refusals: KindPlanNotOrderable for a plan the enterprise may not order
// (opencube.CausePlanUnknown) or one that is not an add-on plan
// (addon.CauseNotAddOn); KindSIMState when the SIM is not active
// (addon.CauseSIMNotActive, opencube.CauseSIMTerminated) or has a Cube v4
// operation processing (opencube.CauseSIMLocked); KindOrderState when the
// SIM has no order in use (opencube.CauseNoOrderInUse) or its plan takes
// no add-ons (addon.CauseNotAllowed).
func (s *Orders) AddAddOn(ctx context.Context, iccid, planCode string, render func(*addon.AddOn) []byte) (*addon.AddOn, error) {
	code, err := enterprise(ctx)
	if err != nil {
		return nil, err
	}
	var a *addon.AddOn
	err = s.Store.UpdateOrdersClaiming(ctx, s.claim, func(tx opencube.OrderTx) error {
		atx, ok := tx.(addon.Tx)
		if !ok {
			return errors.New("the store keeps no add-ons")
		}
		sim, err := tx.SIM(ctx, code, iccid)
		if err != nil {
			return err
		}
		plan, err := tx.Plan(ctx, code, planCode)
		if err != nil {
			return err
		}
		if !plan.AddOn {
			return opencube.Errorf(opencube.KindPlanNotOrderable, "plan %s is not an add-on plan", plan.Code).Because(addon.CauseNotAddOn, plan.Code)
		}
		switch sim.Status {
		case opencube.SIMActive:
		case opencube.SIMTerminated:
			return opencube.Errorf(opencube.KindSIMState, "SIM %s is terminated", sim.ICCID).Because(opencube.CauseSIMTerminated)
		default:
			return opencube.Errorf(opencube.KindSIMState, "SIM %s is %s: add-ons need an active SIM", sim.ICCID, sim.Status).Because(addon.CauseSIMNotActive)
		}
		if id, err := tx.SIMLocked(ctx, sim.ICCID); err != nil {
			return err
		} else if id != "" && id != operator.SIMRequestFrom(ctx) {
			return opencube.Errorf(opencube.KindSIMState, "an operation on SIM %s is pending", sim.ICCID).Because(opencube.CauseSIMLocked)
		}
		now := s.Clock.Now()
		o, err := tx.ActiveOrder(ctx, sim.ICCID)
		if err != nil {
			return err
		}
		if o == nil || o.Status != opencube.OrderInUse || (o.ExpiresAt != nil && now.After(*o.ExpiresAt)) {
			return opencube.Errorf(opencube.KindOrderState, "SIM %s has no order in use", sim.ICCID).Because(opencube.CauseNoOrderInUse)
		}
		allowed, err := atx.AllowsAddOns(ctx, o.PlanCode)
		if err != nil {
			return err
		}
		if !allowed {
			return opencube.Errorf(opencube.KindOrderState, "plan %s of order %s takes no add-ons", o.PlanCode, o.ID).Because(addon.CauseNotAllowed, o.PlanCode)
		}
		a = &addon.AddOn{
			ID: OrderID(s.IDs.Next(now)), EnterpriseCode: code, ICCID: sim.ICCID, OrderID: o.ID,
			PlanCode: plan.Code, PlanName: plan.Name, VolumeBytes: plan.VolumeBytes,
			Status: addon.Live, StartedAt: now, EndsAt: CycleEnd(o, now),
		}
		// Priced as one period of its plan, on the ledger with the add-on.
		q, err := quote(ctx, tx, now, code, billing.KindOrder, plan.Code, 1, 1, nil)
		if err != nil {
			return err
		}
		if err := atx.InsertAddOn(ctx, a); err != nil {
			return err
		}
		if err := q.book(ctx, tx, &opencube.Order{ID: a.ID, EnterpriseCode: code, ICCID: sim.ICCID, PlanCode: plan.Code}); err != nil {
			return err
		}
		if err := tx.InsertEvent(ctx, addOnEvent(a, o)); err != nil {
			return err
		}
		if render != nil {
			s.claim.AnswerWith(render(a))
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return a, nil
}

// addOnEvent is the event of a new add-on: the order-created event
// (1000), naming the add-on as the order, in use from its start to its end.
func addOnEvent(a *addon.AddOn, base *opencube.Order) *opencube.Event {
	start, end := a.StartedAt, a.EndsAt.Add(-time.Second)
	return opencube.NewEvent(opencube.EventCreateOrder, &opencube.Order{
		ID: a.ID, EnterpriseCode: a.EnterpriseCode, ICCID: a.ICCID, IMSI: base.IMSI, PlanCode: a.PlanCode,
		Status: opencube.OrderInUse, UpdatedAt: a.StartedAt, StartedAt: &start, ExpiresAt: &end,
	})
}

// CycleEnd returns when the period of order o (in use) current at now
// ends: the next UTC+8 midnight for a day-counted plan (whose volume
// resets daily), the start of the next period of a month-counted one
// (months from the order's start, clamped as D11 says), never after the
// order's own end.
func CycleEnd(o *opencube.Order, now time.Time) time.Time {
	var end time.Time
	switch m := o.PlanType.Months(); {
	case m == 0 || o.Days > 0 || o.StartedAt == nil:
		end = DayStart(opencube.Day(now)).AddDate(0, 0, 1)
		if m > 0 && o.ExpiresAt != nil {
			end = o.ExpiresAt.Add(time.Second)
		}
	default:
		c := *o
		c.RenewPeriod = 0
		for c.OrderPeriod = 1; c.OrderPeriod < o.Periods(); c.OrderPeriod++ {
			if end = c.ExpiryFor(*o.StartedAt).Add(time.Second); now.Before(end) {
				break
			}
		}
		end = c.ExpiryFor(*o.StartedAt).Add(time.Second)
	}
	if o.ExpiresAt != nil && end.After(o.ExpiresAt.Add(time.Second)) {
		end = o.ExpiresAt.Add(time.Second)
	}
	return end.UTC()
}

// spendAddOns spends over, the bytes a record took beyond its order's
// volume, from the order's live add-ons at at, and returns the volume
// they have left (0 when the store keeps none).
func spendAddOns(ctx context.Context, tx opencube.UsageTx, o *opencube.Order, over int64, at time.Time) (int64, error) {
	atx, ok := tx.(addon.Tx)
	if !ok {
		return 0, nil
	}
	_, left, err := atx.SpendAddOns(ctx, o.ID, over, at)
	return left, err
}

// addOnsLeft returns the volume the live add-ons of the orders in use
// among orders have left at now, by order.
func addOnsLeft(ctx context.Context, st addon.Store, orders []*opencube.Order, now time.Time) (map[string]addon.Volume, error) {
	ids := make([]string, 0, len(orders))
	for _, o := range orders {
		if o != nil && o.Status == opencube.OrderInUse {
			ids = append(ids, o.ID)
		}
	}
	if len(ids) == 0 {
		return nil, nil
	}
	return st.LiveVolumes(ctx, ids, now)
}

// AddOns are the add-on bundles of SIMs (Cube v4 bundle_type 11), for the
// front doors.
type AddOns struct {
	Orders *Orders
	Store  addon.Store
}

// Add adds an add-on of plan planCode to the SIM's order in use, as
// Orders.AddAddOn does, recording claim (when not nil) with render's
// answer in the transaction of the change.
func (s *AddOns) Add(ctx context.Context, iccid, planCode string, claim *opencube.ReplayClaim, render func(*addon.AddOn) []byte) (*addon.AddOn, error) {
	o := s.Orders
	if claim != nil {
		c := *o
		c.claim = claim
		o = &c
	}
	return o.AddAddOn(ctx, iccid, planCode, render)
}

// Find returns a SIM's add-ons, oldest first; the caller has checked that
// the SIM is its enterprise's.
func (s *AddOns) Find(ctx context.Context, iccid string) ([]*addon.AddOn, error) {
	return s.Store.FindAddOns(ctx, iccid)
}

package service

import (
	"context"
	"errors"
	"fmt"

	"github.com/opencube/opencube"
	"github.com/opencube/opencube/billing"
	"github.com/opencube/opencube/operator"
)

// Renewals runs Cube v4 online renewal orders: for each SIM of an item,
// the SIM's order of the item's plan gets the item's quantity of periods
// (a renewal, event 1009), or, when the SIM has none that is not over, a
// new order of the plan with that many periods, started at once when
// nothing else is in use (event 1000 and 1005). Each SIM succeeds or fails
// on its own.
type Renewals struct {
	Store  operator.ServiceOrderStore
	Orders *Orders
	Clock  opencube.Clock
}

// RenewalItem is one item of a renewal order: a plan, the periods to add,
// and the SIMs.
type RenewalItem struct {
	PlanCode string
	Quantity int
	ICCIDs   []string
}

// RenewalResult is what one SIM of an item came to: the order renewed or
// made, or the error that stopped it, and the item's plan when it is
// orderable.
type RenewalResult struct {
	ICCID    string
	PlanCode string
	Plan     *opencube.Plan
	Order    *opencube.Order
	Err      error
}

// NewID returns a renewal order id: "OL-" and the digits of the order id
// generator, unique across nodes and increasing.
func (s *Renewals) NewID() string {
	return fmt.Sprintf("OL-%017d", s.Orders.IDs.Next(s.Clock.Now()))
}

// RenderRenewal makes a renewal order's document and its answer from
// the results of its SIMs.
type RenderRenewal func(results []RenewalResult) (document, answer []byte, err error)

// Place runs renewal order o (its ID and CreatedAt set) for the
// enterprise of ctx: every SIM of every item renewed or ordered, each on
// its own (a refused SIM is a result, not a failure); then render makes the
// order's document and answer from the results. The changes of every SIM,
// their events, the order's document and claim's replay entries with the
// answer commit in one transaction (D28): a request that dies leaves
// nothing, and a retry of one that committed finds its answer
// (opencube.ErrReplayed, claim.Prior set). A bad item (no plan, a quantity
// outside 1-1200, no SIM) fails the whole call before anything is done.
func (s *Renewals) Place(ctx context.Context, o *operator.ServiceOrder, items []RenewalItem, claim *opencube.ReplayClaim, render RenderRenewal) error {
	code, err := enterprise(ctx)
	if err != nil {
		return err
	}
	for _, it := range items {
		switch {
		case it.PlanCode == "":
			return opencube.Invalid("items.id", "every item names a plan")
		case it.Quantity < 1 || it.Quantity > opencube.MaxPeriods:
			return opencube.OutOfRange("items.quantity", 1, opencube.MaxPeriods)
		case len(it.ICCIDs) == 0:
			return opencube.Invalid("items.sim_ids", "every item names its SIMs")
		}
	}
	// Each SIM's order of the item's plan that is not over, found before
	// the transaction (which must not read through the pool): the
	// transaction reads it again, locked, and orders anew if it is over.
	renewable := map[[2]string]string{}
	for _, it := range items {
		for _, iccid := range it.ICCIDs {
			os, _, err := s.Orders.FindOrders(ctx, opencube.OrderFilter{ICCID: iccid, Page: opencube.Page{Limit: 1000}})
			if err != nil {
				return err
			}
			for _, ord := range os {
				if ord.PlanCode == it.PlanCode && ord.Status.Renewable() {
					renewable[[2]string{it.PlanCode, iccid}] = ord.ID
					break
				}
			}
		}
	}
	o.Enterprise = code
	return s.Store.PlaceServiceOrder(ctx, claim, func(tx opencube.OrderTx) (*operator.ServiceOrder, error) {
		var results []RenewalResult
		for _, it := range items {
			for _, iccid := range it.ICCIDs {
				plan, ord, err := s.renew(ctx, tx, code, it, iccid, renewable[[2]string{it.PlanCode, iccid}])
				var e *opencube.Error
				if err != nil && (!errors.As(err, &e) || e.Kind == opencube.KindInternal) {
					return nil, err
				}
				results = append(results, RenewalResult{ICCID: iccid, PlanCode: it.PlanCode, Plan: plan, Order: ord, Err: err})
			}
		}
		doc, answer, err := render(results)
		if err != nil {
			return nil, err
		}
		o.Document = doc
		claim.AnswerWith(answer)
		return o, nil
	})
}

// renew renews the SIM's order orderID of the item's plan when it is not
// over, or else orders the plan for the SIM, started at once when nothing
// else is in use. The first write of each path is the only one that may
// fail on a constraint, so a refused SIM leaves nothing behind.
func (s *Renewals) renew(ctx context.Context, tx opencube.OrderTx, code string, it RenewalItem, iccid, orderID string) (*opencube.Plan, *opencube.Order, error) {
	plan, err := tx.Plan(ctx, code, it.PlanCode)
	if err != nil {
		return nil, nil, err
	}
	now := s.Clock.Now()
	if orderID != "" {
		o, err := tx.Order(ctx, code, orderID)
		if err != nil {
			return plan, nil, err
		}
		if o.Status.Renewable() {
			if err := unlocked(ctx, tx, o.ICCID); err != nil {
				return plan, nil, err
			}
			ev, err := o.Renew(it.Quantity, now)
			if err != nil {
				return plan, nil, err
			}
			// Priced before anything of the SIM is written: a prepaid
			// account that cannot pay refuses this SIM alone.
			q, err := quote(ctx, tx, now, code, billing.KindRenewal, o.PlanCode, it.Quantity, 1, nil)
			if err != nil {
				return plan, nil, err
			}
			if err := saveMove(ctx, tx, o, ev, s.Orders.HLR); err != nil {
				return plan, nil, err
			}
			if err := q.book(ctx, tx, o); err != nil {
				return plan, nil, err
			}
			return plan, o, nil
		}
	}
	r := opencube.OrderRequest{ICCID: iccid, PlanCode: plan.Code, PlanName: plan.Name, PlanType: plan.Type,
		OrderPeriod: it.Quantity, PayAmountMinor: plan.PriceMinor * int64(it.Quantity), PayRst: "1", PayType: "v4"}
	if err := r.Validate(); err != nil {
		return plan, nil, err
	}
	q, err := quote(ctx, tx, now, code, billing.KindOrder, plan.Code, it.Quantity, 1, nil)
	if err != nil {
		return plan, nil, err
	}
	o, err := s.Orders.newOrder(ctx, tx, code, &r, iccid)
	if err != nil {
		return plan, nil, err
	}
	active, err := tx.ActiveOrder(ctx, iccid)
	if err != nil {
		return plan, nil, err
	}
	if err := s.Orders.place(ctx, tx, o, active == nil); err != nil {
		return plan, nil, err
	}
	if err := q.book(ctx, tx, o); err != nil {
		return plan, nil, err
	}
	return plan, o, nil
}

// Find returns one of the enterprise's renewal orders; KindNotFound when
// unknown.
func (s *Renewals) Find(ctx context.Context, id string) (*operator.ServiceOrder, error) {
	code, err := enterprise(ctx)
	if err != nil {
		return nil, err
	}
	return s.Store.FindServiceOrder(ctx, code, id)
}

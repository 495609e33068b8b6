package service

import (
	"context"
	"fmt"

	"github.com/opencube/opencube"
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
// made, or the error that stopped it.
type RenewalResult struct {
	ICCID    string
	PlanCode string
	Order    *opencube.Order
	Err      error
}

// NewID returns a renewal order id: "OL-" and the digits of the order id
// generator, unique across nodes and increasing.
func (s *Renewals) NewID() string {
	return fmt.Sprintf("OL-%017d", s.Orders.IDs.Next(s.Clock.Now()))
}

// Renew applies items for the enterprise of ctx and returns each SIM's
// result, in order. A bad item (no plan, a quantity outside 1-1200, no
// SIM) fails the whole call before anything is done.
func (s *Renewals) Renew(ctx context.Context, items []RenewalItem) ([]RenewalResult, error) {
	if _, err := enterprise(ctx); err != nil {
		return nil, err
	}
	for _, it := range items {
		switch {
		case it.PlanCode == "":
			return nil, opencube.Invalid("items.id", "every item names a plan")
		case it.Quantity < 1 || it.Quantity > opencube.MaxPeriods:
			return nil, opencube.OutOfRange("items.quantity", 1, opencube.MaxPeriods)
		case len(it.ICCIDs) == 0:
			return nil, opencube.Invalid("items.sim_ids", "every item names its SIMs")
		}
	}
	var out []RenewalResult
	for _, it := range items {
		for _, iccid := range it.ICCIDs {
			o, err := s.renew(ctx, it, iccid)
			out = append(out, RenewalResult{ICCID: iccid, PlanCode: it.PlanCode, Order: o, Err: err})
		}
	}
	return out, nil
}

// renew renews or orders the item's plan for one SIM.
func (s *Renewals) renew(ctx context.Context, it RenewalItem, iccid string) (*opencube.Order, error) {
	os, _, err := s.Orders.FindOrders(ctx, opencube.OrderFilter{ICCID: iccid, Page: opencube.Page{Limit: 1000}})
	if err != nil {
		return nil, err
	}
	active := false
	for _, o := range os {
		if o.PlanCode == it.PlanCode && o.Status.Renewable() {
			return s.Orders.RenewOrder(ctx, o.ID, it.Quantity)
		}
		active = active || o.Status.Active()
	}
	plans, _, err := s.Orders.FindPlans(ctx, opencube.PlanFilter{Code: it.PlanCode, Page: opencube.Page{Limit: 1}})
	if err != nil {
		return nil, err
	}
	if len(plans) == 0 {
		return nil, opencube.Errorf(opencube.KindPlanNotOrderable, "no plan %s", it.PlanCode).Because(opencube.CausePlanUnknown)
	}
	p := plans[0]
	return s.Orders.OrderPlan(ctx, opencube.OrderRequest{ICCID: iccid, PlanCode: p.Code, PlanName: p.Name, PlanType: p.Type,
		OrderPeriod: it.Quantity, Open: !active, PayAmountMinor: p.PriceMinor * int64(it.Quantity), PayRst: "1", PayType: "v4"})
}

// Save keeps a renewal order's document for the enterprise of ctx.
func (s *Renewals) Save(ctx context.Context, o *operator.ServiceOrder) error {
	code, err := enterprise(ctx)
	if err != nil {
		return err
	}
	o.Enterprise = code
	return s.Store.CreateServiceOrder(ctx, o)
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

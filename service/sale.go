package service

import (
	"context"

	"github.com/opencube/opencube"
	"github.com/opencube/opencube/shop"
)

// Sale is one paid purchase of a consumer shop, as the order book records
// it: the SIM it is for, the core plan sold, the periods, what was paid,
// and how the SIM's order takes it (a new order, started now or on the
// SIM's first data session, or a renewal of the SIM's current one).
type Sale struct {
	// Shop names the shop: "esim" or "mall".
	Shop           string
	EnterpriseCode string
	ICCID          string
	// Profile, for an eSIM sale, is the profile sold: when its ICCID is
	// not a SIM of the enterprise yet, the sale makes it one.
	Profile  *shop.Profile
	PlanCode string
	// Periods of the plan bought, and Days their validity in days when
	// the shop's plan counts days (0: the core plan's type decides).
	Periods int
	Days    int
	// StartOnAttach leaves a new order waiting for the SIM's first data
	// session; otherwise it starts at once when the SIM has no order in use.
	StartOnAttach bool
	// Renew lets the sale renew the SIM's current order of the same plan
	// and period length (RenewOrder when it is still renewable) instead of
	// making a follow-on order.
	Renew      bool
	RenewOrder string
	// AmountMinor and Currency are what was paid; PayType and PayRef name
	// the payment.
	AmountMinor int64
	Currency    string
	PayType     string
	PayRef      string
}

// RecordSale writes a paid sale into the order book, in tx (the payment's
// transaction): the SIM (with its register job) when the sale makes one,
// then a new order of the plan with its create (and start) events, or the
// renewal of the SIM's current order with its renewal event. It returns the
// order made or renewed. Every sale of both shops goes through here.
func (s *Orders) RecordSale(ctx context.Context, tx shop.MallTx, sale *Sale) (*opencube.Order, error) {
	now := s.Clock.Now()
	sim, err := tx.SIM(ctx, sale.EnterpriseCode, sale.ICCID)
	if opencube.ErrorKind(err) == opencube.KindDeviceNotFound && sale.Profile != nil {
		p := sale.Profile
		if p.IMSI == "" {
			return nil, opencube.Errorf(opencube.KindInternal, "eSIM profile %s has no IMSI: it cannot become a SIM", p.ICCID)
		}
		// An eSIM is an over-the-air SIM: its order may start on its
		// first data session.
		sim = &opencube.SIM{ICCID: p.ICCID, IMSI: p.IMSI, MSISDN: p.MSISDN, OTA: true, EnterpriseCode: sale.EnterpriseCode,
			Status: opencube.SIMActive, CreatedAt: now}
		if err := tx.InsertSIM(ctx, sim); err != nil {
			return nil, err
		}
		if err := s.HLR.sync(ctx, tx, sim.ICCID); err != nil {
			return nil, err
		}
	} else if err != nil {
		return nil, err
	}
	plan, err := tx.Plan(ctx, sale.EnterpriseCode, sale.PlanCode)
	if err != nil {
		return nil, err
	}
	if sale.Renew {
		var cur *opencube.Order
		if sale.RenewOrder != "" {
			if cur, err = tx.Order(ctx, sale.EnterpriseCode, sale.RenewOrder); opencube.ErrorKind(err) == opencube.KindOrderNotFound {
				cur, err = nil, nil
			}
			if cur != nil && !cur.Status.Renewable() {
				cur = nil
			}
		}
		if err == nil && cur == nil {
			cur, err = tx.ActiveOrder(ctx, sim.ICCID)
		}
		if err == nil && cur == nil {
			cur, err = tx.NextOrder(ctx, sim.ICCID)
		}
		if err != nil {
			return nil, err
		}
		if cur != nil && cur.PlanCode == plan.Code && cur.Status.Renewable() && samePeriod(cur, sale) {
			ev, err := cur.Renew(sale.Periods, now)
			if err != nil {
				return nil, err
			}
			return cur, saveMove(ctx, tx, cur, ev, s.HLR)
		}
	}
	// An eSIM's order starts as its plan says; a Mall order of an OTA SIM
	// waits to be enabled, as any order of an OTA SIM made without is_open.
	esim := sale.Shop == "esim"
	timing := opencube.TimingNone
	if sim.OTA && esim {
		timing = opencube.TimingOrderTime
		if sale.StartOnAttach {
			timing = opencube.TimingFirstAttach
		}
	}
	req := opencube.OrderRequest{ICCID: sim.ICCID, PlanCode: plan.Code, PlanName: plan.Name, PlanType: plan.Type,
		OrderPeriod: sale.Periods, Days: sale.Days, TimingType: timing, PayAmountMinor: sale.AmountMinor, PayRst: "1", PayType: sale.PayType}
	if timing == opencube.TimingNone {
		req.Days = 0
	}
	o, err := s.newOrder(ctx, tx, sale.EnterpriseCode, &req, sim.ICCID)
	if err != nil {
		return nil, err
	}
	if err := o.CheckValidity("orderPeriod"); err != nil {
		return nil, err
	}
	active, err := tx.ActiveOrder(ctx, sim.ICCID)
	if err != nil {
		return nil, err
	}
	return o, s.place(ctx, tx, o, active == nil && !sale.StartOnAttach && (!sim.OTA || esim))
}

// samePeriod reports whether the sale's periods are as long as o's, so
// that renewing o by them gives what was bought.
func samePeriod(o *opencube.Order, sale *Sale) bool {
	if sale.Days == 0 || o.Days == 0 {
		return sale.Days == 0 && o.Days == 0
	}
	return o.OrderPeriod > 0 && sale.Periods > 0 && o.Days*sale.Periods == sale.Days*o.OrderPeriod
}

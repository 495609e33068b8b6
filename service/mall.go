package service

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"

	"github.com/opencube/opencube"
	"github.com/opencube/opencube/billing"
	"github.com/opencube/opencube/geo"
	"github.com/opencube/opencube/money"
	"github.com/opencube/opencube/shop"
)

// Verify is the Mall's card login: the SIM must be the enterprise's
// and able to order (not suspended or terminated).
func (s *Mall) Verify(ctx context.Context, iccid string) (*opencube.SIM, error) {
	code, err := enterprise(ctx)
	if err != nil {
		return nil, err
	}
	sims, _, err := s.Store.FindSIMs(ctx, opencube.SIMFilter{Enterprise: code, ICCIDs: []string{iccid}})
	if err != nil {
		return nil, err
	}
	if len(sims) == 0 {
		return nil, opencube.Errorf(opencube.KindDeviceNotFound, "SIM %s not found", iccid)
	}
	if err := usable(sims[0]); err != nil {
		return nil, err
	}
	return sims[0], nil
}

// Plans lists the plans the SIM can buy in the Mall: those of its
// enterprise it can order and that carry a price; with area (a country or
// a region, by code or name in either language, comma-separated: the geo
// table), only those covering one of its countries.
func (s *Mall) Plans(ctx context.Context, iccid, area string) ([]*opencube.Plan, error) {
	if _, err := s.Verify(ctx, iccid); err != nil {
		return nil, err
	}
	dps, _, err := s.Orders.FindDevicePlans(ctx, []string{iccid}, opencube.Page{Limit: 1})
	if err != nil {
		return nil, err
	}
	var out []*opencube.Plan
	for _, dp := range dps {
		for _, p := range dp.Plans {
			if p.PriceMinor > 0 && p.Currency != "" && covers(p, area) {
				out = append(out, p)
			}
		}
	}
	return out, nil
}

// covers reports whether plan p is sold in area (every plan when area is
// empty).
func covers(p *opencube.Plan, area string) bool {
	if strings.TrimSpace(area) == "" {
		return true
	}
	for _, c := range p.Countries {
		if geo.Covers(area, c) {
			return true
		}
	}
	return false
}

// Order records a Mall purchase. A paid one becomes an order on the
// SIM, in the same transaction: it is enabled at once when the SIM has no
// in-use order (and waits, not enabled, otherwise), with the order events
// and the recharge push of any order. The paid amount and currency must be
// the plan's price times the periods (KindPriceMismatch). The same order
// number again returns the first outcome; a pending order paid later
// becomes the SIM order then.
func (s *Mall) Order(ctx context.Context, r opencube.MallOrderRequest) (*shop.MallOrder, *opencube.Order, error) {
	code, err := enterprise(ctx)
	if err != nil {
		return nil, nil, err
	}
	switch {
	case r.OrderNo == "":
		return nil, nil, opencube.Invalid("orderNo", "orderNo is required")
	case r.ICCID == "":
		return nil, nil, opencube.Invalid("deviceCode", "deviceCode is required")
	case r.PackageCode == "":
		return nil, nil, opencube.Invalid("packageCode", "packageCode is required")
	case r.OrderPeriod < 1 || r.OrderPeriod > opencube.MaxMallPeriods:
		return nil, nil, opencube.OutOfRange("orderPeriod", 1, opencube.MaxMallPeriods)
	case r.PayAmountMinor < 0:
		return nil, nil, opencube.Invalid("payAmount", "payAmount must not be negative")
	}
	var (
		m     *shop.MallOrder
		order *opencube.Order
		sold  bool // a partner's paid order became a SIM order
	)
	err = s.Store.UpdateMall(ctx, func(tx shop.MallTx) error {
		m, order, sold = nil, nil, false
		prev, err := tx.MallOrder(ctx, code, r.OrderNo)
		if err != nil {
			return err
		}
		if prev != nil && (prev.ICCID != r.ICCID || prev.PackageCode != r.PackageCode) {
			return opencube.Invalid("orderNo", "orderNo %s names another purchase", r.OrderNo).Because(opencube.CauseOrderNoReused, r.OrderNo)
		}
		if prev != nil && (prev.Paid || !r.Paid) {
			m = prev // a repeat: the first outcome
			if prev.OrderID != "" {
				order, err = tx.Order(ctx, code, prev.OrderID)
			}
			return err
		}
		sim, err := tx.SIM(ctx, code, r.ICCID)
		if err != nil {
			return err
		}
		plan, err := tx.Plan(ctx, code, r.PackageCode)
		if err != nil {
			return err
		}
		if !orderableBy(plan, sim) {
			return opencube.Errorf(opencube.KindPlanNotOrderable, "plan %s cannot be ordered for SIM %s", plan.Code, sim.ICCID).
				Because(opencube.CauseOTAPlan, plan.Code)
		}
		// D26: the periods bought must not make the order last more than
		// 100 years (120 years of a yearly plan would).
		probe := opencube.Order{PlanType: plan.Type, OrderPeriod: r.OrderPeriod}
		if err := probe.CheckValidity("orderPeriod"); err != nil {
			return err
		}
		if want := plan.PriceMinor * int64(r.OrderPeriod); r.PayAmountMinor != want || !strings.EqualFold(r.PayCurrency, plan.Currency) {
			return opencube.Errorf(opencube.KindPriceMismatch, "payAmount %d %s differs from the price %d %s", r.PayAmountMinor, r.PayCurrency, want, plan.Currency).
				Because(opencube.CausePrice, "payAmount", money.Format(want), plan.Currency)
		}
		now := s.Clock.Now()
		m = &shop.MallOrder{
			OrderNo: r.OrderNo, EnterpriseCode: code, ICCID: sim.ICCID, PackageCode: plan.Code, OrderPeriod: r.OrderPeriod,
			PayID: r.PayID, PayType: r.PayType, PayAmountMinor: r.PayAmountMinor, PayCurrency: strings.ToUpper(r.PayCurrency),
			Paid: r.Paid, AutoRenewal: r.AutoRenewal, CreatedAt: now, UpdatedAt: now,
		}
		if prev != nil {
			m.CreatedAt = prev.CreatedAt
		}
		if prev != nil {
			m.PayID, m.ClientSecret, m.CustomerID = prev.PayID, prev.ClientSecret, prev.CustomerID
		}
		if r.Paid {
			m.PayProvider = "partner"
			if order, err = s.sell(ctx, tx, m, false); err != nil {
				return err
			}
			sold = true
		}
		return tx.PutMallOrder(ctx, m)
	})
	if err != nil {
		return nil, nil, err
	}
	if sold {
		s.Observe.observe(ShopMall, PaymentOrder, PaymentPaid, nil)
	}
	if !m.Paid && m.ClientSecret == "" && s.Stripe.CanCall() {
		// The Mall's cashier: a Stripe payment intent the buyer's page
		// confirms; the order is paid when Stripe's webhook says so.
		if m, err = s.attachIntent(ctx, m); err != nil {
			return nil, nil, err
		}
	}
	return m, order, nil
}

// sell records a paid Mall order (or, with renew, one more paid period of
// an auto-renewed one) in the order book, in tx: Orders.RecordSale, then
// the recharge push. It sets m's order.
func (s *Mall) sell(ctx context.Context, tx shop.MallTx, m *shop.MallOrder, renew bool) (*opencube.Order, error) {
	order, err := s.Orders.RecordSale(ctx, tx, &Sale{Shop: "mall", EnterpriseCode: m.EnterpriseCode, ICCID: m.ICCID,
		PlanCode: m.PackageCode, Periods: m.OrderPeriod, Renew: renew, RenewOrder: m.OrderID, AmountMinor: m.PayAmountMinor, Currency: m.PayCurrency,
		PayType: m.PayType, PayRef: m.PayID})
	if err != nil {
		return nil, err
	}
	m.Paid, m.PayFailed, m.OrderID = true, false, order.ID
	// The sale, on the ledger, at what was paid.
	if err := sale(ctx, tx, s.Clock.Now(), billing.KindMallSale, order, m.PayCurrency, m.PayAmountMinor, m.OrderPeriod); err != nil {
		return nil, err
	}
	return order, tx.InsertEvent(ctx, rechargeEvent(m, order, renew))
}

// rechargeEvent is the recharge-success push of a paid Mall order (with
// renew, of a period an auto-renewal paid: renewal counts them).
func rechargeEvent(m *shop.MallOrder, o *opencube.Order, renew bool) *opencube.Event {
	e := opencube.NewEvent(opencube.EventMallRecharge, o)
	d := map[string]string{
		"orderNo": m.OrderNo, "deviceCode": m.ICCID, "packageCode": m.PackageCode, "orderId": o.ID,
		"payAmount": money.Format(m.PayAmountMinor), "payCurrency": m.PayCurrency, "payId": m.PayID, "result": "success",
	}
	if renew {
		d["renewal"] = strconv.Itoa(m.Renewals)
	}
	data, _ := json.Marshal(d)
	e.Data = string(data)
	return e
}

// SIMOrders returns the SIM's active (in use or suspended) and pending
// (not enabled) orders, and its Mall orders awaiting payment.
func (s *Mall) SIMOrders(ctx context.Context, iccid string) (active, pending []*opencube.Order, unpaid []*shop.MallOrder, err error) {
	code, err := enterprise(ctx)
	if err != nil {
		return nil, nil, nil, err
	}
	if _, err := s.Verify(ctx, iccid); err != nil {
		return nil, nil, nil, err
	}
	orders, _, err := s.Store.FindOrders(ctx, opencube.OrderFilter{Enterprise: code, ICCID: iccid})
	if err != nil {
		return nil, nil, nil, err
	}
	for _, o := range orders {
		switch {
		case o.Status.Active():
			active = append(active, o)
		case o.Status == opencube.OrderNotEnabled:
			pending = append(pending, o)
		}
	}
	ms, err := s.Store.FindMallOrders(ctx, shop.MallOrderFilter{Enterprise: code, ICCID: iccid})
	if err != nil {
		return nil, nil, nil, err
	}
	for _, m := range ms {
		if !m.Paid {
			unpaid = append(unpaid, m)
		}
	}
	return active, pending, unpaid, nil
}

// AutoRenewals returns the SIM's Mall orders with auto-renewal on.
func (s *Mall) AutoRenewals(ctx context.Context, iccid string) ([]*shop.MallOrder, error) {
	code, err := enterprise(ctx)
	if err != nil {
		return nil, err
	}
	ms, err := s.Store.FindMallOrders(ctx, shop.MallOrderFilter{Enterprise: code, ICCID: iccid})
	if err != nil {
		return nil, err
	}
	var out []*shop.MallOrder
	for _, m := range ms {
		if m.AutoRenewal {
			out = append(out, m)
		}
	}
	return out, nil
}

// CancelAutoRenewal turns auto-renewal off for the SIM's Mall order
// orderNo (every one of the SIM's when orderNo is empty) and returns those
// it changed; KindOrderNotFound when none has it on.
func (s *Mall) CancelAutoRenewal(ctx context.Context, iccid, orderNo string) ([]*shop.MallOrder, error) {
	code, err := enterprise(ctx)
	if err != nil {
		return nil, err
	}
	var changed []*shop.MallOrder
	// The candidates are read before the transaction (never a pool read
	// inside one), then each again, locked, inside it.
	ms, err := s.Store.FindMallOrders(ctx, shop.MallOrderFilter{Enterprise: code, ICCID: iccid, OrderNo: orderNo})
	if err != nil {
		return nil, err
	}
	err = s.Store.UpdateMall(ctx, func(tx shop.MallTx) error {
		changed = changed[:0]
		for _, c := range ms {
			m, err := tx.MallOrder(ctx, code, c.OrderNo)
			if err != nil {
				return err
			}
			if m == nil || !m.AutoRenewal || m.ICCID != iccid {
				continue
			}
			m.AutoRenewal, m.RenewalStopped, m.UpdatedAt = false, "cancelled", s.Clock.Now()
			if err := tx.PutMallOrder(ctx, m); err != nil {
				return err
			}
			if err := cancelSubscription(ctx, tx, m, s.Clock.Now()); err != nil {
				return err
			}
			changed = append(changed, m)
		}
		if len(changed) == 0 {
			return opencube.Errorf(opencube.KindOrderNotFound, "no Mall order of SIM %s with auto-renewal on", iccid).Because(opencube.CauseNoAutoRenewal)
		}
		return nil
	})
	return changed, err
}

// FindOrders implements mall.Service.
func (s *Mall) FindOrders(ctx context.Context, f shop.MallOrderFilter) ([]*shop.MallOrder, error) {
	code, err := enterprise(ctx)
	if err != nil {
		return nil, err
	}
	f.Enterprise = code
	return s.Store.FindMallOrders(ctx, f)
}

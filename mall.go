package opencube

import (
	"context"
	"encoding/json"
	"strings"
)

// EventMallRecharge is the Mall's recharge-success push (充值成功消息推送):
// a paid Mall order became an order on the SIM. It travels through the
// outbox like the order events; its Data holds the Mall order (orderNo,
// deviceCode, packageCode, payAmount, payCurrency, payId, orderId).
const EventMallRecharge EventType = "mall_recharge"

func init() {
	// Endpoints may subscribe to the recharge push like to any event.
	EventTypes = append(EventTypes, EventMallRecharge)
}

// MallOrderRequest is one Mall purchase of a plan for a SIM (singleOrder,
// synPartner/SynOrderInfo).
type MallOrderRequest struct {
	OrderNo        string
	ICCID          string
	PackageCode    string
	OrderPeriod    int
	PayID          string
	PayType        string
	PayAmountMinor int64
	PayCurrency    string
	// Paid says the payment succeeded; an unpaid order is kept pending.
	Paid        bool
	AutoRenewal bool
}

// MallVerify is the Mall's card login: the SIM must be the enterprise's
// and able to order (not suspended or terminated).
func (s *Service) MallVerify(ctx context.Context, iccid string) (*SIM, error) {
	code, err := enterprise(ctx)
	if err != nil {
		return nil, err
	}
	sims, _, err := s.Store.FindSIMs(ctx, SIMFilter{Enterprise: code, ICCIDs: []string{iccid}})
	if err != nil {
		return nil, err
	}
	if len(sims) == 0 {
		return nil, Errorf(KindDeviceNotFound, "SIM %s not found", iccid)
	}
	if st := sims[0].Status; st == SIMSuspended || st == SIMTerminated {
		return nil, Errorf(KindSIMState, "SIM %s is %s", iccid, st)
	}
	return sims[0], nil
}

// MallPlans lists the plans the SIM can buy in the Mall: those of its
// enterprise it can order and that carry a price.
func (s *Service) MallPlans(ctx context.Context, iccid string) ([]*Plan, error) {
	if _, err := s.MallVerify(ctx, iccid); err != nil {
		return nil, err
	}
	dps, _, err := s.FindDevicePlans(ctx, []string{iccid}, Page{Limit: 1})
	if err != nil {
		return nil, err
	}
	var out []*Plan
	for _, dp := range dps {
		for _, p := range dp.Plans {
			if p.PriceMinor > 0 && p.Currency != "" {
				out = append(out, p)
			}
		}
	}
	return out, nil
}

// MallOrder records a Mall purchase. A paid one becomes an order on the
// SIM, in the same transaction: it is enabled at once when the SIM has no
// in-use order (and waits, not enabled, otherwise), with the order events
// and the recharge push of any order. The paid amount and currency must be
// the plan's price times the periods (KindPriceMismatch). The same order
// number again returns the first outcome; a pending order paid later
// becomes the SIM order then.
func (s *Service) MallOrder(ctx context.Context, r MallOrderRequest) (*MallOrder, *Order, error) {
	code, err := enterprise(ctx)
	if err != nil {
		return nil, nil, err
	}
	switch {
	case r.OrderNo == "":
		return nil, nil, Invalid("orderNo", "orderNo is required")
	case r.ICCID == "":
		return nil, nil, Invalid("deviceCode", "deviceCode is required")
	case r.PackageCode == "":
		return nil, nil, Invalid("packageCode", "packageCode is required")
	case r.OrderPeriod < 1 || r.OrderPeriod > 120:
		return nil, nil, Invalid("orderPeriod", "orderPeriod must be 1-120")
	}
	var (
		m     *MallOrder
		order *Order
	)
	err = s.Store.UpdateMall(ctx, func(tx MallTx) error {
		m, order = nil, nil
		prev, err := tx.MallOrder(ctx, code, r.OrderNo)
		if err != nil {
			return err
		}
		if prev != nil && (prev.Paid || !r.Paid) {
			m = prev // a repeat: the first outcome
			if prev.OrderID != "" {
				order, err = tx.Order(ctx, code, prev.OrderID)
			}
			return err
		}
		if prev != nil && (prev.ICCID != r.ICCID || prev.PackageCode != r.PackageCode) {
			return Invalid("orderNo", "orderNo %s names another purchase", r.OrderNo)
		}
		sim, err := tx.SIM(ctx, code, r.ICCID)
		if err != nil {
			return err
		}
		plan, err := tx.Plan(ctx, code, r.PackageCode)
		if err != nil {
			return err
		}
		if !plan.OrderableBy(sim) {
			return Errorf(KindPlanNotOrderable, "plan %s cannot be ordered for SIM %s", plan.Code, sim.ICCID)
		}
		if want := plan.PriceMinor * int64(r.OrderPeriod); r.PayAmountMinor != want || !strings.EqualFold(r.PayCurrency, plan.Currency) {
			return Errorf(KindPriceMismatch, "payAmount %d %s differs from the price %d %s", r.PayAmountMinor, r.PayCurrency, want, plan.Currency)
		}
		now := s.Clock.Now()
		m = &MallOrder{
			OrderNo: r.OrderNo, EnterpriseCode: code, ICCID: sim.ICCID, PackageCode: plan.Code, OrderPeriod: r.OrderPeriod,
			PayID: r.PayID, PayType: r.PayType, PayAmountMinor: r.PayAmountMinor, PayCurrency: strings.ToUpper(r.PayCurrency),
			Paid: r.Paid, AutoRenewal: r.AutoRenewal, CreatedAt: now, UpdatedAt: now,
		}
		if prev != nil {
			m.CreatedAt = prev.CreatedAt
		}
		if r.Paid {
			req := OrderRequest{ICCID: sim.ICCID, PlanCode: plan.Code, PlanName: plan.Name, PlanType: plan.Type,
				OrderPeriod: r.OrderPeriod, PayAmountMinor: r.PayAmountMinor, PayRst: "1", PayType: r.PayType}
			if order, err = s.newOrder(ctx, tx, code, &req, sim.ICCID); err != nil {
				return err
			}
			active, err := tx.ActiveOrder(ctx, sim.ICCID)
			if err != nil {
				return err
			}
			if err := s.place(ctx, tx, order, active == nil && !sim.OTA); err != nil {
				return err
			}
			m.OrderID = order.ID
			if err := tx.InsertEvent(ctx, rechargeEvent(m, order)); err != nil {
				return err
			}
		}
		return tx.PutMallOrder(ctx, m)
	})
	if err != nil {
		return nil, nil, err
	}
	return m, order, nil
}

// rechargeEvent is the recharge-success push of a paid Mall order.
func rechargeEvent(m *MallOrder, o *Order) *Event {
	e := NewEvent(EventMallRecharge, o)
	data, _ := json.Marshal(map[string]string{
		"orderNo": m.OrderNo, "deviceCode": m.ICCID, "packageCode": m.PackageCode, "orderId": o.ID,
		"payAmount": formatMinor(m.PayAmountMinor), "payCurrency": m.PayCurrency, "payId": m.PayID,
	})
	e.Data = string(data)
	return e
}

// formatMinor renders minor units with two decimals (D16).
func formatMinor(n int64) string {
	sign := ""
	if n < 0 {
		sign, n = "-", -n
	}
	frac := n % 100
	s := sign + itoa(n/100) + "."
	if frac < 10 {
		s += "0"
	}
	return s + itoa(frac)
}

func itoa(n int64) string {
	if n == 0 {
		return "0"
	}
	var b [20]byte
	i := len(b)
	for n > 0 {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
	}
	return string(b[i:])
}

// MallOrders returns the SIM's active (in use or suspended) and pending
// (not enabled) orders, and its Mall orders awaiting payment.
func (s *Service) MallOrders(ctx context.Context, iccid string) (active, pending []*Order, unpaid []*MallOrder, err error) {
	code, err := enterprise(ctx)
	if err != nil {
		return nil, nil, nil, err
	}
	if _, err := s.MallVerify(ctx, iccid); err != nil {
		return nil, nil, nil, err
	}
	orders, _, err := s.Store.FindOrders(ctx, OrderFilter{Enterprise: code, ICCID: iccid})
	if err != nil {
		return nil, nil, nil, err
	}
	for _, o := range orders {
		switch {
		case o.Status.Active():
			active = append(active, o)
		case o.Status == OrderNotEnabled:
			pending = append(pending, o)
		}
	}
	ms, err := s.Store.FindMallOrders(ctx, MallOrderFilter{Enterprise: code, ICCID: iccid})
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

// MallAutoRenewals returns the SIM's Mall orders with auto-renewal on.
func (s *Service) MallAutoRenewals(ctx context.Context, iccid string) ([]*MallOrder, error) {
	code, err := enterprise(ctx)
	if err != nil {
		return nil, err
	}
	ms, err := s.Store.FindMallOrders(ctx, MallOrderFilter{Enterprise: code, ICCID: iccid})
	if err != nil {
		return nil, err
	}
	var out []*MallOrder
	for _, m := range ms {
		if m.AutoRenewal {
			out = append(out, m)
		}
	}
	return out, nil
}

// CancelMallAutoRenewal turns auto-renewal off for the SIM's Mall order
// orderNo (every one of the SIM's when orderNo is empty) and returns those
// it changed; KindOrderNotFound when none has it on.
func (s *Service) CancelMallAutoRenewal(ctx context.Context, iccid, orderNo string) ([]*MallOrder, error) {
	code, err := enterprise(ctx)
	if err != nil {
		return nil, err
	}
	var changed []*MallOrder
	err = s.Store.UpdateMall(ctx, func(tx MallTx) error {
		changed = changed[:0]
		ms, err := s.Store.FindMallOrders(ctx, MallOrderFilter{Enterprise: code, ICCID: iccid, OrderNo: orderNo})
		if err != nil {
			return err
		}
		for _, m := range ms {
			if !m.AutoRenewal {
				continue
			}
			m.AutoRenewal, m.UpdatedAt = false, s.Clock.Now()
			if err := tx.PutMallOrder(ctx, m); err != nil {
				return err
			}
			changed = append(changed, m)
		}
		if len(changed) == 0 {
			return Errorf(KindOrderNotFound, "no Mall order of SIM %s with auto-renewal on", iccid)
		}
		return nil
	})
	return changed, err
}

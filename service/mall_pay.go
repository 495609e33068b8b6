package service

import (
	"context"
	"strings"
	"time"

	"github.com/opencube/opencube"
	"github.com/opencube/opencube/money"
	"github.com/opencube/opencube/shop"
	"github.com/opencube/opencube/stripepay"
)

// intentMetadata is the metadata of what the Mall creates at Stripe for m.
func intentMetadata(m *shop.MallOrder) map[string]string {
	return map[string]string{stripepay.MetaShop: stripepay.MetaShopMall, stripepay.MetaPartner: m.EnterpriseCode,
		stripepay.MetaOrder: m.OrderNo, "deviceCode": m.ICCID}
}

// attachIntent creates the Stripe payment intent of a pending Mall order
// (and, for auto-renewal, the customer whose card is kept for the
// renewals), outside any transaction, then records it on the order unless
// another request did first.
func (s *Mall) attachIntent(ctx context.Context, m *shop.MallOrder) (*shop.MallOrder, error) {
	customer := m.CustomerID
	if m.AutoRenewal && customer == "" {
		var err error
		if customer, err = s.Stripe.CreateCustomer(ctx, "SIM "+m.ICCID+" of "+m.EnterpriseCode, intentMetadata(m)); err != nil {
			return nil, err
		}
	}
	in, err := s.Stripe.CreatePaymentIntent(ctx, m.PayAmountMinor, m.PayCurrency, intentMetadata(m), customer)
	if err != nil {
		return nil, err
	}
	var out *shop.MallOrder
	err = s.Store.UpdateMall(ctx, func(tx shop.MallTx) error {
		cur, err := tx.MallOrder(ctx, m.EnterpriseCode, m.OrderNo)
		if err != nil {
			return err
		}
		if cur == nil {
			return opencube.Errorf(opencube.KindOrderNotFound, "Mall order %s not found", m.OrderNo)
		}
		out = cur
		if cur.Paid || cur.ClientSecret != "" {
			return nil // paid meanwhile, or another request's intent came first
		}
		cur.PayID, cur.PayType, cur.ClientSecret, cur.CustomerID, cur.UpdatedAt = in.ID, "stripe", in.ClientSecret, customer, s.Clock.Now()
		return tx.PutMallOrder(ctx, cur)
	})
	return out, err
}

// MallPayment is a payment of a Mall order, as its provider reported it.
type MallPayment struct {
	OrderNo     string
	Succeeded   bool
	AmountMinor int64
	Currency    string
	Provider    string // "stripe"
	Reference   string // the provider's payment id
}

// Settle records the verified outcome of a Mall order's payment, for the
// enterprise in ctx. A success makes the order paid and a SIM order, in
// one transaction (the amount and currency must be the order's price:
// KindPriceMismatch naming payAmount, and nothing changes); a failure
// marks it failed and changes no SIM. The notice that settled an order,
// again, answers as it did; a paid order is never paid twice
// (KindOrderState).
func (s *Mall) Settle(ctx context.Context, p MallPayment) (*shop.MallOrder, error) {
	code, err := enterprise(ctx)
	if err != nil {
		return nil, err
	}
	var (
		out     *shop.MallOrder
		outcome string
	)
	err = s.Store.UpdateMall(ctx, func(tx shop.MallTx) error {
		outcome = ""
		m, err := tx.MallOrder(ctx, code, p.OrderNo)
		if err != nil {
			return err
		}
		if m == nil {
			return opencube.Errorf(opencube.KindOrderNotFound, "Mall order %s not found", p.OrderNo)
		}
		out = m
		if m.Paid {
			if p.Succeeded && m.PayID == p.Reference {
				return nil // the same notice again
			}
			return opencube.Errorf(opencube.KindOrderState, "Mall order %s is already paid", m.OrderNo).Because(opencube.CauseOrderSettled)
		}
		// An order that holds a Stripe payment intent (made by the
		// authorisation) is settled by that intent's outcome only.
		if p.Provider == "stripe" && strings.HasPrefix(m.PayID, "pi_") && p.Reference != m.PayID {
			return opencube.Errorf(opencube.KindOrderState, "payment intent %s is not of Mall order %s, which holds %s", p.Reference, m.OrderNo, m.PayID).
				Because(shop.CauseOtherIntent, p.Reference, m.OrderNo, m.PayID)
		}
		if p.AmountMinor != m.PayAmountMinor || !strings.EqualFold(p.Currency, m.PayCurrency) {
			return opencube.Errorf(opencube.KindPriceMismatch, "paid %d %s, Mall order %s costs %d %s", p.AmountMinor, p.Currency,
				m.OrderNo, m.PayAmountMinor, m.PayCurrency).Because(opencube.CausePrice, "payAmount", money.Format(m.PayAmountMinor), m.PayCurrency)
		}
		m.PayProvider, m.UpdatedAt = p.Provider, s.Clock.Now()
		if p.Reference != "" {
			m.PayID = p.Reference
		}
		if !p.Succeeded {
			m.PayFailed, outcome = true, PaymentFailed
			return tx.PutMallOrder(ctx, m)
		}
		if _, err := s.sell(ctx, tx, m, false); err != nil {
			return err
		}
		outcome = PaymentPaid
		return tx.PutMallOrder(ctx, m)
	})
	s.Observe.observe(ShopMall, PaymentOrder, outcome, err)
	return out, err
}

// StripeEvent acts on a verified Stripe event of the Mall, for the
// enterprise its metadata names: a payment intent's outcome settles its
// order; a paid subscription invoice renews the order by one more
// period; a failed one stops the auto-renewal. Events of other shops, or
// of no order, are ignored (nil, nil).
func (s *Mall) StripeEvent(ctx context.Context, ev *stripepay.Event) (*shop.MallOrder, error) {
	meta := ev.Metadata()
	if meta[stripepay.MetaShop] != stripepay.MetaShopMall || meta[stripepay.MetaPartner] == "" || meta[stripepay.MetaOrder] == "" {
		return nil, nil
	}
	ctx = opencube.NewContext(ctx, meta[stripepay.MetaPartner])
	switch ev.Type {
	case stripepay.PaymentSucceeded, stripepay.PaymentFailed:
		in := ev.Intent
		return s.Settle(ctx, MallPayment{OrderNo: meta[stripepay.MetaOrder], Succeeded: ev.Type == stripepay.PaymentSucceeded,
			AmountMinor: in.AmountMinor, Currency: in.Currency, Provider: "stripe", Reference: in.ID})
	case stripepay.InvoicePaid, stripepay.InvoiceFailed:
		return s.Invoice(ctx, meta[stripepay.MetaOrder], ev.Invoice, ev.Type == stripepay.InvoicePaid)
	}
	return nil, nil
}

// Invoice acts on a subscription invoice of an auto-renewed Mall order,
// once per invoice. The invoice must be of the subscription the order
// holds (createSubscription), else KindOrderState and nothing changes.
// Paid (its amount and currency the order's price, else
// KindPriceMismatch), the SIM's order is renewed by the Mall order's
// periods with a recharge push (renewal n); failed, auto-renewal stops, the
// subscription is cancelled at Stripe (a job), a recharge push with result
// failed tells the enterprise, and the SIM's order runs to its expiry.
func (s *Mall) Invoice(ctx context.Context, orderNo string, inv *stripepay.Invoice, paid bool) (*shop.MallOrder, error) {
	code, err := enterprise(ctx)
	if err != nil {
		return nil, err
	}
	var (
		out     *shop.MallOrder
		outcome string
	)
	err = s.Store.UpdateMall(ctx, func(tx shop.MallTx) error {
		outcome = ""
		m, err := tx.MallOrder(ctx, code, orderNo)
		if err != nil {
			return err
		}
		if m == nil || !m.Paid {
			return opencube.Errorf(opencube.KindOrderNotFound, "no paid Mall order %s", orderNo)
		}
		out = m
		if inv.ID != "" && m.LastInvoice == inv.ID {
			return nil // this invoice's notice again
		}
		// Only an invoice of the subscription the order holds renews it
		// (or ends its renewal): an order paid once, with auto-renewal
		// asked for but no subscription created, renews nothing.
		if m.SubscriptionID == "" || inv.Subscription != m.SubscriptionID {
			return opencube.Errorf(opencube.KindOrderState, "invoice %s is of subscription %q, Mall order %s holds %q",
				inv.ID, inv.Subscription, m.OrderNo, m.SubscriptionID).
				Because(shop.CauseOtherSubscription, inv.ID, inv.Subscription, m.OrderNo, m.SubscriptionID)
		}
		now := s.Clock.Now()
		m.LastInvoice, m.UpdatedAt = inv.ID, now
		if !paid {
			m.AutoRenewal, m.RenewalStopped = false, "payment_failed"
			if err := cancelSubscription(ctx, tx, m, now); err != nil {
				return err
			}
			if o, err := tx.Order(ctx, code, m.OrderID); err == nil {
				if err := tx.InsertEvent(ctx, renewalFailedEvent(m, o)); err != nil {
					return err
				}
			} else if opencube.ErrorKind(err) != opencube.KindOrderNotFound {
				return err
			}
			outcome = PaymentFailed
			return tx.PutMallOrder(ctx, m)
		}
		if inv.AmountMinor != m.PayAmountMinor || !strings.EqualFold(inv.Currency, m.PayCurrency) {
			return opencube.Errorf(opencube.KindPriceMismatch, "invoice %s of %d %s, Mall order %s renews at %d %s", inv.ID, inv.AmountMinor,
				inv.Currency, m.OrderNo, m.PayAmountMinor, m.PayCurrency).Because(opencube.CausePrice, "payAmount", money.Format(m.PayAmountMinor), m.PayCurrency)
		}
		m.Renewals++
		if _, err := s.sell(ctx, tx, m, true); err != nil {
			return err
		}
		outcome = PaymentPaid
		return tx.PutMallOrder(ctx, m)
	})
	s.Observe.observe(ShopMall, PaymentRenewal, outcome, err)
	return out, err
}

// renewalFailedEvent is the recharge push of a renewal whose payment
// failed: result failed, the SIM's order as it is.
func renewalFailedEvent(m *shop.MallOrder, o *opencube.Order) *opencube.Event {
	e := rechargeEvent(m, o, true)
	e.Data = strings.Replace(e.Data, `"result":"success"`, `"result":"failed"`, 1)
	return e
}

// cancelSubscription writes, in tx, the job that cancels m's Stripe
// subscription, when it has one.
func cancelSubscription(ctx context.Context, tx shop.MallTx, m *shop.MallOrder, now time.Time) error {
	if m.SubscriptionID == "" {
		return nil
	}
	return tx.InsertJob(ctx, &opencube.Job{ID: opencube.NewUUID(), Kind: shop.JobMallCancelSubscription, Key: m.SubscriptionID, RunAt: now})
}

// CancelSubscriptionJob is the shop.JobMallCancelSubscription handler: it
// cancels the subscription (the key) at Stripe. A failure is retried.
func (s *Mall) CancelSubscriptionJob(ctx context.Context, j *opencube.Job) error {
	if !s.Stripe.CanCall() {
		return nil
	}
	return s.Stripe.CancelSubscription(ctx, j.Key)
}

// Authorize returns the Mall order's Stripe payment intent (its client
// secret confirms the card on the buyer's page; with auto-renewal the card
// is kept for the renewals), creating it when the order has none:
// KindOrderState for a paid order, KindInvalid when no Stripe account is
// configured.
func (s *Mall) Authorize(ctx context.Context, orderNo string) (*shop.MallOrder, error) {
	m, err := s.mallOrder(ctx, orderNo)
	if err != nil {
		return nil, err
	}
	if m.Paid {
		return nil, opencube.Errorf(opencube.KindOrderState, "Mall order %s is already paid", orderNo).Because(opencube.CauseOrderSettled)
	}
	if !s.Stripe.CanCall() {
		return nil, opencube.Invalid("payType", "no Stripe account is configured: the partner reports payments (SynOrderInfo)")
	}
	if m.ClientSecret != "" {
		return m, nil
	}
	return s.attachIntent(ctx, m)
}

// mallOrder returns the enterprise's Mall order; KindOrderNotFound when
// unknown.
func (s *Mall) mallOrder(ctx context.Context, orderNo string) (*shop.MallOrder, error) {
	code, err := enterprise(ctx)
	if err != nil {
		return nil, err
	}
	if orderNo == "" {
		return nil, opencube.Invalid("orderNo", "orderNo is required")
	}
	ms, err := s.Store.FindMallOrders(ctx, shop.MallOrderFilter{Enterprise: code, OrderNo: orderNo})
	if err != nil {
		return nil, err
	}
	if len(ms) == 0 {
		return nil, opencube.Errorf(opencube.KindOrderNotFound, "Mall order %s not found", orderNo)
	}
	return ms[0], nil
}

// ConfirmPayment asks Stripe for the outcome of the order's payment intent
// and records it as Settle does (the API's answer is as good as its
// webhook): the order as it then is. An order without a Stripe intent is
// answered as it is.
func (s *Mall) ConfirmPayment(ctx context.Context, orderNo string) (*shop.MallOrder, error) {
	m, err := s.mallOrder(ctx, orderNo)
	if err != nil {
		return nil, err
	}
	if m.Paid || !strings.HasPrefix(m.PayID, "pi_") || !s.Stripe.CanCall() {
		return m, nil
	}
	in, err := s.Stripe.PaymentIntent(ctx, m.PayID)
	if err != nil {
		return nil, err
	}
	if in.Metadata[stripepay.MetaOrder] != m.OrderNo || in.Metadata[stripepay.MetaPartner] != m.EnterpriseCode {
		return m, nil // not this order's intent: nothing to learn from it
	}
	switch in.Status {
	case "succeeded":
		return s.Settle(ctx, MallPayment{OrderNo: orderNo, Succeeded: true, AmountMinor: in.AmountMinor, Currency: in.Currency, Provider: "stripe", Reference: in.ID})
	case "canceled":
		return s.Settle(ctx, MallPayment{OrderNo: orderNo, AmountMinor: m.PayAmountMinor, Currency: m.PayCurrency, Provider: "stripe", Reference: in.ID})
	}
	return m, nil
}

// CreateSubscription starts the Stripe subscription that renews a paid
// Mall order with auto-renewal on: the order's price every period of its
// plan times its orderPeriod, the first invoice due a day before the SIM's
// order expires (so that it renews the order while in use), charged to
// paymentMethod (the customer's default card when empty). The same order
// again returns its subscription.
// KindOrderState when the order is unpaid or has auto-renewal off.
func (s *Mall) CreateSubscription(ctx context.Context, orderNo, paymentMethod string) (*shop.MallOrder, error) {
	m, err := s.mallOrder(ctx, orderNo)
	if err != nil {
		return nil, err
	}
	if m.SubscriptionID != "" {
		return m, nil
	}
	if !m.Paid || !m.AutoRenewal {
		return nil, opencube.Errorf(opencube.KindOrderState, "Mall order %s must be paid with autoRenewal=1 to subscribe", orderNo)
	}
	if !s.Stripe.CanCall() {
		return nil, opencube.Invalid("payType", "no Stripe account is configured")
	}
	orders, _, err := s.Store.FindOrders(ctx, opencube.OrderFilter{Enterprise: m.EnterpriseCode, ICCID: m.ICCID})
	if err != nil {
		return nil, err
	}
	var (
		o   *opencube.Order
		due time.Time
	)
	for _, x := range orders {
		if x.ID == m.OrderID {
			o = x
		}
	}
	if o == nil {
		return nil, opencube.Errorf(opencube.KindOrderNotFound, "the order of Mall order %s is gone", orderNo)
	}
	if o.ExpiresAt != nil {
		// The first renewal is charged a day before the order expires, so
		// that its invoice renews the order while it is in use.
		due = o.ExpiresAt.Add(-24 * time.Hour)
		if now := s.Clock.Now(); due.Before(now) {
			due = now.Add(time.Hour)
		}
	}
	interval, count := "month", int64(o.PlanType.Months())*int64(m.OrderPeriod)
	if count == 0 {
		interval, count = "day", int64(m.OrderPeriod)
	}
	customer := m.CustomerID
	if customer == "" {
		if customer, err = s.Stripe.CreateCustomer(ctx, "SIM "+m.ICCID+" of "+m.EnterpriseCode, intentMetadata(m)); err != nil {
			return nil, err
		}
	}
	sub, err := s.Stripe.CreateSubscription(ctx, customer, paymentMethod, "opencube plan "+m.PackageCode, m.PayAmountMinor, m.PayCurrency,
		interval, count, due, intentMetadata(m))
	if err != nil {
		return nil, err
	}
	var out *shop.MallOrder
	err = s.Store.UpdateMall(ctx, func(tx shop.MallTx) error {
		cur, err := tx.MallOrder(ctx, m.EnterpriseCode, orderNo)
		if err != nil || cur == nil {
			return err
		}
		out = cur
		if cur.SubscriptionID != "" {
			// Another request subscribed first: this one's goes.
			return tx.InsertJob(ctx, &opencube.Job{ID: opencube.NewUUID(), Kind: shop.JobMallCancelSubscription, Key: sub.ID, RunAt: s.Clock.Now()})
		}
		cur.SubscriptionID, cur.CustomerID, cur.UpdatedAt = sub.ID, customer, s.Clock.Now()
		return tx.PutMallOrder(ctx, cur)
	})
	return out, err
}

// OrderDetail implements mall.Service.
func (s *Mall) OrderDetail(ctx context.Context, orderNo string) (*shop.MallOrder, *opencube.Order, error) {
	m, err := s.mallOrder(ctx, orderNo)
	if err != nil || m.OrderID == "" {
		return m, nil, err
	}
	os, _, err := s.Store.FindOrders(ctx, opencube.OrderFilter{Enterprise: m.EnterpriseCode, ICCID: m.ICCID})
	if err != nil {
		return nil, nil, err
	}
	for _, o := range os {
		if o.ID == m.OrderID {
			return m, o, nil
		}
	}
	return m, nil, nil
}

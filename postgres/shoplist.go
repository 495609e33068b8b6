package postgres

import (
	"context"
	"time"

	"github.com/opencube/opencube/operator"
	"github.com/opencube/opencube/shop"
)

// ListMallOrders implements operator.ListStore: newest first.
func (db *DB) ListMallOrders(ctx context.Context, q operator.MallOrderQuery) (*operator.List[*shop.MallOrder], error) {
	var w where
	if q.Enterprise != "" {
		w.and(`enterprise_code = ?`, q.Enterprise)
	}
	if q.ICCID != "" {
		w.and(`iccid = ?`, q.ICCID)
	}
	switch q.Status {
	case operator.MallPaid:
		w.and(`paid`)
	case operator.MallFailed:
		w.and(`NOT paid AND pay_failed`)
	case operator.MallPending:
		w.and(`NOT paid AND NOT pay_failed`)
	}
	createdWithin(&w, q.From, q.To)
	return listPage(ctx, db, keyset[*shop.MallOrder]{
		what: "Mall orders", cols: mallOrderColumns, from: "mall_orders", w: w, order: "created_at DESC, enterprise_code DESC, order_no DESC",
		after: func(k []string) (string, []any, error) {
			t, err := cursorTime(q.Page, k[0])
			if err != nil {
				return "", nil, err
			}
			return `(created_at, enterprise_code, order_no) < (?, ?, ?)`, []any{t, k[1], k[2]}, nil
		},
		nkeys: 3, scan: scanMallOrder,
		keys: func(m *shop.MallOrder) []string { return []string{micros(m.CreatedAt), m.EnterpriseCode, m.OrderNo} },
	}, q.Page)
}

// ListESIMOrders implements operator.ListStore: newest first.
func (db *DB) ListESIMOrders(ctx context.Context, q operator.ESIMOrderQuery) (*operator.List[*shop.ESIMOrder], error) {
	var w where
	if q.Enterprise != "" {
		w.and(`enterprise_code = ?`, q.Enterprise)
	}
	if q.ICCID != "" {
		w.and(`iccid = ?`, q.ICCID)
	}
	if q.Status != nil {
		w.and(`status = ?`, int32(*q.Status))
	}
	createdWithin(&w, q.From, q.To)
	return listPage(ctx, db, keyset[*shop.ESIMOrder]{
		what: "eSIM orders", cols: esimOrderColumns, from: "esim_orders", w: w, order: "created_at DESC, id DESC",
		after: afterDesc(q.Page, "created_at", "id"), nkeys: 2, scan: scanESIMOrder,
		keys: func(o *shop.ESIMOrder) []string { return []string{micros(o.CreatedAt), o.ID} },
	}, q.Page)
}

// paymentsFrom is the payments of both shops as one table: a Mall order
// that names a payment or was reported by a provider, an eSIM order a
// provider reported on.
const paymentsFrom = `(SELECT 'mall'::text AS shop, enterprise_code, order_no, iccid, pay_provider AS provider, pay_id AS reference,
		pay_amount_minor AS amount_minor, pay_currency AS currency,
		CASE WHEN paid THEN 'succeeded' WHEN pay_failed THEN 'failed' ELSE 'pending' END AS status,
		renewals, order_id AS sim_order_id, created_at, updated_at
	FROM mall_orders WHERE pay_id <> '' OR pay_provider <> ''
	UNION ALL
	SELECT 'esim'::text, enterprise_code, id, iccid, payment_provider, payment_ref, amount_minor, currency,
		CASE status WHEN 1 THEN 'succeeded' WHEN 2 THEN 'failed' ELSE 'pending' END,
		0, sim_order_id, created_at, updated_at
	FROM esim_orders WHERE payment_provider <> '') payments`

const paymentColumns = `shop, enterprise_code, order_no, iccid, provider, reference, amount_minor, currency, status, renewals,
	sim_order_id, created_at, updated_at`

// ListPayments implements operator.ListStore: newest order first.
func (db *DB) ListPayments(ctx context.Context, q operator.PaymentQuery) (*operator.List[*operator.Payment], error) {
	var w where
	if q.Enterprise != "" {
		w.and(`enterprise_code = ?`, q.Enterprise)
	}
	if q.ICCID != "" {
		w.and(`iccid = ?`, q.ICCID)
	}
	if q.Shop != "" {
		w.and(`shop = ?`, q.Shop)
	}
	if q.Status != "" {
		w.and(`status = ?`, string(q.Status))
	}
	createdWithin(&w, q.From, q.To)
	return listPage(ctx, db, keyset[*operator.Payment]{
		what: "payments", cols: paymentColumns, from: paymentsFrom, w: w,
		order: "created_at DESC, shop DESC, enterprise_code DESC, order_no DESC",
		after: func(k []string) (string, []any, error) {
			t, err := cursorTime(q.Page, k[0])
			if err != nil {
				return "", nil, err
			}
			return `(created_at, shop, enterprise_code, order_no) < (?, ?, ?, ?)`, []any{t, k[1], k[2], k[3]}, nil
		},
		nkeys: 4,
		scan: func(s scanner) (*operator.Payment, error) {
			var (
				p        operator.Payment
				status   string
				renewals int32
			)
			if err := s.Scan(&p.Shop, &p.Enterprise, &p.OrderNo, &p.ICCID, &p.Provider, &p.Reference, &p.AmountMinor, &p.Currency,
				&status, &renewals, &p.SIMOrderID, &p.CreatedAt, &p.UpdatedAt); err != nil {
				return nil, err
			}
			p.Status, p.Renewals, p.CreatedAt, p.UpdatedAt = operator.PaymentStatus(status), int(renewals), utc(p.CreatedAt), utc(p.UpdatedAt)
			return &p, nil
		},
		keys: func(p *operator.Payment) []string {
			return []string{micros(p.CreatedAt), p.Shop, p.Enterprise, p.OrderNo}
		},
	}, q.Page)
}

// ListGroups implements operator.ListStore: enterprise, then group id
// order.
func (db *DB) ListGroups(ctx context.Context, q operator.GroupQuery) (*operator.List[*shop.BundleGroup], error) {
	var w where
	if q.Enterprise != "" {
		w.and(`g.enterprise_code = ?`, q.Enterprise)
	}
	return listPage(ctx, db, keyset[*shop.BundleGroup]{
		what: "bundle groups", from: "mall_groups g", w: w, order: "g.enterprise_code, g.group_id",
		cols: `g.enterprise_code, g.group_id, g.name, g.base_plan, g.created_at,
			(SELECT count(*) FROM mall_group_sims s WHERE s.enterprise_code = g.enterprise_code AND s.group_id = g.group_id)`,
		after: func(k []string) (string, []any, error) {
			return `(g.enterprise_code, g.group_id) > (?, ?)`, []any{k[0], k[1]}, nil
		},
		nkeys: 2, scan: scanGroup,
		keys: func(g *shop.BundleGroup) []string { return []string{g.EnterpriseCode, g.ID} },
	}, q.Page)
}

// createdWithin narrows w to created_at within [from, to); a zero bound
// is open.
func createdWithin(w *where, from, to time.Time) {
	if !from.IsZero() {
		w.and(`created_at >= ?`, from)
	}
	if !to.IsZero() {
		w.and(`created_at < ?`, to)
	}
}

package opencube

import (
	"context"
	"errors"
	"fmt"
	"slices"
)

// Service implements PlanService and AdminService over a Store: it holds the
// business rules, the store holds the transactions.
type Service struct {
	Store Store
	Clock Clock
	IDs   *IDGenerator
	// MaxBulk is the largest deviceList of a bulk order (D15).
	MaxBulk int
}

// NewService returns a Service over store with the system clock.
func NewService(store Store) *Service {
	return &Service{Store: store, Clock: SystemClock, IDs: NewIDGenerator(0), MaxBulk: 1000}
}

var (
	_ PlanService  = (*Service)(nil)
	_ AdminService = (*Service)(nil)
)

func enterprise(ctx context.Context) (string, error) {
	code := EnterpriseFrom(ctx)
	if code == "" {
		return "", Errorf(KindUnauthenticated, "no enterprise in context")
	}
	return code, nil
}

// FindPlans implements PlanService.
func (s *Service) FindPlans(ctx context.Context, f PlanFilter) ([]*Plan, int, error) {
	code, err := enterprise(ctx)
	if err != nil {
		return nil, 0, err
	}
	f.Enterprise = code
	return s.Store.FindPlans(ctx, f)
}

func (r *OrderRequest) validate() error {
	switch {
	case r.PlanCode == "":
		return Invalid("package_code", "package_code is required")
	case r.PlanName == "":
		return Invalid("package_name", "package_name is required")
	case !r.PlanType.Valid():
		return Invalid("package_type", "package_type must be 0-5")
	case r.OrderPeriod < 1:
		return Invalid("order_period", "order_period must be a positive integer")
	case r.PayAmountMinor < 0:
		return Invalid("pay_amount", "pay_amount must not be negative")
	}
	return nil
}

// matches reports whether the request names the plan by its own name and type.
func (r *OrderRequest) matches(p *Plan) error {
	if p.Name != r.PlanName || p.Type != r.PlanType {
		return Errorf(KindPlanNotOrderable, "package_name or package_type does not match plan %s", p.Code)
	}
	return nil
}

// newOrder builds (and validates against SIM and plan) the order r asks for.
func (s *Service) newOrder(ctx context.Context, tx OrderTx, code string, r *OrderRequest, iccid string) (*Order, error) {
	sim, err := tx.SIM(ctx, code, iccid)
	if err != nil {
		return nil, err
	}
	plan, err := tx.Plan(ctx, code, r.PlanCode)
	if err != nil {
		return nil, err
	}
	if err := r.matches(plan); err != nil {
		return nil, err
	}
	if !plan.OrderableBy(sim) {
		return nil, Errorf(KindPlanNotOrderable, "OTA plan %s cannot be ordered for non-OTA SIM %s", plan.Code, sim.ICCID)
	}
	if r.Open && sim.OTA {
		return nil, Errorf(KindOTA, "OTA SIM %s must order with is_open=0", sim.ICCID)
	}
	if sim.Status == SIMSuspended || sim.Status == SIMTerminated {
		return nil, Errorf(KindSIMState, "SIM %s is %s", sim.ICCID, sim.Status)
	}
	now := s.Clock.Now()
	n := s.IDs.Next(now)
	buy := BuyNormal
	if r.TestFlowFlag == "1" {
		buy = BuyTest
	}
	return &Order{
		ID: OrderID(n), Code: OrderCode(n), EnterpriseCode: code, ICCID: sim.ICCID, IMSI: sim.IMSI,
		PlanCode: plan.Code, PlanName: plan.Name, PlanType: plan.Type, VolumeBytes: plan.VolumeBytes,
		OrderPeriod: r.OrderPeriod, Days: r.Days, TimingType: r.TimingType, MCC: r.MCC,
		Status: OrderNotEnabled, BuyType: buy, PayAmountMinor: r.PayAmountMinor, PayRst: r.PayRst,
		PayType: r.PayType, GlobalOrder: r.GlobalOrder, TestFlow: r.TestFlow, TestFlowFlag: r.TestFlowFlag,
		OTA: sim.OTA, OrderedAt: now, UpdatedAt: now,
	}, nil
}

// place inserts a new order, enabling it at once when asked.
func (s *Service) place(ctx context.Context, tx OrderTx, o *Order, open bool) error {
	if open {
		active, err := tx.ActiveOrder(ctx, o.ICCID)
		if err != nil {
			return err
		}
		if active != nil {
			return Errorf(KindOrderState, "SIM %s already has active order %s", o.ICCID, active.ID)
		}
	}
	if err := tx.InsertOrder(ctx, o); err != nil {
		if ErrorKind(err) == KindConflict {
			// A duplicate order id is this node's fault (a lost node
			// lease), not the caller's: a system error, safe to retry.
			return fmt.Errorf("order id %s already exists: %w", o.ID, errors.New(err.Error()))
		}
		return err
	}
	if err := tx.InsertEvent(ctx, NewEvent(EventCreateOrder, o)); err != nil {
		return err
	}
	if !open {
		return nil
	}
	ev, err := o.Apply(MoveEnable, o.OrderedAt)
	if err != nil {
		return err
	}
	return saveMove(ctx, tx, o, ev)
}

// saveMove writes a changed order, (re)schedules its expiry, and writes
// the event the change emitted, if any.
func saveMove(ctx context.Context, tx OrderTx, o *Order, ev EventType) error {
	if err := tx.UpdateOrder(ctx, o); err != nil {
		return err
	}
	if err := scheduleExpiry(ctx, tx, o); err != nil {
		return err
	}
	if ev == "" {
		return nil
	}
	return tx.InsertEvent(ctx, NewEvent(ev, o))
}

// OrderPlan implements PlanService.
func (s *Service) OrderPlan(ctx context.Context, r OrderRequest) (*Order, error) {
	code, err := enterprise(ctx)
	if err != nil {
		return nil, err
	}
	if r.ICCID == "" {
		return nil, Invalid("device_id", "device_id is required")
	}
	if err := r.validate(); err != nil {
		return nil, err
	}
	var o *Order
	err = s.Store.UpdateOrders(ctx, func(tx OrderTx) error {
		var err error
		if o, err = s.newOrder(ctx, tx, code, &r, r.ICCID); err != nil {
			return err
		}
		if err := s.place(ctx, tx, o, r.Open); err != nil {
			return err
		}
		Answered(ctx, o)
		return nil
	})
	return o, err
}

// OrderPlans implements PlanService: every device is checked, and any failure
// fails the call with a KindBulkRejected error listing the failing devices.
func (s *Service) OrderPlans(ctx context.Context, r BulkOrderRequest) ([]*Order, error) {
	code, err := enterprise(ctx)
	if err != nil {
		return nil, err
	}
	if len(r.ICCIDs) == 0 {
		return nil, Invalid("deviceList", "deviceList is required")
	}
	if s.MaxBulk > 0 && len(r.ICCIDs) > s.MaxBulk {
		return nil, Invalid("deviceList", "deviceList holds more than %d devices", s.MaxBulk)
	}
	seen := make(map[string]bool, len(r.ICCIDs))
	for _, id := range r.ICCIDs {
		if id == "" || seen[id] {
			return nil, Invalid("deviceList", "deviceList has an empty or repeated ICCID %q", id)
		}
		seen[id] = true
	}
	if err := r.validate(); err != nil {
		return nil, err
	}
	var orders []*Order
	err = s.Store.UpdateOrders(ctx, func(tx OrderTx) error {
		orders = orders[:0]
		// A plan-level fault fails the whole call with its own kind.
		plan, err := tx.Plan(ctx, code, r.PlanCode)
		if err != nil {
			return err
		}
		if err := r.matches(plan); err != nil {
			return err
		}
		var failures []DeviceFailure
		for _, iccid := range r.ICCIDs {
			o, err := s.newOrder(ctx, tx, code, &r.OrderRequest, iccid)
			if err == nil {
				err = s.place(ctx, tx, o, r.Open)
			}
			if err != nil {
				var e *Error
				if !errors.As(err, &e) || e.Kind == KindInternal {
					return err
				}
				failures = append(failures, DeviceFailure{ICCID: iccid, Err: e})
				continue
			}
			orders = append(orders, o)
		}
		if len(failures) > 0 {
			return &Error{Kind: KindBulkRejected, Message: "device " + failures[0].ICCID + " does not meet ordering requirements", Failures: failures}
		}
		Answered(ctx, orders)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return orders, nil
}

// RenewOrder implements PlanService.
func (s *Service) RenewOrder(ctx context.Context, orderID string, periods int) (*Order, error) {
	return s.update(ctx, orderID, func(tx OrderTx, o *Order) (EventType, error) {
		return o.Renew(periods, s.Clock.Now())
	})
}

// update runs one change of an existing order in a transaction, writing the
// order and the event the change emits.
func (s *Service) update(ctx context.Context, orderID string, change func(OrderTx, *Order) (EventType, error)) (*Order, error) {
	code, err := enterprise(ctx)
	if err != nil {
		return nil, err
	}
	if orderID == "" {
		return nil, Invalid("order_id", "order_id is required")
	}
	var o *Order
	err = s.Store.UpdateOrders(ctx, func(tx OrderTx) error {
		var err error
		if o, err = tx.Order(ctx, code, orderID); err != nil {
			return err
		}
		ev, err := change(tx, o)
		if err != nil {
			return err
		}
		if err := saveMove(ctx, tx, o, ev); err != nil {
			return err
		}
		Answered(ctx, o)
		return nil
	})
	return o, err
}

// FindOrders implements PlanService.
func (s *Service) FindOrders(ctx context.Context, f OrderFilter) ([]*Order, int, error) {
	code, err := enterprise(ctx)
	if err != nil {
		return nil, 0, err
	}
	f.Enterprise = code
	return s.Store.FindOrders(ctx, f)
}

// EnableOrder implements PlanService.
func (s *Service) EnableOrder(ctx context.Context, orderID, iccid string) (*Order, error) {
	return s.update(ctx, orderID, func(tx OrderTx, o *Order) (EventType, error) {
		if iccid != "" && iccid != o.ICCID {
			return "", Errorf(KindOrderNotFound, "order %s is not for SIM %s", o.ID, iccid)
		}
		return s.enable(ctx, tx, o)
	})
}

// enable starts o when its SIM holds no other active order.
func (s *Service) enable(ctx context.Context, tx OrderTx, o *Order) (EventType, error) {
	if o.Status != OrderNotEnabled {
		_, err := o.Status.Next(MoveEnable) // the refusal
		return "", err
	}
	active, err := tx.ActiveOrder(ctx, o.ICCID)
	if err != nil {
		return "", err
	}
	if active != nil {
		return "", Errorf(KindOrderState, "SIM %s already has active order %s", o.ICCID, active.ID)
	}
	return o.Apply(MoveEnable, s.Clock.Now())
}

// CancelOrder implements PlanService.
func (s *Service) CancelOrder(ctx context.Context, orderID string) (*Order, error) {
	return s.update(ctx, orderID, func(_ OrderTx, o *Order) (EventType, error) {
		return o.Apply(MoveCancel, s.Clock.Now())
	})
}

// activeOrderID resolves the order a device-level call means: orderID when
// given, else the SIM's active order.
func (s *Service) activeOrderID(ctx context.Context, iccid, orderID string) (string, error) {
	if orderID != "" {
		return orderID, nil
	}
	code, err := enterprise(ctx)
	if err != nil {
		return "", err
	}
	if iccid == "" {
		return "", Invalid("device_id", "device_id or order_id is required")
	}
	var id string
	err = s.Store.UpdateOrders(ctx, func(tx OrderTx) error {
		if _, err := tx.SIM(ctx, code, iccid); err != nil {
			return err
		}
		o, err := tx.ActiveOrder(ctx, iccid)
		if err != nil {
			return err
		}
		if o == nil {
			return Errorf(KindOrderNotFound, "SIM %s has no active order", iccid)
		}
		id = o.ID
		return nil
	})
	return id, err
}

// EndOrder implements PlanService.
func (s *Service) EndOrder(ctx context.Context, r EndOrderRequest) (*Order, error) {
	id, err := s.activeOrderID(ctx, r.ICCID, r.OrderID)
	if err != nil {
		return nil, err
	}
	return s.update(ctx, id, func(tx OrderTx, o *Order) (EventType, error) {
		if r.ICCID != "" && r.ICCID != o.ICCID {
			return "", Errorf(KindOrderNotFound, "order %s is not for SIM %s", o.ID, r.ICCID)
		}
		if r.KeepAlive && o.OTA {
			return "", Errorf(KindOTA, "keep_alive is not supported for OTA SIM %s", o.ICCID)
		}
		ev, err := o.Apply(MoveEnd, s.Clock.Now())
		if err != nil || !r.KeepAlive {
			return ev, err
		}
		// Write the end and its event first so the SIM is free and the
		// events come in the order the moves happened, then start the next
		// order. The end event is written here, so none is returned.
		if err := tx.UpdateOrder(ctx, o); err != nil {
			return "", err
		}
		if err := tx.InsertEvent(ctx, NewEvent(ev, o)); err != nil {
			return "", err
		}
		next, err := tx.NextOrder(ctx, o.ICCID)
		if err != nil || next == nil {
			return "", err
		}
		nev, err := next.Apply(MoveEnable, s.Clock.Now())
		if err != nil {
			return "", err
		}
		if err := tx.UpdateOrder(ctx, next); err != nil {
			return "", err
		}
		if err := scheduleExpiry(ctx, tx, next); err != nil {
			return "", err
		}
		return "", tx.InsertEvent(ctx, NewEvent(nev, next))
	})
}

// SuspendOrder implements PlanService.
func (s *Service) SuspendOrder(ctx context.Context, iccid, orderID string) (*Order, error) {
	return s.deviceMove(ctx, iccid, orderID, MoveSuspend)
}

// ResumeOrder implements PlanService.
func (s *Service) ResumeOrder(ctx context.Context, iccid, orderID string) (*Order, error) {
	return s.deviceMove(ctx, iccid, orderID, MoveResume)
}

func (s *Service) deviceMove(ctx context.Context, iccid, orderID string, move Move) (*Order, error) {
	id, err := s.activeOrderID(ctx, iccid, orderID)
	if err != nil {
		return nil, err
	}
	return s.update(ctx, id, func(_ OrderTx, o *Order) (EventType, error) {
		if iccid != "" && iccid != o.ICCID {
			return "", Errorf(KindOrderNotFound, "order %s is not for SIM %s", o.ID, iccid)
		}
		return o.Apply(move, s.Clock.Now())
	})
}

// FindDevicePlans implements PlanService.
func (s *Service) FindDevicePlans(ctx context.Context, iccids []string, page Page) ([]DevicePlans, int, error) {
	code, err := enterprise(ctx)
	if err != nil {
		return nil, 0, err
	}
	var sims []*SIM
	total := len(iccids)
	if len(iccids) == 0 {
		if sims, total, err = s.Store.FindSIMs(ctx, SIMFilter{Enterprise: code, Page: page}); err != nil {
			return nil, 0, err
		}
	} else {
		lo, hi := min(page.Offset, len(iccids)), min(page.Offset+page.Limit, len(iccids))
		want := iccids[lo:hi]
		found, _, err := s.Store.FindSIMs(ctx, SIMFilter{Enterprise: code, ICCIDs: want, Page: Page{Limit: len(want)}})
		if err != nil {
			return nil, 0, err
		}
		for _, id := range want {
			i := slices.IndexFunc(found, func(s *SIM) bool { return s.ICCID == id })
			if i < 0 {
				return nil, 0, Errorf(KindDeviceNotFound, "SIM %s not found", id)
			}
			sims = append(sims, found[i])
		}
	}
	plans, _, err := s.Store.FindPlans(ctx, PlanFilter{Enterprise: code})
	if err != nil {
		return nil, 0, err
	}
	out := make([]DevicePlans, 0, len(sims))
	for _, sim := range sims {
		dp := DevicePlans{ICCID: sim.ICCID, Plans: []*Plan{}}
		for _, p := range plans {
			if p.OrderableBy(sim) {
				dp.Plans = append(dp.Plans, p)
			}
		}
		out = append(out, dp)
	}
	return out, total, nil
}

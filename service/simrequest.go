package service

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"

	"github.com/opencube/opencube"
	"github.com/opencube/opencube/billing"
	"github.com/opencube/opencube/operator"
)

// SIM operations of asynchronous requests (operator.SIMRequest).
const (
	OpActivate = "activate"
	OpSuspend  = "suspend"
	OpResume   = "resume"
	OpCancel   = "cancel"
	OpReset    = "reset"
	OpLock     = "network_lock"
)

// Disconnecter ends a data session at its NAS (a RADIUS
// Disconnect-Request, radius.Server).
type Disconnecter interface {
	SendDisconnect(ctx context.Context, d *opencube.Disconnect) error
}

// SIMRequests runs asynchronous SIM operations: accepted at once with the
// SIM locked, done by a job (opencube.JobSIMRequest) with the order
// service's rules and events, on one node.
type SIMRequests struct {
	Store interface {
		operator.SIMRequestStore
		operator.DeviceStore
	}
	Clock  opencube.Clock
	Orders *Orders
	// Disconnect ends the sessions of a SIM being reset; nil when the
	// server sends no Disconnect-Requests.
	Disconnect Disconnecter
	// Logger logs the sessions a reset could not end.
	Logger *slog.Logger
}

// Start records r, processing, the job that does it and claim's replay
// entries with answer (when claim is not nil) in one transaction (D28);
// KindSIMState (CauseSIMLocked) when the SIM has an operation processing,
// opencube.ErrReplayed (claim.Prior set) when the request was answered
// before. It fills r's ID (when empty), enterprise and creation time.
func (s *SIMRequests) Start(ctx context.Context, r *operator.SIMRequest, claim *opencube.ReplayClaim, answer []byte) error {
	return s.start(ctx, r, claim, func(opencube.OrderTx) error {
		claim.AnswerWith(answer)
		return nil
	})
}

// StartLock writes the SIM's lock l (opencube's SIMLock; empty fields
// unlock) and starts r, the request that ends the SIM's data sessions so
// that its device attaches again through the lock, in one transaction
// with claim's entries answered by answer. Errors as Start's.
func (s *SIMRequests) StartLock(ctx context.Context, r *operator.SIMRequest, l *operator.SIMLock, claim *opencube.ReplayClaim, answer []byte) error {
	switch {
	case l.IMEI != "" && !opencube.Digits(l.IMEI, 15, 15):
		return opencube.MustBe("imei", "15 digits")
	case l.Network != "" && !opencube.Digits(l.Network, 5, 6):
		return opencube.MustBe("mnc", "2 or 3 digits after a 3-digit mcc")
	}
	return s.start(ctx, r, claim, func(tx opencube.OrderTx) error {
		lt, ok := tx.(operator.SIMLockTx)
		if !ok {
			return errors.New("service: the store cannot lock SIMs")
		}
		l.ICCID, l.UpdatedAt = r.ICCID, s.Clock.Now()
		if err := lt.PutSIMLock(ctx, l); err != nil {
			return err
		}
		claim.AnswerWith(answer)
		return nil
	})
}

// OrderAndStart orders a plan for the SIM of or (not enabled) and starts
// r, an activation of that order, in one transaction with claim's replay
// entries, answered by render(the order): the order, its events, the
// request, its job and the answer commit together (D28). Errors as
// OrderPlan's and Start's.
func (s *SIMRequests) OrderAndStart(ctx context.Context, or opencube.OrderRequest, r *operator.SIMRequest, claim *opencube.ReplayClaim, render func(*opencube.Order) []byte) (*opencube.Order, error) {
	code, err := enterprise(ctx)
	if err != nil {
		return nil, err
	}
	if err := or.Validate(); err != nil {
		return nil, err
	}
	var o *opencube.Order
	err = s.start(ctx, r, claim, func(tx opencube.OrderTx) error {
		var err error
		if o, err = s.Orders.newOrder(ctx, tx, code, &or, or.ICCID); err != nil {
			return err
		}
		if err := s.Orders.place(ctx, tx, o, false); err != nil {
			return err
		}
		if err := charge(ctx, tx, o.OrderedAt, billing.KindOrder, o.PlanCode, o.OrderPeriod, nil, o); err != nil {
			return err
		}
		r.OrderID = o.ID
		claim.AnswerWith(render(o))
		return nil
	})
	return o, err
}

// start writes r and its job after change, in change's transaction.
func (s *SIMRequests) start(ctx context.Context, r *operator.SIMRequest, claim *opencube.ReplayClaim, change func(opencube.OrderTx) error) error {
	code, err := enterprise(ctx)
	if err != nil {
		return err
	}
	if r.ID == "" {
		r.ID = opencube.NewUUID()
	}
	r.Enterprise, r.Status, r.CreatedAt = code, operator.SIMRequestProcessing, s.Clock.Now()
	return s.Store.CreateSIMRequest(ctx, claim, func(tx opencube.OrderTx) (*operator.SIMRequest, *opencube.Job, error) {
		if err := change(tx); err != nil {
			return nil, nil, err
		}
		return r, &opencube.Job{ID: opencube.NewUUID(), Kind: opencube.JobSIMRequest, Key: r.ID, Payload: []byte(code), RunAt: r.CreatedAt}, nil
	})
}

// Find returns one of the enterprise's requests; KindNotFound when unknown.
func (s *SIMRequests) Find(ctx context.Context, id string) (*operator.SIMRequest, error) {
	code, err := enterprise(ctx)
	if err != nil {
		return nil, err
	}
	return s.Store.FindSIMRequest(ctx, code, id)
}

// Locked reports whether the SIM has an operation processing.
func (s *SIMRequests) Locked(ctx context.Context, iccid string) (bool, error) {
	id, err := s.Store.SIMLocked(ctx, iccid)
	return id != "", err
}

// Run is the handler of JobSIMRequest: it does the request's operation,
// acting for the request (its changes pass the SIM's lock), and records
// its outcome, which releases the SIM. A domain error fails the request;
// any other error is the job's, which runs again: each step checks the
// state it finds, so a step done before is not done twice.
func (s *SIMRequests) Run(ctx context.Context, j *opencube.Job) error {
	r, err := s.Store.FindSIMRequest(ctx, string(j.Payload), j.Key)
	if opencube.ErrorKind(err) == opencube.KindNotFound {
		return nil // nothing to do
	}
	if err != nil {
		return err
	}
	if r.Status != operator.SIMRequestProcessing {
		return nil
	}
	actx := opencube.NewContext(operator.WithSIMRequest(ctx, r.ID), r.Enterprise)
	err = s.do(actx, r)
	var e *opencube.Error
	switch {
	case err == nil:
		r.Status = operator.SIMRequestSucceeded
	case errors.As(err, &e) && e.Kind != opencube.KindInternal:
		r.Status, r.ErrorKind, r.ErrorCause, r.ErrorMessage = operator.SIMRequestFailed, e.Kind, e.Cause, e.Message
	default:
		return err
	}
	now := s.Clock.Now()
	r.FinishedAt = &now
	return s.Store.FinishSIMRequest(ctx, r, resultEvent(r))
}

// resultEvent is the outbox event of a finished request
// (EventSIMAsyncResult).
func resultEvent(r *operator.SIMRequest) *opencube.Event {
	data := map[string]any{"request_id": r.ID, "operation": r.Operation, "status": int(r.Status)}
	if r.Status == operator.SIMRequestFailed {
		data["error_kind"], data["error_cause"], data["error_message"] = string(r.ErrorKind), string(r.ErrorCause), r.ErrorMessage
	}
	b, _ := json.Marshal(data) // strings and an integer always encode
	return &opencube.Event{ID: opencube.NewUUID(), EnterpriseCode: r.Enterprise, Type: opencube.EventSIMAsyncResult,
		OrderID: r.OrderID, ICCID: r.ICCID, CreatedAt: *r.FinishedAt, Data: string(b)}
}

// do runs the operation of r.
func (s *SIMRequests) do(ctx context.Context, r *operator.SIMRequest) error {
	switch r.Operation {
	case OpActivate:
		return s.activate(ctx, r)
	case OpSuspend:
		o, err := s.active(ctx, r.ICCID)
		if err != nil || o.Status == opencube.OrderSuspended {
			return err
		}
		_, err = s.Orders.SuspendOrder(ctx, r.ICCID, o.ID)
		return err
	case OpResume:
		o, err := s.active(ctx, r.ICCID)
		if err != nil || o.Status == opencube.OrderInUse {
			return err
		}
		_, err = s.Orders.ResumeOrder(ctx, r.ICCID, o.ID)
		return err
	case OpCancel:
		return s.cancel(ctx, r)
	case OpReset:
		return s.reset(ctx, r)
	case OpLock:
		return s.disconnect(ctx, r.ICCID)
	}
	return opencube.Invalid("operation", "unknown operation %q", r.Operation)
}

// orders returns the SIM's orders, newest first.
func (s *SIMRequests) orders(ctx context.Context, iccid string) ([]*opencube.Order, error) {
	os, _, err := s.Orders.FindOrders(ctx, opencube.OrderFilter{ICCID: iccid, Page: opencube.Page{Limit: 1000}})
	return os, err
}

// active returns the SIM's order in use or suspended; KindOrderState
// (CauseNoActiveOrder) when it has none.
func (s *SIMRequests) active(ctx context.Context, iccid string) (*opencube.Order, error) {
	os, err := s.orders(ctx, iccid)
	if err != nil {
		return nil, err
	}
	for _, o := range os {
		if o.Status.Active() {
			return o, nil
		}
	}
	return nil, opencube.Errorf(opencube.KindOrderState, "SIM %s has no bundle in use", iccid).Because(opencube.CauseNoActiveOrder)
}

// activate starts the request's order, or else the SIM's oldest not
// started one; an order of the SIM in use or suspended is ended first when
// the request names another (add bundle with activate).
func (s *SIMRequests) activate(ctx context.Context, r *operator.SIMRequest) error {
	os, err := s.orders(ctx, r.ICCID)
	if err != nil {
		return err
	}
	var target, current *opencube.Order
	for _, o := range os { // newest first: the last not enabled is the oldest
		switch {
		case r.OrderID != "" && o.ID == r.OrderID:
			target = o
		case r.OrderID == "" && o.Status == opencube.OrderNotEnabled:
			target = o
		}
		if o.Status.Active() {
			current = o
		}
	}
	switch {
	case target == nil:
		return opencube.Errorf(opencube.KindOrderState, "SIM %s has no bundle to start", r.ICCID).Because(opencube.CauseNoOrderToStart)
	case target.Status == opencube.OrderInUse:
		return nil // done before
	case current != nil && r.OrderID == "":
		return opencube.Errorf(opencube.KindOrderState, "SIM %s already has bundle %s in use", r.ICCID, current.ID).Because(opencube.CauseActiveOrder, current.ID)
	case current != nil:
		if _, err := s.Orders.EndOrder(ctx, opencube.EndOrderRequest{OrderID: current.ID}); err != nil {
			return err
		}
	}
	_, err = s.Orders.EnableOrder(ctx, target.ID, r.ICCID)
	return err
}

// cancel ends the request's order (and with KeepAlive starts the next), or
// without one every bundle of the SIM: the one in use or suspended ends,
// those not started are cancelled.
func (s *SIMRequests) cancel(ctx context.Context, r *operator.SIMRequest) error {
	os, err := s.orders(ctx, r.ICCID)
	if err != nil {
		return err
	}
	found := false
	for _, o := range os {
		if r.OrderID != "" && o.ID != r.OrderID {
			continue
		}
		found = true
		switch o.Status {
		case opencube.OrderInUse, opencube.OrderSuspended:
			if _, err := s.Orders.EndOrder(ctx, opencube.EndOrderRequest{OrderID: o.ID, KeepAlive: r.KeepAlive}); err != nil {
				return err
			}
		case opencube.OrderNotEnabled:
			if _, err := s.Orders.CancelOrder(ctx, o.ID); err != nil {
				return err
			}
		}
	}
	if r.OrderID != "" && !found {
		return opencube.Errorf(opencube.KindOrderNotFound, "order %s not found", r.OrderID)
	}
	return nil
}

// reset ends the SIM's open data sessions at their NAS (a
// Disconnect-Request each, when the server sends them), so that its device
// attaches again, and asks the subscriber register, when provisioning is
// on, to provision the SIM again from its state (JobHLRSync). Its orders
// are not touched. A NAS that does not acknowledge is logged: the device
// still attaches again once the register was provisioned.
func (s *SIMRequests) reset(ctx context.Context, r *operator.SIMRequest) error {
	if err := s.disconnect(ctx, r.ICCID); err != nil {
		return err
	}
	if s.Orders.HLR == nil {
		return nil
	}
	return s.Orders.Store.UpdateOrders(ctx, func(tx opencube.OrderTx) error { return s.Orders.HLR.sync(ctx, tx, r.ICCID) })
}

// disconnect ends the SIM's open data sessions at their NAS, when the
// server sends Disconnect-Requests; a NAS that does not acknowledge is
// logged.
func (s *SIMRequests) disconnect(ctx context.Context, iccid string) error {
	if s.Disconnect == nil {
		return nil
	}
	ss, err := s.Store.OpenSessions(ctx, iccid)
	if err != nil {
		return err
	}
	for _, ss := range ss {
		d := &opencube.Disconnect{NASAddr: ss.NASAddr, SessionID: ss.ID, UserName: ss.UserName, IMSI: ss.IMSI, ICCID: ss.ICCID}
		if err := s.Disconnect.SendDisconnect(ctx, d); err != nil && s.Logger != nil {
			s.Logger.WarnContext(ctx, "the NAS did not end the session", "iccid", iccid, "nas", ss.NASAddr, "session", ss.ID, "err", err)
		}
	}
	return nil
}

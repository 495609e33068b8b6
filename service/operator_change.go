package service

import (
	"context"
	"errors"
	"slices"

	"github.com/opencube/opencube"
	"github.com/opencube/opencube/operator"
)

// Changes is the operator API's changes: those no protocol makes (plans,
// grants, enterprise states and secrets, SIM moves between enterprises,
// bulk SIM changes), and its doors to the changes a protocol makes (orders
// and MT messages), which act for the enterprise owning the SIM or order
// through the protocol's own service (Orders, SMS), so that the rules and
// the events are the same as through CSSS.
//
// Methods that take within act inside that enterprise only (an enterprise
// user's): another enterprise's object is answered as unknown. An empty
// within is an operator's: any enterprise.
type Changes struct {
	Store ChangeStore
	Clock opencube.Clock
	// Orders places and moves orders (service.Orders).
	Orders opencube.PlanService
	// SIMs moves SIM states (service.SIMs).
	SIMs opencube.SIMAdminService
	// SMS sends MT messages; nil: SendSMS answers KindNotFound.
	SMS opencube.SMSService
}

// ChangeStore is what Changes reads and writes.
type ChangeStore interface {
	opencube.EnterpriseStore
	opencube.PlanStore
	opencube.OrderStore
	operator.ChangeStore
	// FindOrder reads any enterprise's order (operator.ListStore).
	FindOrder(ctx context.Context, id string) (*opencube.Order, []*opencube.Event, error)
}

// UpdatePlan changes a catalog plan as u says (only the fields set);
// KindPlanNotOrderable when unknown, KindInvalid naming the field when
// the result is not a valid plan. A retired plan is no longer listed or
// orderable; its orders run on, renewals included.
func (c *Changes) UpdatePlan(ctx context.Context, code string, u operator.PlanUpdate) (*opencube.Plan, error) {
	return c.Store.UpdatePlan(ctx, code, u.Apply)
}

// RevokeGrant makes a plan no longer orderable by an enterprise; its
// orders run on. KindNotFound when it was not granted.
func (c *Changes) RevokeGrant(ctx context.Context, accessCode, planCode string) error {
	return c.Store.RevokeGrant(ctx, accessCode, planCode)
}

// SetEnterpriseStatus disables or enables an enterprise. A disabled
// enterprise's signed requests are answered as an unknown access code's
// (1004), its webhook deliveries and MT messages wait (none is lost or
// failed), its data and its SIMs' network service are kept. Enabling it
// sends what waited at once.
func (c *Changes) SetEnterpriseStatus(ctx context.Context, accessCode string, st opencube.EnterpriseStatus) (*opencube.Enterprise, error) {
	switch st {
	case opencube.EnterpriseActive, opencube.EnterpriseDisabled:
	default:
		return nil, opencube.MustBe("status", "active or disabled")
	}
	return c.Store.UpdateEnterprise(ctx, accessCode, c.Clock.Now(), func(e *opencube.Enterprise) error {
		e.Status = st
		return nil
	})
}

// DropSecret takes the secret whose id (opencube.SecretID) is id from an
// enterprise; KindNotFound when it holds none, KindConflict when it is
// the enterprise's last.
func (c *Changes) DropSecret(ctx context.Context, accessCode, id string) (*opencube.Enterprise, error) {
	return c.Store.UpdateEnterprise(ctx, accessCode, c.Clock.Now(), func(e *opencube.Enterprise) error {
		i := slices.IndexFunc(e.Secrets, func(s string) bool { return opencube.SecretID(s) == id })
		if i < 0 {
			return opencube.Errorf(opencube.KindNotFound, "enterprise %s has no secret %s", accessCode, id)
		}
		if len(e.Secrets) == 1 {
			return opencube.Errorf(opencube.KindConflict, "secret %s is enterprise %s's last: add another first", id, accessCode)
		}
		e.Secrets = slices.Delete(e.Secrets, i, i+1)
		if i < len(e.SecretsAdded) {
			e.SecretsAdded = slices.Delete(e.SecretsAdded, i, i+1)
		}
		return nil
	})
}

// MoveSIMTo gives a SIM to another enterprise: its past orders, usage and
// messages stay its first enterprise's. KindOrderState while an order in
// use, suspended or not enabled holds it.
func (c *Changes) MoveSIMTo(ctx context.Context, iccid, accessCode string) (*opencube.SIM, error) {
	if accessCode == "" {
		return nil, opencube.Invalid("enterprise", "enterprise is required")
	}
	return c.Store.MoveSIMTo(ctx, iccid, accessCode)
}

// SIMOwner returns the enterprise of a SIM within within;
// KindDeviceNotFound when unknown there.
func (c *Changes) SIMOwner(ctx context.Context, within, iccid string) (string, error) {
	if iccid == "" {
		return "", opencube.Invalid("iccid", "iccid is required")
	}
	sims, err := c.Store.FindSIMsByICCID(ctx, []string{iccid})
	if err != nil {
		return "", err
	}
	if len(sims) == 0 || (within != "" && sims[0].EnterpriseCode != within) {
		return "", opencube.Errorf(opencube.KindDeviceNotFound, "SIM %s not found", iccid)
	}
	return sims[0].EnterpriseCode, nil
}

// OrderOwner returns the enterprise of an order within within;
// KindOrderNotFound when unknown there.
func (c *Changes) OrderOwner(ctx context.Context, within, id string) (string, error) {
	// A read, never a write transaction: a write would carry the
	// request's audit entry away before the change it is about.
	o, _, err := c.Store.FindOrder(ctx, id)
	if err != nil {
		return "", err
	}
	owner := o.EnterpriseCode
	if within != "" && owner != within {
		return "", opencube.Errorf(opencube.KindOrderNotFound, "order %s not found", id)
	}
	return owner, nil
}

// BulkSIMs changes many SIMs, within within, each through the service of
// a change of one (SIMs.MoveSIM, MoveSIMTo), and answers a result a SIM.
// The whole request is checked first: an unknown action, a malformed,
// repeated or unknown ICCID (another enterprise's is unknown), too many
// SIMs or an unknown enterprise to move to answers KindInvalid naming the
// field, and nothing changes.
func (c *Changes) BulkSIMs(ctx context.Context, within string, r operator.BulkSIMRequest) ([]operator.BulkResult, error) {
	switch r.Action {
	case operator.BulkActivate, operator.BulkSuspend, operator.BulkTerminate:
		if r.Enterprise != "" {
			return nil, opencube.Invalid("enterprise", "enterprise is only for the move action")
		}
	case operator.BulkMove:
		if r.Enterprise == "" {
			return nil, opencube.Invalid("enterprise", "enterprise is required to move SIMs")
		}
	default:
		return nil, opencube.MustBe("action", "activate, suspend, terminate or move")
	}
	switch n := len(r.ICCIDs); {
	case n == 0:
		return nil, opencube.Invalid("iccids", "iccids is required")
	case n > operator.MaxBulkSIMs:
		return nil, opencube.OutOfRange("iccids", 1, operator.MaxBulkSIMs)
	}
	seen := make(map[string]bool, len(r.ICCIDs))
	for _, id := range r.ICCIDs {
		if !opencube.Digits(id, 18, 22) {
			return nil, opencube.Invalid("iccids", "ICCID %q must be 18-22 digits", id)
		}
		if seen[id] {
			return nil, opencube.Invalid("iccids", "iccids repeats ICCID %s", id)
		}
		seen[id] = true
	}
	sims, err := c.Store.FindSIMsByICCID(ctx, r.ICCIDs)
	if err != nil {
		return nil, err
	}
	known := make(map[string]bool, len(sims))
	for _, sim := range sims {
		known[sim.ICCID] = within == "" || sim.EnterpriseCode == within
	}
	for _, id := range r.ICCIDs {
		if !known[id] {
			return nil, opencube.Invalid("iccids", "unknown SIM %s", id)
		}
	}
	if r.Action == operator.BulkMove {
		if _, err := c.Store.FindEnterprise(ctx, r.Enterprise); opencube.ErrorKind(err) == opencube.KindUnauthenticated {
			return nil, opencube.Invalid("enterprise", "unknown enterprise %s", r.Enterprise)
		} else if err != nil {
			return nil, err
		}
	}
	out := make([]operator.BulkResult, len(r.ICCIDs))
	for i, id := range r.ICCIDs {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if r.Action == operator.BulkMove {
			_, err = c.MoveSIMTo(ctx, id, r.Enterprise)
		} else {
			_, err = c.SIMs.MoveSIM(ctx, id, opencube.SIMMove(r.Action))
		}
		out[i] = operator.BulkResult{ICCID: id, OK: err == nil}
		if err != nil {
			out[i].Error = resultError(err)
		}
	}
	return out, nil
}

// resultError is how a bulk result states err: a domain error by its kind
// and message, anything else as internal.
func resultError(err error) *operator.ResultError {
	var e *opencube.Error
	if errors.As(err, &e) && e.Kind != opencube.KindInternal && e.Kind != "" {
		return &operator.ResultError{Kind: e.Kind, Message: e.Message}
	}
	return &operator.ResultError{Kind: opencube.KindInternal, Message: "internal error"}
}

// OrderPlan orders a plan for a SIM of enterprise, through Orders: the
// rules and the events (1000, and 1005 when opened) are CSSS
// orderPackage's. The plan must be granted to the enterprise and not
// retired (KindPlanNotOrderable).
func (c *Changes) OrderPlan(ctx context.Context, enterprise string, r operator.OrderRequest) (*opencube.Order, error) {
	if r.PlanCode == "" {
		return nil, opencube.Invalid("plan", "plan is required")
	}
	if err := opencube.CheckRange("periods", int64(r.Periods), 1, opencube.MaxPeriods); err != nil {
		return nil, err
	}
	plans, _, err := c.Store.FindPlans(ctx, opencube.PlanFilter{Enterprise: enterprise, Code: r.PlanCode})
	if err != nil {
		return nil, err
	}
	if len(plans) == 0 {
		return nil, opencube.Errorf(opencube.KindPlanNotOrderable, "plan %s is not orderable by enterprise %s", r.PlanCode, enterprise).
			Because(opencube.CausePlanUnknown)
	}
	p := plans[0]
	o, err := c.Orders.OrderPlan(opencube.NewContext(ctx, enterprise), opencube.OrderRequest{
		ICCID: r.ICCID, PlanCode: p.Code, PlanName: p.Name, PlanType: p.Type, OrderPeriod: r.Periods, Open: r.Open,
		PayAmountMinor: p.PriceMinor * int64(r.Periods), PayRst: "1",
		Days: r.Days, TimingType: r.TimingType, MCC: r.MCC,
	})
	return o, renamed(err)
}

// renamed names the fields of the CSSS calls' errors by the operator
// API's names for them.
func renamed(err error) error {
	var e *opencube.Error
	if !errors.As(err, &e) || e.Field == "" {
		return err
	}
	names := map[string]string{"device_id": "iccid", "package_code": "plan", "order_period": "periods", "renew_period": "periods"}
	if to, ok := names[e.Field]; ok {
		c := *e
		c.Field = to
		if len(c.Args) > 0 && c.Args[0] == e.Field {
			c.Args = append([]string{to}, c.Args[1:]...)
		}
		return &c
	}
	return err
}

// MoveOrder changes an order of enterprise through Orders, with the rules
// and events of the CSSS call of the same name; periods is a renewal's.
func (c *Changes) MoveOrder(ctx context.Context, enterprise, id string, move operator.OrderMove, periods int) (*opencube.Order, error) {
	o, err := c.moveOrder(opencube.NewContext(ctx, enterprise), id, move, periods)
	return o, renamed(err)
}

func (c *Changes) moveOrder(ctx context.Context, id string, move operator.OrderMove, periods int) (*opencube.Order, error) {
	switch move {
	case operator.OrderEnable:
		return c.Orders.EnableOrder(ctx, id, "")
	case operator.OrderRenew:
		return c.Orders.RenewOrder(ctx, id, periods)
	case operator.OrderCancel:
		return c.Orders.CancelOrder(ctx, id)
	case operator.OrderEnd:
		return c.Orders.EndOrder(ctx, opencube.EndOrderRequest{OrderID: id})
	case operator.OrderSuspend:
		return c.Orders.SuspendOrder(ctx, "", id)
	case operator.OrderResume:
		return c.Orders.ResumeOrder(ctx, "", id)
	}
	return nil, opencube.MustBe("move", "enable, renew, cancel, end, suspend or resume")
}

// SendSMS sends an MT message to a SIM of enterprise through the SMS
// service, as its enterprise would (CSSS sendSms): the same limits, the
// same delivery reports.
func (c *Changes) SendSMS(ctx context.Context, enterprise string, r opencube.SendSMSRequest) (*opencube.SMS, error) {
	if c.SMS == nil {
		return nil, opencube.Errorf(opencube.KindNotFound, "this server sends no SMS")
	}
	return c.SMS.SendSMS(opencube.NewContext(ctx, enterprise), r)
}

// ServedEnterprises finds the enterprises whose signed requests the front
// doors serve (opencube.EnterpriseFinder): a disabled enterprise is as
// unknown to them as one that does not exist, so CSSS and the Mall answer
// 1004, the eSIM QR Mall its unknown-partner answer.
type ServedEnterprises struct {
	Store opencube.EnterpriseStore
}

// FindEnterprise implements opencube.EnterpriseFinder.
func (s *ServedEnterprises) FindEnterprise(ctx context.Context, accessCode string) (*opencube.Enterprise, error) {
	e, err := s.Store.FindEnterprise(ctx, accessCode)
	if err != nil {
		return nil, err
	}
	if err := e.Served(); err != nil {
		return nil, err
	}
	return e, nil
}

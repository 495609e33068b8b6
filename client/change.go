package client

import (
	"context"
	"net/http"
	"net/url"

	"github.com/opencube/opencube"
	"github.com/opencube/opencube/admin"
	"github.com/opencube/opencube/operator"
)

// UpdatePlan changes a catalog plan (PATCH /admin/v1/plans/{code}): only
// the members p sets change. It returns the plan.
func (a *Admin) UpdatePlan(ctx context.Context, code string, p admin.PlanPatch) (*opencube.Plan, error) {
	if code == "" {
		return nil, opencube.Invalid("code", "a plan code is required")
	}
	var out opencube.Plan
	if err := a.send(ctx, http.MethodPatch, admin.Prefix+"plans/"+url.PathEscape(code), "", p, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// RetirePlan stops new orders of a plan (its orders run on), or with
// retired false takes them again; it returns the plan.
func (a *Admin) RetirePlan(ctx context.Context, code string, retired bool) (*opencube.Plan, error) {
	st := opencube.PlanActive
	if retired {
		st = opencube.PlanRetired
	}
	return a.UpdatePlan(ctx, code, admin.PlanPatch{Status: &st})
}

// RevokeGrant makes a plan no longer orderable by an enterprise (DELETE
// /admin/v1/enterprises/{code}/plans/{plan}).
func (a *Admin) RevokeGrant(ctx context.Context, accessCode, planCode string) error {
	if err := requireCode(accessCode); err != nil {
		return err
	}
	if planCode == "" {
		return opencube.Invalid("plan", "a plan code is required")
	}
	return a.send(ctx, http.MethodDelete, admin.EnterprisePath(accessCode, "plans/"+url.PathEscape(planCode)), "", nil, nil)
}

// DisableEnterprise disables an enterprise: its signed requests answer
// 1004, its webhooks and SMS sends wait. It returns the enterprise.
func (a *Admin) DisableEnterprise(ctx context.Context, accessCode string) (*admin.Enterprise, error) {
	return a.enterpriseAct(ctx, accessCode, "disable")
}

// EnableEnterprise enables a disabled enterprise; what waited is sent.
func (a *Admin) EnableEnterprise(ctx context.Context, accessCode string) (*admin.Enterprise, error) {
	return a.enterpriseAct(ctx, accessCode, "enable")
}

func (a *Admin) enterpriseAct(ctx context.Context, accessCode, act string) (*admin.Enterprise, error) {
	if err := requireCode(accessCode); err != nil {
		return nil, err
	}
	var out admin.Enterprise
	if err := a.send(ctx, http.MethodPost, admin.EnterprisePath(accessCode, act), "", nil, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// DropSecret takes a secret from an enterprise by its id
// (opencube.SecretID); the last one is never dropped (KindConflict).
func (a *Admin) DropSecret(ctx context.Context, accessCode, id string) (*admin.Enterprise, error) {
	if err := requireCode(accessCode); err != nil {
		return nil, err
	}
	if id == "" {
		return nil, opencube.Invalid("id", "a secret id is required")
	}
	var out admin.Enterprise
	if err := a.send(ctx, http.MethodDelete, admin.EnterprisePath(accessCode, "secrets/"+url.PathEscape(id)), "", nil, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// MoveSIMTo gives a SIM without an order not over to another enterprise
// (PUT /admin/v1/sims/{iccid}/enterprise).
func (a *Admin) MoveSIMTo(ctx context.Context, iccid, accessCode string) (*opencube.SIM, error) {
	if iccid == "" {
		return nil, opencube.Invalid("iccid", "an ICCID is required")
	}
	var sim opencube.SIM
	path := admin.Prefix + "sims/" + url.PathEscape(iccid) + "/enterprise"
	if err := a.send(ctx, http.MethodPut, path, "", admin.MoveSIMRequest{Enterprise: accessCode}, &sim); err != nil {
		return nil, err
	}
	return &sim, nil
}

// BulkSIMs changes many SIMs (POST /admin/v1/sims/bulk) and returns a
// result a SIM. A request that fails its checks changes nothing.
func (a *Admin) BulkSIMs(ctx context.Context, r operator.BulkSIMRequest) ([]operator.BulkResult, error) {
	var out operator.BulkResults
	if err := a.send(ctx, http.MethodPost, admin.Prefix+"sims/bulk", "", r, &out); err != nil {
		return nil, err
	}
	return out.Results, nil
}

// OrderPlan orders a plan for a SIM, for the SIM's enterprise (POST
// /admin/v1/orders).
func (a *Admin) OrderPlan(ctx context.Context, r operator.OrderRequest) (*opencube.Order, error) {
	var o opencube.Order
	if err := a.send(ctx, http.MethodPost, admin.Prefix+"orders", "", r, &o); err != nil {
		return nil, err
	}
	return &o, nil
}

// MoveOrder changes an order (POST /admin/v1/orders/{id}/{move}), as the
// CSSS call of the same name would; periods is a renewal's.
func (a *Admin) MoveOrder(ctx context.Context, id string, move operator.OrderMove, periods int) (*opencube.Order, error) {
	if id == "" {
		return nil, opencube.Invalid("id", "an order id is required")
	}
	var in any
	if move == operator.OrderRenew {
		in = admin.RenewRequest{Periods: periods}
	}
	var o opencube.Order
	path := admin.Prefix + "orders/" + url.PathEscape(id) + "/" + url.PathEscape(string(move))
	if err := a.send(ctx, http.MethodPost, path, "", in, &o); err != nil {
		return nil, err
	}
	return &o, nil
}

// EnableOrder starts a not-enabled order.
func (a *Admin) EnableOrder(ctx context.Context, id string) (*opencube.Order, error) {
	return a.MoveOrder(ctx, id, operator.OrderEnable, 0)
}

// RenewOrder adds periods to an order.
func (a *Admin) RenewOrder(ctx context.Context, id string, periods int) (*opencube.Order, error) {
	return a.MoveOrder(ctx, id, operator.OrderRenew, periods)
}

// CancelOrder cancels a not-enabled order.
func (a *Admin) CancelOrder(ctx context.Context, id string) (*opencube.Order, error) {
	return a.MoveOrder(ctx, id, operator.OrderCancel, 0)
}

// EndOrder ends an order in use or suspended early.
func (a *Admin) EndOrder(ctx context.Context, id string) (*opencube.Order, error) {
	return a.MoveOrder(ctx, id, operator.OrderEnd, 0)
}

// SuspendOrder suspends an order in use.
func (a *Admin) SuspendOrder(ctx context.Context, id string) (*opencube.Order, error) {
	return a.MoveOrder(ctx, id, operator.OrderSuspend, 0)
}

// ResumeOrder resumes a suspended order.
func (a *Admin) ResumeOrder(ctx context.Context, id string) (*opencube.Order, error) {
	return a.MoveOrder(ctx, id, operator.OrderResume, 0)
}

// SendSMS sends an MT message to a SIM as its enterprise (POST
// /admin/v1/sms).
func (a *Admin) SendSMS(ctx context.Context, r admin.SMSRequest) (*opencube.SMS, error) {
	var m opencube.SMS
	if err := a.send(ctx, http.MethodPost, admin.Prefix+"sms", "", r, &m); err != nil {
		return nil, err
	}
	return &m, nil
}

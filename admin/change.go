package admin

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/opencube/opencube"
	"github.com/opencube/opencube/operator"
)

// Changes is the operator's changes the admin API makes, and its doors to
// the orders and MT messages the protocols make (service.Changes). Methods
// that take within act inside that enterprise only (an enterprise
// user's); an empty within is any enterprise.
type Changes interface {
	// UpdatePlan changes a catalog plan as u says.
	UpdatePlan(ctx context.Context, code string, u operator.PlanUpdate) (*opencube.Plan, error)
	// RevokeGrant makes a plan no longer orderable by an enterprise.
	RevokeGrant(ctx context.Context, accessCode, planCode string) error
	// SetEnterpriseStatus disables or enables an enterprise.
	SetEnterpriseStatus(ctx context.Context, accessCode string, st opencube.EnterpriseStatus) (*opencube.Enterprise, error)
	// DropSecret takes a secret, by its id, from an enterprise.
	DropSecret(ctx context.Context, accessCode, id string) (*opencube.Enterprise, error)
	// MoveSIMTo gives a SIM to another enterprise.
	MoveSIMTo(ctx context.Context, iccid, accessCode string) (*opencube.SIM, error)
	// SIMOwner returns the enterprise of a SIM.
	SIMOwner(ctx context.Context, within, iccid string) (string, error)
	// OrderOwner returns the enterprise of an order.
	OrderOwner(ctx context.Context, within, id string) (string, error)
	// BulkSIMs changes many SIMs, a result a SIM.
	BulkSIMs(ctx context.Context, within string, r operator.BulkSIMRequest) ([]operator.BulkResult, error)
	// OrderPlan orders a plan for a SIM of enterprise.
	OrderPlan(ctx context.Context, enterprise string, r operator.OrderRequest) (*opencube.Order, error)
	// MoveOrder changes an order of enterprise.
	MoveOrder(ctx context.Context, enterprise, id string, move operator.OrderMove, periods int) (*opencube.Order, error)
	// SendSMS sends an MT message to a SIM of enterprise.
	SendSMS(ctx context.Context, enterprise string, r opencube.SendSMSRequest) (*opencube.SMS, error)
}

// Secret is one of an enterprise's secrets as the admin API shows it: its
// id (opencube.SecretID) and when it was added, never its value.
type Secret struct {
	ID      string    `json:"id"`
	AddedAt time.Time `json:"added_at"`
}

// SecretIDs returns e's secrets as the admin API shows them, oldest
// first: DELETE /admin/v1/enterprises/{code}/secrets/{id} drops one by its
// id.
func SecretIDs(e *opencube.Enterprise) []Secret {
	out := make([]Secret, len(e.Secrets))
	for i, s := range e.Secrets {
		out[i] = Secret{ID: opencube.SecretID(s), AddedAt: e.CreatedAt}
		if i < len(e.SecretsAdded) {
			out[i].AddedAt = e.SecretsAdded[i]
		}
	}
	return out
}

// PlanPatch is the body of PATCH /admin/v1/plans/{code}: only the members
// present change. A volume is given in MB or in bytes, a price as a
// decimal, as when the plan was made (PlanRequest).
type PlanPatch struct {
	Name         *string              `json:"name,omitempty"`
	VolumeMB     *Decimal             `json:"volume_mb,omitempty"`
	VolumeBytes  *int64               `json:"volume_bytes,omitempty"`
	Price        *Decimal             `json:"price,omitempty"`
	Currency     *string              `json:"currency,omitempty"`
	ThrottleKbps *int                 `json:"throttle_kbps,omitempty"`
	Countries    *[]string            `json:"countries,omitempty"`
	Status       *opencube.PlanStatus `json:"status,omitempty"`
	AddOn        *bool                `json:"add_on,omitempty"`
	AllowAddOn   *bool                `json:"allow_add_on,omitempty"`
}

// Update converts p into the change it asks for: decimals to integers.
// The service validates the plan it makes.
func (p *PlanPatch) Update() (operator.PlanUpdate, error) {
	u := operator.PlanUpdate{Name: p.Name, VolumeBytes: p.VolumeBytes, Currency: p.Currency, ThrottleKbps: p.ThrottleKbps, Countries: p.Countries, Status: p.Status,
		AddOn: p.AddOn, AllowAddOn: p.AllowAddOn}
	if p.VolumeMB != nil {
		if p.VolumeBytes != nil {
			return u, opencube.Invalid("volume_mb", "give volume_mb or volume_bytes, not both")
		}
		n, ok := scale(string(*p.VolumeMB), opencube.MB, false)
		if !ok {
			return u, opencube.Invalid("volume_mb", "volume_mb %q is not a non-negative decimal number of MB", *p.VolumeMB)
		}
		u.VolumeBytes = &n
	}
	if p.Price != nil {
		n, err := ParsePrice(string(*p.Price))
		if err != nil {
			return u, err
		}
		u.PriceMinor = &n
	}
	if p.Currency != nil {
		c := *p.Currency
		if len(c) != 3 || strings.ToUpper(c) != c || strings.Trim(c, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") != "" {
			return u, opencube.Invalid("currency", "currency %q is not an ISO 4217 code such as CNY", c)
		}
	}
	return u, nil
}

// MoveSIMRequest is the body of PUT /admin/v1/sims/{iccid}/enterprise.
type MoveSIMRequest struct {
	Enterprise string `json:"enterprise"`
}

// RenewRequest is the body of POST /admin/v1/orders/{id}/renew.
type RenewRequest struct {
	Periods int `json:"periods"`
}

// SMSRequest is the body of POST /admin/v1/sms: a text message, or binary
// content as hex with data_coding 1.
type SMSRequest struct {
	ICCID      string `json:"iccid"`
	Content    string `json:"content"`
	DataCoding int    `json:"data_coding,omitempty"`
}

// changes returns the server's operator changes.
func (s *Server) changes() (Changes, error) {
	if s.Changes == nil {
		return nil, &opencube.Error{Kind: KindNoRoute, Message: "the operator's changes are not served"}
	}
	return s.Changes, nil
}

// updatePlan changes a plan (PATCH: only the members sent).
func (s *Server) updatePlan(r *http.Request) (int, any, error) {
	svc, err := s.changes()
	if err != nil {
		return 0, nil, err
	}
	var req PlanPatch
	if err := decode(r.Body, &req); err != nil {
		return 0, nil, err
	}
	u, err := req.Update()
	if err != nil {
		return 0, nil, err
	}
	p, err := svc.UpdatePlan(r.Context(), r.PathValue("code"), u)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, p, nil
}

// revokeGrant makes a plan no longer orderable by an enterprise.
func (s *Server) revokeGrant(r *http.Request) (int, any, error) {
	svc, err := s.changes()
	if err != nil {
		return 0, nil, err
	}
	code, plan := r.PathValue("code"), r.PathValue("plan")
	SetAudit(r, "plan:"+plan, code, "revoke the grant of plan "+plan+" to "+code)
	if err := svc.RevokeGrant(r.Context(), code, plan); err != nil {
		return 0, nil, err
	}
	return http.StatusNoContent, nil, nil
}

// setStatus returns the handler that gives an enterprise status st.
func setStatus(st opencube.EnterpriseStatus) func(*Server, *http.Request) (int, any, error) {
	return func(s *Server, r *http.Request) (int, any, error) {
		svc, err := s.changes()
		if err != nil {
			return 0, nil, err
		}
		code := r.PathValue("code")
		SetAudit(r, "enterprise:"+code, code, "status "+string(st))
		e, err := svc.SetEnterpriseStatus(r.Context(), code, st)
		if err != nil {
			return 0, nil, err
		}
		return http.StatusOK, EnterpriseOf(e), nil
	}
}

// dropSecret takes a secret from an enterprise by its id.
func (s *Server) dropSecret(r *http.Request) (int, any, error) {
	svc, err := s.changes()
	if err != nil {
		return 0, nil, err
	}
	code, id := r.PathValue("code"), r.PathValue("id")
	SetAudit(r, "enterprise:"+code, code, "drop secret "+id)
	e, err := svc.DropSecret(r.Context(), code, id)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, EnterpriseOf(e), nil
}

// moveSIMTo gives a SIM to another enterprise.
func (s *Server) moveSIMTo(r *http.Request) (int, any, error) {
	svc, err := s.changes()
	if err != nil {
		return 0, nil, err
	}
	var req MoveSIMRequest
	if err := decode(r.Body, &req); err != nil {
		return 0, nil, err
	}
	iccid := r.PathValue("iccid")
	from, err := svc.SIMOwner(r.Context(), "", iccid)
	if err != nil {
		return 0, nil, err
	}
	SetAudit(r, "sim:"+iccid, from, "move from "+from+" to "+req.Enterprise)
	sim, err := svc.MoveSIMTo(r.Context(), iccid, req.Enterprise)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, sim, nil
}

// bulkSIMs changes many SIMs (an enterprise user's own only), a result a
// SIM.
func (s *Server) bulkSIMs(r *http.Request) (int, any, error) {
	svc, err := s.changes()
	if err != nil {
		return 0, nil, err
	}
	var req operator.BulkSIMRequest
	if err := decode(r.Body, &req); err != nil {
		return 0, nil, err
	}
	within, err := Confine(r, "")
	if err != nil {
		return 0, nil, err
	}
	if within != "" && req.Action == operator.BulkMove {
		return 0, nil, &opencube.Error{Kind: KindForbidden, Message: "an enterprise user may not move SIMs to another enterprise"}
	}
	summary := fmt.Sprintf("%s %d SIMs", req.Action, len(req.ICCIDs))
	if req.Enterprise != "" {
		summary += " to " + req.Enterprise
	}
	SetAudit(r, "sims", within, summary)
	results, err := svc.BulkSIMs(r.Context(), within, req)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, operator.BulkResults{Results: results}, nil
}

// createOrder orders a plan for a SIM, for the SIM's enterprise.
func (s *Server) createOrder(r *http.Request) (int, any, error) {
	svc, err := s.changes()
	if err != nil {
		return 0, nil, err
	}
	var req operator.OrderRequest
	if err := decode(r.Body, &req); err != nil {
		return 0, nil, err
	}
	within, err := Confine(r, "")
	if err != nil {
		return 0, nil, err
	}
	owner, err := svc.SIMOwner(r.Context(), within, req.ICCID)
	if err != nil {
		return 0, nil, err
	}
	SetAudit(r, "sim:"+req.ICCID, owner, "")
	o, err := svc.OrderPlan(r.Context(), owner, req)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusCreated, o, nil
}

// moveOrder returns the handler of one move of an order.
func moveOrder(move operator.OrderMove) func(*Server, *http.Request) (int, any, error) {
	return func(s *Server, r *http.Request) (int, any, error) {
		svc, err := s.changes()
		if err != nil {
			return 0, nil, err
		}
		var periods int
		if move == operator.OrderRenew {
			var req RenewRequest
			if err := decode(r.Body, &req); err != nil {
				return 0, nil, err
			}
			periods = req.Periods
		}
		within, err := Confine(r, "")
		if err != nil {
			return 0, nil, err
		}
		id := r.PathValue("id")
		owner, err := svc.OrderOwner(r.Context(), within, id)
		if err != nil {
			return 0, nil, err
		}
		SetAudit(r, "order:"+id, owner, string(move))
		o, err := svc.MoveOrder(r.Context(), owner, id, move, periods)
		if err != nil {
			return 0, nil, err
		}
		return http.StatusOK, o, nil
	}
}

// sendSMS sends an MT message to a SIM as its enterprise.
func (s *Server) sendSMS(r *http.Request) (int, any, error) {
	svc, err := s.changes()
	if err != nil {
		return 0, nil, err
	}
	var req SMSRequest
	if err := decode(r.Body, &req); err != nil {
		return 0, nil, err
	}
	if req.DataCoding != 0 && req.DataCoding != 1 {
		return 0, nil, opencube.Invalid("data_coding", "data_coding must be 0 (text) or 1 (binary hex)")
	}
	within, err := Confine(r, "")
	if err != nil {
		return 0, nil, err
	}
	owner, err := svc.SIMOwner(r.Context(), within, req.ICCID)
	if err != nil {
		return 0, nil, err
	}
	sum := sha256.Sum256([]byte(req.Content))
	SetAudit(r, "sim:"+req.ICCID, owner, fmt.Sprintf("MT message of %d bytes, sha256 %s", len(req.Content), hex.EncodeToString(sum[:4])))
	m, err := svc.SendSMS(r.Context(), owner, opencube.SendSMSRequest{ICCID: req.ICCID, Content: req.Content, Type: opencube.SMSType(req.DataCoding)})
	if err != nil {
		return 0, nil, err
	}
	return http.StatusCreated, m, nil
}

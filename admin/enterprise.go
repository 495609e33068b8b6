package admin

import (
	"net/http"
	"net/url"
	"time"

	"github.com/opencube/opencube"
	"github.com/opencube/opencube/operator"
)

// EnterpriseRequest is the body of POST /admin/v1/enterprises.
type EnterpriseRequest struct {
	AccessCode string `json:"access_code"`
	Name       string `json:"name,omitempty"`
	Secret     string `json:"secret"`
}

// SecretRequest is the body of POST /admin/v1/enterprises/{code}/secrets.
type SecretRequest struct {
	Secret string `json:"secret"`
}

// GrantRequest is the body of POST /admin/v1/enterprises/{code}/plans.
type GrantRequest struct {
	PlanCode string `json:"plan_code"`
}

// Enterprise is an enterprise as the admin API shows it: its secrets are
// counted, never shown.
type Enterprise struct {
	AccessCode string    `json:"access_code"`
	Name       string    `json:"name"`
	Secrets    int       `json:"secrets"`
	CreatedAt  time.Time `json:"created_at"`
	// RateLimit is the enterprise's own rate limit; null: the server's
	// (--rate-limit, --rate-burst).
	RateLimit *opencube.RateLimit `json:"rate_limit"`
	// Status is active, or disabled.
	Status opencube.EnterpriseStatus `json:"status"`

	// The members of GET /admin/v1/enterprises/{code} alone.

	// SecretIDs name the secrets, oldest first, with their ages; never
	// their values.
	SecretIDs []operator.SecretInfo `json:"secret_ids,omitempty"`
	// Webhook is the notification endpoint, without secrets; absent when
	// there is none.
	Webhook *opencube.Webhook       `json:"webhook,omitempty"`
	Alerts  *opencube.AlertSettings `json:"alerts,omitempty"`
	Counts  *operator.Counts        `json:"counts,omitempty"`
}

// EnterpriseOf returns the admin view of e.
func EnterpriseOf(e *opencube.Enterprise) *Enterprise {
	return &Enterprise{AccessCode: e.AccessCode, Name: e.Name, Secrets: len(e.Secrets), CreatedAt: e.CreatedAt, RateLimit: e.RateLimit,
		Status: e.Status}
}

// EnterpriseDetailOf returns the admin view of an enterprise's page.
func EnterpriseDetailOf(d *operator.EnterpriseDetail) *Enterprise {
	v := EnterpriseOf(d.Enterprise)
	v.Secrets = len(d.Secrets)
	v.SecretIDs, v.Webhook, v.Alerts, v.Counts = d.Secrets, d.Webhook, d.Alerts, &d.Counts
	return v
}

// EnterprisePath is the path of one enterprise, or of what it holds when
// sub is "secrets", "plans", "rate-limit"...
func EnterprisePath(accessCode, sub string) string {
	p := Prefix + "enterprises/" + url.PathEscape(accessCode)
	if sub != "" {
		p += "/" + sub
	}
	return p
}

func (s *Server) createEnterprise(r *http.Request) (int, any, error) {
	var req EnterpriseRequest
	if err := decode(r.Body, &req); err != nil {
		return 0, nil, err
	}
	if req.Secret == "" {
		return 0, nil, opencube.Invalid("secret", "secret is required")
	}
	e := &opencube.Enterprise{AccessCode: req.AccessCode, Name: req.Name, Secrets: []string{req.Secret}}
	SetAudit(r, "enterprise:"+e.AccessCode, e.AccessCode, "")
	if err := s.svc.CreateEnterprise(r.Context(), e); err != nil {
		return 0, nil, err
	}
	return http.StatusCreated, EnterpriseOf(e), nil
}

func (s *Server) findEnterprise(r *http.Request) (int, any, error) {
	if s.Lists != nil {
		d, err := s.Lists.Enterprise(r.Context(), r.PathValue("code"))
		if err != nil {
			return 0, nil, err
		}
		return http.StatusOK, EnterpriseDetailOf(d), nil
	}
	e, err := s.svc.FindEnterprise(r.Context(), r.PathValue("code"))
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, EnterpriseOf(e), nil
}

func (s *Server) rotateSecret(r *http.Request) (int, any, error) {
	var req SecretRequest
	if err := decode(r.Body, &req); err != nil {
		return 0, nil, err
	}
	if req.Secret == "" {
		return 0, nil, opencube.Invalid("secret", "secret is required")
	}
	e, err := s.svc.RotateSecret(r.Context(), r.PathValue("code"), req.Secret)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, EnterpriseOf(e), nil
}

func (s *Server) grantPlan(r *http.Request) (int, any, error) {
	var req GrantRequest
	if err := decode(r.Body, &req); err != nil {
		return 0, nil, err
	}
	if req.PlanCode == "" {
		return 0, nil, opencube.Invalid("plan_code", "plan_code is required")
	}
	if err := s.svc.GrantPlan(r.Context(), r.PathValue("code"), req.PlanCode); err != nil {
		return 0, nil, err
	}
	return http.StatusNoContent, nil, nil
}

// putRateLimit gives the enterprise its own rate limit.
func (s *Server) putRateLimit(r *http.Request) (int, any, error) {
	var req opencube.RateLimit
	if err := decode(r.Body, &req); err != nil {
		return 0, nil, err
	}
	e, err := s.svc.SetRateLimit(r.Context(), r.PathValue("code"), &req)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, EnterpriseOf(e), nil
}

// deleteRateLimit puts the enterprise back under the server's rate limit.
func (s *Server) deleteRateLimit(r *http.Request) (int, any, error) {
	e, err := s.svc.SetRateLimit(r.Context(), r.PathValue("code"), nil)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, EnterpriseOf(e), nil
}

package client

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/opencube/opencube"
	"github.com/opencube/opencube/admin"
)

var _ opencube.AdminService = (*Admin)(nil)

// Admin talks to an opencube admin API (/admin/v1/) as the operator. It
// implements opencube.AdminService; an answer other than 2xx is returned as
// an *opencube.Error with the kind the server sent (a domain kind, or one of
// the admin package's kinds such as admin.KindUnauthorized).
type Admin struct {
	// BaseURL is the server root, such as http://127.0.0.1:8080.
	BaseURL string
	// Token is the admin bearer token (opencube serve --admin-token).
	Token string
	HTTP  *http.Client
}

// NewAdmin returns an admin client.
func NewAdmin(baseURL, token string) *Admin {
	return &Admin{BaseURL: strings.TrimRight(baseURL, "/"), Token: token, HTTP: http.DefaultClient}
}

// send makes one request; in (when not nil) is sent as JSON unless it is an
// io.Reader, which is sent as it is with contentType. A 2xx answer is
// decoded into out (when not nil); any other into an *opencube.Error.
func (a *Admin) send(ctx context.Context, method, path, contentType string, in, out any) error {
	var body io.Reader
	if r, ok := in.(io.Reader); ok {
		body = r
	} else if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return err
		}
		body, contentType = bytes.NewReader(b), "application/json"
	}
	req, err := http.NewRequestWithContext(ctx, method, a.BaseURL+path, body)
	if err != nil {
		return err
	}
	if body != nil {
		req.Header.Set("Content-Type", contentType)
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("Authorization", "Bearer "+a.Token)
	hc := a.HTTP
	if hc == nil {
		hc = http.DefaultClient
	}
	resp, err := hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if w, ok := out.(io.Writer); ok && resp.StatusCode >= 200 && resp.StatusCode <= 299 {
		// A file (CSV, PDF): copied as it comes.
		_, err := io.Copy(w, resp.Body)
		return err
	}
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		var e admin.ErrorResponse
		if json.Unmarshal(raw, &e) != nil || e.Error.Kind == "" {
			return &opencube.Error{Kind: opencube.KindInternal, Message: fmt.Sprintf("%s %s answered HTTP %d: %.200s", method, path, resp.StatusCode, raw)}
		}
		return &opencube.Error{Kind: e.Error.Kind, Field: e.Error.Field, Cause: e.Error.Cause, Message: e.Error.Message}
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(raw, out); err != nil {
		return fmt.Errorf("client: %s %s answered HTTP %d with an unexpected body: %w", method, path, resp.StatusCode, err)
	}
	return nil
}

func requireCode(accessCode string) error {
	if accessCode == "" {
		return opencube.Invalid("access_code", "access code is required")
	}
	return nil
}

// CreateEnterprise implements opencube.AdminService: e must hold exactly
// one secret. It sets e.CreatedAt from the answer.
func (a *Admin) CreateEnterprise(ctx context.Context, e *opencube.Enterprise) error {
	if len(e.Secrets) != 1 {
		return opencube.Invalid("secret", "an enterprise is created with one secret")
	}
	var out admin.Enterprise
	req := admin.EnterpriseRequest{AccessCode: e.AccessCode, Name: e.Name, Secret: e.Secrets[0]}
	if err := a.send(ctx, http.MethodPost, admin.Prefix+"enterprises", "", req, &out); err != nil {
		return err
	}
	e.CreatedAt = out.CreatedAt
	return nil
}

// Enterprise returns the admin view of an enterprise, with its number of
// secrets.
func (a *Admin) Enterprise(ctx context.Context, accessCode string) (*admin.Enterprise, error) {
	if err := requireCode(accessCode); err != nil {
		return nil, err
	}
	var out admin.Enterprise
	if err := a.send(ctx, http.MethodGet, admin.EnterprisePath(accessCode, ""), "", nil, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// FindEnterprise implements opencube.AdminService. The admin API never
// shows secrets, so the enterprise returned has none: use Enterprise for
// their number.
func (a *Admin) FindEnterprise(ctx context.Context, accessCode string) (*opencube.Enterprise, error) {
	e, err := a.Enterprise(ctx, accessCode)
	if err != nil {
		return nil, err
	}
	return &opencube.Enterprise{AccessCode: e.AccessCode, Name: e.Name, CreatedAt: e.CreatedAt, RateLimit: e.RateLimit, Status: e.Status}, nil
}

// AddSecret rotates an enterprise's secret and returns the admin view of
// the enterprise, with its number of secrets.
func (a *Admin) AddSecret(ctx context.Context, accessCode, secret string) (*admin.Enterprise, error) {
	if err := requireCode(accessCode); err != nil {
		return nil, err
	}
	var out admin.Enterprise
	if err := a.send(ctx, http.MethodPost, admin.EnterprisePath(accessCode, "secrets"), "", admin.SecretRequest{Secret: secret}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// RotateSecret implements opencube.AdminService. As with FindEnterprise, the
// enterprise returned holds no secrets.
func (a *Admin) RotateSecret(ctx context.Context, accessCode, secret string) (*opencube.Enterprise, error) {
	e, err := a.AddSecret(ctx, accessCode, secret)
	if err != nil {
		return nil, err
	}
	return &opencube.Enterprise{AccessCode: e.AccessCode, Name: e.Name, CreatedAt: e.CreatedAt, RateLimit: e.RateLimit, Status: e.Status}, nil
}

// RateLimit gives an enterprise its own rate limit (PUT
// /admin/v1/enterprises/{code}/rate-limit), or, with l nil, puts it back
// under the server's (DELETE), and returns the admin view of the
// enterprise.
func (a *Admin) RateLimit(ctx context.Context, accessCode string, l *opencube.RateLimit) (*admin.Enterprise, error) {
	if err := requireCode(accessCode); err != nil {
		return nil, err
	}
	method, in := http.MethodDelete, any(nil)
	if l != nil {
		method, in = http.MethodPut, l
	}
	var out admin.Enterprise
	if err := a.send(ctx, method, admin.EnterprisePath(accessCode, "rate-limit"), "", in, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// SetRateLimit implements opencube.AdminService. As with FindEnterprise,
// the enterprise returned holds no secrets.
func (a *Admin) SetRateLimit(ctx context.Context, accessCode string, l *opencube.RateLimit) (*opencube.Enterprise, error) {
	e, err := a.RateLimit(ctx, accessCode, l)
	if err != nil {
		return nil, err
	}
	return &opencube.Enterprise{AccessCode: e.AccessCode, Name: e.Name, CreatedAt: e.CreatedAt, RateLimit: e.RateLimit, Status: e.Status}, nil
}

// ImportSIMs implements opencube.AdminService (a JSON import).
func (a *Admin) ImportSIMs(ctx context.Context, sims []*opencube.SIM) error {
	reqs := make([]admin.SIMRequest, len(sims))
	for i, sim := range sims {
		reqs[i] = admin.SIMRequestOf(sim)
	}
	return a.send(ctx, http.MethodPost, admin.Prefix+"sims", "", reqs, nil)
}

// ImportCSV imports the SIMs of a CSV file (see admin.ReadSIMsCSV), all or
// nothing, and returns how many were imported.
func (a *Admin) ImportCSV(ctx context.Context, r io.Reader) (int, error) {
	var out admin.ImportResult
	if err := a.send(ctx, http.MethodPost, admin.Prefix+"sims", "text/csv", r, &out); err != nil {
		return 0, err
	}
	return out.Imported, nil
}

// CreatePlan implements opencube.AdminService. It sets p.CreatedAt, and the
// currency when p had none, from the answer.
func (a *Admin) CreatePlan(ctx context.Context, p *opencube.Plan) error {
	var out opencube.Plan
	if err := a.send(ctx, http.MethodPost, admin.Prefix+"plans", "", admin.PlanRequestOf(p), &out); err != nil {
		return err
	}
	p.Currency, p.CreatedAt, p.Status = out.Currency, out.CreatedAt, out.Status
	return nil
}

// GrantPlan implements opencube.AdminService.
func (a *Admin) GrantPlan(ctx context.Context, accessCode, planCode string) error {
	if err := requireCode(accessCode); err != nil {
		return err
	}
	return a.send(ctx, http.MethodPost, admin.EnterprisePath(accessCode, "plans"), "", admin.GrantRequest{PlanCode: planCode}, nil)
}

package client

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/opencube/opencube"
	"github.com/opencube/opencube/admin"
)

var _ opencube.NotifyService = (*Admin)(nil)

// PutWebhook implements opencube.NotifyService: it sets the enterprise's
// endpoint; a new endpoint's secret is in the answer, this once.
func (a *Admin) PutWebhook(ctx context.Context, w *opencube.Webhook) (*opencube.Webhook, error) {
	if err := requireCode(w.EnterpriseCode); err != nil {
		return nil, err
	}
	var out opencube.Webhook
	err := a.send(ctx, http.MethodPut, admin.WebhookPath(w.EnterpriseCode), "", admin.WebhookRequest{URL: w.URL, Events: w.Events, Format: w.Format}, &out)
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// FindWebhook implements opencube.NotifyService.
func (a *Admin) FindWebhook(ctx context.Context, accessCode string) (*opencube.Webhook, error) {
	if err := requireCode(accessCode); err != nil {
		return nil, err
	}
	var out opencube.Webhook
	if err := a.send(ctx, http.MethodGet, admin.WebhookPath(accessCode), "", nil, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// RotateWebhookSecret implements opencube.NotifyService.
func (a *Admin) RotateWebhookSecret(ctx context.Context, accessCode string, grace time.Duration) (*opencube.Webhook, error) {
	if err := requireCode(accessCode); err != nil {
		return nil, err
	}
	secs := int64(grace / time.Second)
	var out opencube.Webhook
	if err := a.send(ctx, http.MethodPost, admin.WebhookPath(accessCode)+"/rotate", "", admin.RotateWebhookRequest{GraceSeconds: &secs}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// RotateNotificationKey implements opencube.NotifyService.
func (a *Admin) RotateNotificationKey(ctx context.Context, accessCode string) (*opencube.Webhook, error) {
	if err := requireCode(accessCode); err != nil {
		return nil, err
	}
	var out opencube.Webhook
	if err := a.send(ctx, http.MethodPost, admin.WebhookPath(accessCode)+"/notification-key", "", nil, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// FindDeliveries implements opencube.NotifyService.
func (a *Admin) FindDeliveries(ctx context.Context, f opencube.DeliveryFilter) ([]*opencube.Delivery, error) {
	if err := requireCode(f.Enterprise); err != nil {
		return nil, err
	}
	q := url.Values{}
	if f.State != "" {
		q.Set("state", string(f.State))
	}
	if f.Type != "" {
		q.Set("event", string(f.Type))
	}
	if !f.Since.IsZero() {
		q.Set("since", f.Since.Format(time.RFC3339Nano))
	}
	if !f.Until.IsZero() {
		q.Set("until", f.Until.Format(time.RFC3339Nano))
	}
	if f.Limit > 0 {
		q.Set("limit", strconv.Itoa(f.Limit))
	}
	path := admin.EnterprisePath(f.Enterprise, "deliveries")
	if len(q) > 0 {
		path += "?" + q.Encode()
	}
	var out admin.DeliveryList
	if err := a.send(ctx, http.MethodGet, path, "", nil, &out); err != nil {
		return nil, err
	}
	return out.Deliveries, nil
}

// Redeliver implements opencube.NotifyService.
func (a *Admin) Redeliver(ctx context.Context, id string) (*opencube.Delivery, error) {
	if id == "" {
		return nil, opencube.Invalid("id", "a delivery id is required")
	}
	var out opencube.Delivery
	if err := a.send(ctx, http.MethodPost, admin.DeliveryPath(id, "redeliver"), "", nil, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// RedeliverSince implements opencube.NotifyService.
func (a *Admin) RedeliverSince(ctx context.Context, accessCode string, since, until time.Time) (int, error) {
	if err := requireCode(accessCode); err != nil {
		return 0, err
	}
	var out admin.RedeliverResult
	err := a.send(ctx, http.MethodPost, admin.EnterprisePath(accessCode, "deliveries/redeliver"), "", admin.RedeliverRequest{Since: since, Until: until}, &out)
	return out.Redelivered, err
}

// PutAlertSettings implements opencube.NotifyService.
func (a *Admin) PutAlertSettings(ctx context.Context, s *opencube.AlertSettings) error {
	if err := requireCode(s.EnterpriseCode); err != nil {
		return err
	}
	return a.send(ctx, http.MethodPut, admin.EnterprisePath(s.EnterpriseCode, "alerts"), "", s, s)
}

// FindAlertSettings implements opencube.NotifyService.
func (a *Admin) FindAlertSettings(ctx context.Context, accessCode string) (*opencube.AlertSettings, error) {
	if err := requireCode(accessCode); err != nil {
		return nil, err
	}
	var out opencube.AlertSettings
	if err := a.send(ctx, http.MethodGet, admin.EnterprisePath(accessCode, "alerts"), "", nil, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// Clock returns a sandbox server's clock: its time now and how far it runs
// ahead of real time; KindNoRoute (admin) outside sandbox mode.
func (a *Admin) Clock(ctx context.Context) (*admin.ClockState, error) {
	var out admin.ClockState
	if err := a.send(ctx, http.MethodGet, admin.Prefix+"clock", "", nil, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// AdvanceClock moves a sandbox server's clock forward by d, running
// everything due in between; KindNoRoute (admin) outside sandbox mode.
func (a *Admin) AdvanceClock(ctx context.Context, d time.Duration) (*admin.ClockState, error) {
	var out admin.ClockState
	if err := a.send(ctx, http.MethodPost, admin.Prefix+"clock/advance", "", admin.AdvanceRequest{Seconds: int64(d / time.Second)}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

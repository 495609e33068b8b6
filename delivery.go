package opencube

import (
	"context"
	"time"
)

// NotifyService is the operator's view of notifications: webhook
// endpoints, the delivery log and replay, and usage alert settings. It is
// not scoped to one enterprise.
type NotifyService interface {
	// PutWebhook sets the enterprise's endpoint URL and events. A new
	// endpoint gets a secret, returned in the answer's Secret this once.
	PutWebhook(ctx context.Context, w *Webhook) (*Webhook, error)
	// FindWebhook returns the enterprise's endpoint, without secrets.
	FindWebhook(ctx context.Context, accessCode string) (*Webhook, error)
	// RotateWebhookSecret gives the endpoint a new secret, returned this
	// once; the old one keeps signing (beside it) for grace.
	RotateWebhookSecret(ctx context.Context, accessCode string, grace time.Duration) (*Webhook, error)
	// FindDeliveries lists deliveries with their attempts, newest first.
	FindDeliveries(ctx context.Context, f DeliveryFilter) ([]*Delivery, error)
	// Redeliver sends one delivery again, now, whatever its state.
	Redeliver(ctx context.Context, id string) (*Delivery, error)
	// RedeliverSince sends again every event of the enterprise created in
	// [since, until) (until zero: up to now), and returns how many.
	RedeliverSince(ctx context.Context, accessCode string, since, until time.Time) (int, error)
	// PutAlertSettings sets the enterprise's usage alert thresholds.
	PutAlertSettings(ctx context.Context, s *AlertSettings) error
	// FindAlertSettings returns them, the defaults when none are set.
	FindAlertSettings(ctx context.Context, accessCode string) (*AlertSettings, error)
}

var _ NotifyService = (*Service)(nil)

// PutWebhook implements NotifyService.
func (s *Service) PutWebhook(ctx context.Context, w *Webhook) (*Webhook, error) {
	if w.Events == nil {
		w.Events = []EventType{}
	}
	if err := w.Validate(); err != nil {
		return nil, err
	}
	now := s.Clock.Now()
	w.Secret = NewWebhookSecret()
	w.CreatedAt, w.UpdatedAt = now, now
	created, err := s.Store.PutWebhook(ctx, w)
	if err != nil {
		return nil, err
	}
	out, err := s.Store.FindWebhook(ctx, w.EnterpriseCode)
	if err != nil {
		return nil, err
	}
	out.OldSecret = ""
	if !created {
		out.Secret = ""
	}
	return out, nil
}

// FindWebhook implements NotifyService.
func (s *Service) FindWebhook(ctx context.Context, accessCode string) (*Webhook, error) {
	w, err := s.Store.FindWebhook(ctx, accessCode)
	if err != nil {
		return nil, err
	}
	w.Secret, w.OldSecret = "", ""
	return w, nil
}

// RotateWebhookSecret implements NotifyService.
func (s *Service) RotateWebhookSecret(ctx context.Context, accessCode string, grace time.Duration) (*Webhook, error) {
	if grace < 0 {
		return nil, Invalid("grace_seconds", "grace_seconds must not be negative")
	}
	secret := NewWebhookSecret()
	if err := s.Store.RotateWebhookSecret(ctx, accessCode, secret, s.Clock.Now().Add(grace)); err != nil {
		return nil, err
	}
	w, err := s.Store.FindWebhook(ctx, accessCode)
	if err != nil {
		return nil, err
	}
	w.OldSecret = ""
	return w, nil
}

// FindDeliveries implements NotifyService.
func (s *Service) FindDeliveries(ctx context.Context, f DeliveryFilter) ([]*Delivery, error) {
	if f.Limit <= 0 || f.Limit > 1000 {
		f.Limit = 100
	}
	if _, err := s.Store.FindEnterprise(ctx, f.Enterprise); err != nil {
		return nil, err
	}
	return s.Store.FindDeliveries(ctx, f)
}

// Redeliver implements NotifyService.
func (s *Service) Redeliver(ctx context.Context, id string) (*Delivery, error) {
	d, err := s.Store.FindDelivery(ctx, id)
	if err != nil {
		return nil, err
	}
	if _, err := s.Store.Redeliver(ctx, d.EnterpriseCode, id, time.Time{}, time.Time{}, s.Clock.Now()); err != nil {
		return nil, err
	}
	return s.Store.FindDelivery(ctx, id)
}

// RedeliverSince implements NotifyService.
func (s *Service) RedeliverSince(ctx context.Context, accessCode string, since, until time.Time) (int, error) {
	now := s.Clock.Now()
	if until.IsZero() {
		until = now.Add(time.Microsecond)
	}
	return s.Store.Redeliver(ctx, accessCode, "", since, until, now)
}

// PutAlertSettings implements NotifyService.
func (s *Service) PutAlertSettings(ctx context.Context, a *AlertSettings) error {
	if a.Percents == nil {
		a.Percents = []int{}
	}
	if err := a.Validate(); err != nil {
		return err
	}
	return s.Store.PutAlertSettings(ctx, a)
}

// FindAlertSettings implements NotifyService.
func (s *Service) FindAlertSettings(ctx context.Context, accessCode string) (*AlertSettings, error) {
	return s.Store.FindAlertSettings(ctx, accessCode)
}

package service

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"time"

	"github.com/opencube/opencube"
)

var _ opencube.NotifyService = (*Notify)(nil)

// PutWebhook implements opencube.NotifyService.
func (s *Notify) PutWebhook(ctx context.Context, w *opencube.Webhook) (*opencube.Webhook, error) {
	if w.Events == nil {
		w.Events = []opencube.EventType{}
	}
	if err := w.Validate(); err != nil {
		return nil, err
	}
	now := s.Clock.Now()
	w.Secret = NewWebhookSecret()
	w.CreatedAt, w.UpdatedAt = now, now
	if w.Format == opencube.WebhookV4 {
		// The Notification Key, kept once made (the store keeps the one
		// it has).
		w.NotificationKeyID, w.NotificationKey = randomHex(16), randomHex(32)
	}
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
	if w.NotificationKey == "" || out.NotificationKey != w.NotificationKey {
		out.NotificationKey = "" // made before: not shown again
	}
	return out, nil
}

// FindWebhook implements opencube.NotifyService.
func (s *Notify) FindWebhook(ctx context.Context, accessCode string) (*opencube.Webhook, error) {
	w, err := s.Store.FindWebhook(ctx, accessCode)
	if err != nil {
		return nil, err
	}
	w.Secret, w.OldSecret, w.NotificationKey = "", "", ""
	return w, nil
}

// RotateWebhookSecret implements opencube.NotifyService.
func (s *Notify) RotateWebhookSecret(ctx context.Context, accessCode string, grace time.Duration) (*opencube.Webhook, error) {
	if grace < 0 || grace > opencube.MaxSecretGrace {
		return nil, opencube.OutOfRange("grace_seconds", 0, int64(opencube.MaxSecretGrace/time.Second))
	}
	secret := NewWebhookSecret()
	if err := s.Store.RotateWebhookSecret(ctx, accessCode, secret, s.Clock.Now().Add(grace)); err != nil {
		return nil, err
	}
	w, err := s.Store.FindWebhook(ctx, accessCode)
	if err != nil {
		return nil, err
	}
	w.OldSecret, w.NotificationKey = "", ""
	return w, nil
}

// RotateNotificationKey implements opencube.NotifyService.
func (s *Notify) RotateNotificationKey(ctx context.Context, accessCode string) (*opencube.Webhook, error) {
	id, key := randomHex(16), randomHex(32)
	if err := s.Store.SetNotificationKey(ctx, accessCode, id, key, s.Clock.Now()); err != nil {
		return nil, err
	}
	w, err := s.Store.FindWebhook(ctx, accessCode)
	if err != nil {
		return nil, err
	}
	w.Secret, w.OldSecret = "", ""
	return w, nil
}

// FindDeliveries implements opencube.NotifyService.
func (s *Notify) FindDeliveries(ctx context.Context, f opencube.DeliveryFilter) ([]*opencube.Delivery, error) {
	if f.Limit <= 0 || f.Limit > 1000 {
		f.Limit = 100
	}
	if _, err := s.Store.FindEnterprise(ctx, f.Enterprise); err != nil {
		return nil, err
	}
	return s.Store.FindDeliveries(ctx, f)
}

// Redeliver implements opencube.NotifyService.
func (s *Notify) Redeliver(ctx context.Context, id string) (*opencube.Delivery, error) {
	d, err := s.Store.FindDelivery(ctx, id)
	if err != nil {
		return nil, err
	}
	if _, err := s.Store.Redeliver(ctx, d.EnterpriseCode, id, time.Time{}, time.Time{}, s.Clock.Now()); err != nil {
		return nil, err
	}
	return s.Store.FindDelivery(ctx, id)
}

// RedeliverSince implements opencube.NotifyService.
func (s *Notify) RedeliverSince(ctx context.Context, accessCode string, since, until time.Time) (int, error) {
	now := s.Clock.Now()
	if until.IsZero() {
		until = now.Add(time.Microsecond)
	}
	return s.Store.Redeliver(ctx, accessCode, "", since, until, now)
}

// PutAlertSettings implements opencube.NotifyService.
func (s *Notify) PutAlertSettings(ctx context.Context, a *opencube.AlertSettings) error {
	if a.Percents == nil {
		a.Percents = []int{}
	}
	if err := a.Validate(); err != nil {
		return err
	}
	return s.Store.PutAlertSettings(ctx, a)
}

// FindAlertSettings implements opencube.NotifyService.
func (s *Notify) FindAlertSettings(ctx context.Context, accessCode string) (*opencube.AlertSettings, error) {
	return s.Store.FindAlertSettings(ctx, accessCode)
}

// NewWebhookSecret returns a random Standard Webhooks secret: whsec_ and
// the Base64 of 24 random bytes.
func NewWebhookSecret() string {
	var b [24]byte
	rand.Read(b[:])
	return opencube.WebhookSecretPrefix + base64.StdEncoding.EncodeToString(b[:])
}

// PurgeDeliveriesJob returns the delivery purge job due at at.
func PurgeDeliveriesJob(at time.Time) *opencube.Job {
	return &opencube.Job{ID: opencube.NewUUID(), Kind: opencube.JobPurgeDeliveries, Key: "deliveries", RunAt: at}
}

// randomHex returns n random bytes in lowercase hex.
func randomHex(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand does not fail
	}
	return hex.EncodeToString(b)
}

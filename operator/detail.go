package operator

import (
	"crypto/sha256"
	"encoding/hex"
	"time"

	"github.com/opencube/opencube"
)

// SecretID names a signing secret without showing it: the first 8 hex
// digits of its SHA-256.
func SecretID(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:4])
}

// SecretInfo is a signing secret as the operator sees it: its id and age,
// never its value.
type SecretInfo struct {
	ID      string    `json:"id"`
	AddedAt time.Time `json:"added_at"`
	// AgeSeconds is how long ago it was added.
	AgeSeconds int64 `json:"age_seconds"`
}

// Secrets returns the ids and ages of e's secrets at now, oldest first:
// when each was added (SecretsAdded), or when e was created for a secret of
// an older version.
func Secrets(e *opencube.Enterprise, now time.Time) []SecretInfo {
	out := make([]SecretInfo, len(e.Secrets))
	for i, s := range e.Secrets {
		added := e.CreatedAt
		if i < len(e.SecretsAdded) && !e.SecretsAdded[i].IsZero() {
			added = e.SecretsAdded[i]
		}
		out[i] = SecretInfo{ID: SecretID(s), AddedAt: added, AgeSeconds: max(int64(now.Sub(added)/time.Second), 0)}
	}
	return out
}

// EnterpriseDetail is everything the operator sees of an enterprise on its
// page: never a secret.
type EnterpriseDetail struct {
	Enterprise *opencube.Enterprise
	Secrets    []SecretInfo
	// Webhook is its notification endpoint without secrets; nil when it
	// has none.
	Webhook *opencube.Webhook
	Alerts  *opencube.AlertSettings
	Counts  Counts
}

// RecentOrders is how many of a SIM's orders its page shows; UsageDays how
// many UTC+8 days of usage, today included.
const (
	RecentOrders = 10
	UsageDays    = 31
)

// SIMDetail is everything the operator sees of a SIM on its page.
type SIMDetail struct {
	SIM *opencube.SIM `json:"sim"`
	// Order is the order in use (or suspended); null when none.
	Order *opencube.Order `json:"order"`
	// RecentOrders are its latest orders, newest first.
	RecentOrders []*opencube.Order `json:"recent_orders"`
	// Sessions are its open data sessions, newest started first.
	Sessions []*opencube.DataSession `json:"sessions"`
	// Usage is its data use on each of the last UsageDays UTC+8 days with
	// any, oldest first.
	Usage []UsagePoint `json:"usage"`
	// LastSMS is its latest short message, either way; null when none.
	LastSMS *opencube.SMS `json:"last_sms"`
	// Provisioning is its standing in the subscriber register: pending,
	// provisioned or failed, with the last error; null when it was never
	// provisioned (or provisioning is off).
	Provisioning *Provisioning `json:"provisioning"`
}

// OrderDetail is an order with its events, oldest first.
type OrderDetail struct {
	Order  *opencube.Order   `json:"order"`
	Events []*opencube.Event `json:"events"`
}

// PlanDetail is a catalog plan and the enterprises it is granted to (for
// an enterprise user, nil: never the other enterprises).
type PlanDetail struct {
	Plan        *opencube.Plan `json:"plan"`
	Enterprises []string       `json:"enterprises,omitempty"`
}

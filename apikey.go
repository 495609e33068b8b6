package opencube

import (
	"context"
	"time"
)

// APIKey is one of an enterprise's RSA public keys: a Cube v4 request
// signed with its private key (Authorization: LF {keyId}/{sign}) acts for
// the enterprise. The server never holds the private key.
type APIKey struct {
	// ID is the keyId of the Authorization header: 32 lowercase hex
	// digits, the first 16 bytes of the SHA-256 of the key's PKIX DER, so
	// that one key is never registered twice.
	ID         string `json:"key_id"`
	Enterprise string `json:"enterprise"`
	// PublicKey is the key as standard Base64 of its PKIX
	// (SubjectPublicKeyInfo) DER, whatever form it was given in.
	PublicKey string    `json:"public_key"`
	Bits      int       `json:"bits"`
	CreatedAt time.Time `json:"created_at"`
}

// MaxAPIKeys is how many keys an enterprise holds at once.
const MaxAPIKeys = 20

// APIKeyStore keeps the enterprises' Cube v4 public keys.
type APIKeyStore interface {
	// CreateAPIKey inserts k; KindConflict when its ID exists (the key is
	// registered, to this or another enterprise), KindUnauthenticated
	// when the enterprise is unknown, KindQuota when it holds MaxAPIKeys.
	CreateAPIKey(ctx context.Context, k *APIKey) error
	// FindAPIKey returns a key by its ID; KindUnauthenticated when unknown.
	FindAPIKey(ctx context.Context, id string) (*APIKey, error)
	// FindAPIKeys returns an enterprise's keys, oldest first.
	FindAPIKeys(ctx context.Context, accessCode string) ([]*APIKey, error)
	// DeleteAPIKey removes an enterprise's key; KindNotFound when the
	// enterprise holds no key of that ID.
	DeleteAPIKey(ctx context.Context, accessCode, id string) error
}

// ServiceOrder is a Cube v4 online renewal order (POST /orders/service):
// its id ("OL-" and digits) and the document GET /orders/{id}/service
// answers, kept as made.
type ServiceOrder struct {
	ID         string
	Enterprise string
	Document   []byte // JSON
	CreatedAt  time.Time
}

// ServiceOrderStore keeps Cube v4 renewal orders.
type ServiceOrderStore interface {
	// CreateServiceOrder inserts o; KindConflict when its id exists.
	CreateServiceOrder(ctx context.Context, o *ServiceOrder) error
	// FindServiceOrder returns an enterprise's renewal order; KindNotFound
	// when unknown.
	FindServiceOrder(ctx context.Context, accessCode, id string) (*ServiceOrder, error)
}

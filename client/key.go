package client

import (
	"context"
	"net/http"
	"net/url"

	"github.com/opencube/opencube"
	"github.com/opencube/opencube/admin"
	"github.com/opencube/opencube/operator"
)

// AddKey registers a Cube v4 RSA public key for an enterprise (POST
// /admin/v1/enterprises/{code}/keys): PEM, or Base64 of PKIX or PKCS#1
// DER. The answer's ID is the keyId its requests carry.
func (a *Admin) AddKey(ctx context.Context, accessCode, publicKey string) (*operator.APIKey, error) {
	if err := requireCode(accessCode); err != nil {
		return nil, err
	}
	var out operator.APIKey
	if err := a.send(ctx, http.MethodPost, admin.EnterprisePath(accessCode, "keys"), "", admin.KeyRequest{PublicKey: publicKey}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// Keys lists an enterprise's Cube v4 public keys, oldest first.
func (a *Admin) Keys(ctx context.Context, accessCode string) ([]*operator.APIKey, error) {
	if err := requireCode(accessCode); err != nil {
		return nil, err
	}
	var out admin.KeyList
	if err := a.send(ctx, http.MethodGet, admin.EnterprisePath(accessCode, "keys"), "", nil, &out); err != nil {
		return nil, err
	}
	return out.Keys, nil
}

// RevokeKey deletes one of an enterprise's Cube v4 keys: requests it signs
// are refused from then on.
func (a *Admin) RevokeKey(ctx context.Context, accessCode, id string) error {
	if err := requireCode(accessCode); err != nil {
		return err
	}
	if id == "" {
		return opencube.Invalid("id", "a key id is required")
	}
	return a.send(ctx, http.MethodDelete, admin.EnterprisePath(accessCode, "keys/"+url.PathEscape(id)), "", nil, nil)
}

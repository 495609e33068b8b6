package admin

import (
	"context"
	"net/http"

	"github.com/opencube/opencube"
	"github.com/opencube/opencube/operator"
)

// Keys serves the enterprises' Cube v4 public keys (service.Keys).
type Keys interface {
	// AddKey registers a public key (PEM or Base64 DER, PKIX or PKCS#1).
	AddKey(ctx context.Context, accessCode, publicKey string) (*operator.APIKey, error)
	// FindKeys lists the enterprise's keys, oldest first.
	FindKeys(ctx context.Context, accessCode string) ([]*operator.APIKey, error)
	// RevokeKey deletes one of the enterprise's keys.
	RevokeKey(ctx context.Context, accessCode, id string) error
}

// KeyRequest registers a Cube v4 public key.
type KeyRequest struct {
	// PublicKey is the RSA public key, 1024-8192 bits: PEM (PUBLIC KEY or
	// RSA PUBLIC KEY), or standard Base64 of its PKIX or PKCS#1 DER.
	PublicKey string `json:"public_key"`
}

// KeyList is an enterprise's Cube v4 keys, oldest first.
type KeyList struct {
	Keys []*operator.APIKey `json:"keys"`
}

func (s *Server) keys() (Keys, error) {
	if s.Keys == nil {
		return nil, &opencube.Error{Kind: KindNoRoute, Message: "Cube v4 keys are not served"}
	}
	return s.Keys, nil
}

// addKey registers a public key; the answer's key_id is the keyId of the
// requests it signs.
func (s *Server) addKey(r *http.Request) (int, any, error) {
	svc, err := s.keys()
	if err != nil {
		return 0, nil, err
	}
	var req KeyRequest
	if err := decode(r.Body, &req); err != nil {
		return 0, nil, err
	}
	code := r.PathValue("code")
	SetAudit(r, "enterprise:"+code, code, "add Cube v4 key")
	k, err := svc.AddKey(r.Context(), code, req.PublicKey)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusCreated, k, nil
}

// listKeys lists an enterprise's keys.
func (s *Server) listKeys(r *http.Request) (int, any, error) {
	svc, err := s.keys()
	if err != nil {
		return 0, nil, err
	}
	keys, err := svc.FindKeys(r.Context(), r.PathValue("code"))
	if err != nil {
		return 0, nil, err
	}
	if keys == nil {
		keys = []*operator.APIKey{}
	}
	return http.StatusOK, KeyList{Keys: keys}, nil
}

// revokeKey deletes one of an enterprise's keys.
func (s *Server) revokeKey(r *http.Request) (int, any, error) {
	svc, err := s.keys()
	if err != nil {
		return 0, nil, err
	}
	code, id := r.PathValue("code"), r.PathValue("id")
	SetAudit(r, "enterprise:"+code, code, "revoke Cube v4 key "+id)
	if err := svc.RevokeKey(r.Context(), code, id); err != nil {
		return 0, nil, err
	}
	return http.StatusNoContent, nil, nil
}

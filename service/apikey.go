package service

import (
	"context"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/pem"
	"strings"

	"github.com/opencube/opencube"
	"github.com/opencube/opencube/operator"
)

// Key sizes an enterprise's Cube v4 key may have: the reference's 1024-bit
// keys and larger ones (D26: every number has a stated range).
const (
	MinKeyBits = 1024
	MaxKeyBits = 8192
)

// Keys keeps the enterprises' Cube v4 public keys.
type Keys struct {
	Store KeyStore
	Clock opencube.Clock
}

// KeyStore is what Keys reads and writes.
type KeyStore interface {
	operator.APIKeyStore
	opencube.EnterpriseFinder
}

// AddKey registers an RSA public key for the enterprise, given as PEM or
// as bare Base64 DER, PKIX (SubjectPublicKeyInfo) or PKCS#1; KindInvalid
// naming public_key when it is none of those or of an unaccepted size,
// KindConflict when the key is registered already.
func (s *Keys) AddKey(ctx context.Context, accessCode, publicKey string) (*operator.APIKey, error) {
	pub, err := ParsePublicKey(publicKey)
	if err != nil {
		return nil, err
	}
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return nil, opencube.Invalid("public_key", "the key cannot be encoded: %v", err)
	}
	k := &operator.APIKey{
		ID: KeyID(der), Enterprise: accessCode, PublicKey: base64.StdEncoding.EncodeToString(der),
		Bits: pub.N.BitLen(), CreatedAt: s.Clock.Now(),
	}
	if err := s.Store.CreateAPIKey(ctx, k); err != nil {
		return nil, err
	}
	return k, nil
}

// FindKeys lists the enterprise's keys, oldest first; KindUnauthenticated
// when the enterprise is unknown.
func (s *Keys) FindKeys(ctx context.Context, accessCode string) ([]*operator.APIKey, error) {
	if _, err := s.Store.FindEnterprise(ctx, accessCode); err != nil {
		return nil, err
	}
	return s.Store.FindAPIKeys(ctx, accessCode)
}

// FindKey returns a key by its id: how a Cube v4 request's keyId is
// resolved. KindUnauthenticated when unknown.
func (s *Keys) FindKey(ctx context.Context, id string) (*operator.APIKey, error) {
	return s.Store.FindAPIKey(ctx, id)
}

// RevokeKey deletes an enterprise's key: requests signed with it are
// refused from then on; KindNotFound when it holds no such key.
func (s *Keys) RevokeKey(ctx context.Context, accessCode, id string) error {
	return s.Store.DeleteAPIKey(ctx, accessCode, id)
}

// KeyID is the keyId of a public key: the first 16 bytes of the SHA-256 of
// its PKIX DER, as 32 lowercase hex digits.
func KeyID(pkixDER []byte) string {
	sum := sha256.Sum256(pkixDER)
	return hex.EncodeToString(sum[:16])
}

// ParsePublicKey reads an RSA public key given as PEM (PUBLIC KEY or RSA
// PUBLIC KEY) or as Base64 of its DER, PKIX or PKCS#1, and checks its size
// (MinKeyBits-MaxKeyBits); KindInvalid naming public_key otherwise.
func ParsePublicKey(s string) (*rsa.PublicKey, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, opencube.Invalid("public_key", "public_key is required")
	}
	var der []byte
	if block, _ := pem.Decode([]byte(s)); block != nil {
		der = block.Bytes
	} else {
		var err error
		der, err = base64.StdEncoding.DecodeString(strings.Join(strings.Fields(s), ""))
		if err != nil {
			return nil, opencube.MustBe("public_key", "an RSA public key: PEM, or Base64 of PKIX or PKCS#1 DER")
		}
	}
	var pub *rsa.PublicKey
	if k, err := x509.ParsePKIXPublicKey(der); err == nil {
		rk, ok := k.(*rsa.PublicKey)
		if !ok {
			return nil, opencube.MustBe("public_key", "an RSA key (Cube v4 signs with SHA1withRSA)")
		}
		pub = rk
	} else if k, err := x509.ParsePKCS1PublicKey(der); err == nil {
		pub = k
	} else {
		return nil, opencube.MustBe("public_key", "an RSA public key: PEM, or Base64 of PKIX or PKCS#1 DER")
	}
	if bits := pub.N.BitLen(); bits < MinKeyBits || bits > MaxKeyBits {
		return nil, opencube.MustBe("public_key", "a key of 1024-8192 bits")
	}
	return pub, nil
}

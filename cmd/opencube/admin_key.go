package main

import (
	"crypto"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"io"
	"strings"
	"time"
)

// keyAdd runs `opencube admin key add --access-code C [--file F]`.
func (c *adminCLI) keyAdd(args []string) error {
	fs := c.flags("key add")
	code := fs.String("access-code", "", "access code of the enterprise")
	file := fs.String("file", "-", "file of the key (PEM or Base64); - for stdin")
	if err := parse(fs, args, 0, "access-code"); err != nil {
		return err
	}
	in, err := c.input(*file)
	if err != nil {
		return err
	}
	defer in.Close()
	b, err := io.ReadAll(io.LimitReader(in, 64<<10))
	if err != nil {
		return err
	}
	pub, err := publicHalf(b)
	if err != nil {
		return err
	}
	k, err := c.admin.AddKey(c.ctx, *code, pub)
	if err != nil {
		return err
	}
	return c.print(k, "%s", k.ID)
}

// publicHalf returns the public key to register from a key file: the file
// as it is, unless it holds a private key, whose public half it returns
// as PEM.
func publicHalf(b []byte) (string, error) {
	block, _ := pem.Decode(b)
	if block == nil || !strings.Contains(block.Type, "PRIVATE") {
		return string(b), nil
	}
	var pub crypto.PublicKey
	switch block.Type {
	case "PRIVATE KEY":
		k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
		if err != nil {
			return "", fmt.Errorf("read the private key: %w", err)
		}
		s, ok := k.(*rsa.PrivateKey)
		if !ok {
			return "", fmt.Errorf("the private key is not an RSA key")
		}
		pub = s.Public()
	case "RSA PRIVATE KEY":
		k, err := x509.ParsePKCS1PrivateKey(block.Bytes)
		if err != nil {
			return "", fmt.Errorf("read the private key: %w", err)
		}
		pub = k.Public()
	default:
		return "", fmt.Errorf("a %s is not an RSA key", block.Type)
	}
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return "", err
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})), nil
}

// keyList runs `opencube admin key list C`.
func (c *adminCLI) keyList(args []string) error {
	fs := c.flags("key list")
	if err := parse(fs, args, 1); err != nil {
		return err
	}
	keys, err := c.admin.Keys(c.ctx, fs.Arg(0))
	if err != nil {
		return err
	}
	lines := make([]string, 0, len(keys)+1)
	lines = append(lines, fmt.Sprintf("%-32s  %5s  %s", "KEY ID", "BITS", "ADDED"))
	for _, k := range keys {
		lines = append(lines, fmt.Sprintf("%-32s  %5d  %s", k.ID, k.Bits, k.CreatedAt.Format(time.RFC3339)))
	}
	if len(keys) == 0 {
		lines = append(lines, "(no keys)")
	}
	return c.print(keys, "%s", strings.Join(lines, "\n"))
}

// keyRevoke runs `opencube admin key revoke --access-code C ID`.
func (c *adminCLI) keyRevoke(args []string) error {
	fs := c.flags("key revoke")
	code := fs.String("access-code", "", "access code of the enterprise")
	if err := parse(fs, args, 1, "access-code"); err != nil {
		return err
	}
	if err := c.admin.RevokeKey(c.ctx, *code, fs.Arg(0)); err != nil {
		return err
	}
	return c.print(map[string]string{"revoked": fs.Arg(0)}, "revoked key %s of enterprise %s", fs.Arg(0), *code)
}

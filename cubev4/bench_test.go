package cubev4_test

import (
	"crypto/rand"
	"crypto/rsa"
	"fmt"
	"net/url"
	"testing"

	"github.com/opencube/opencube/cubev4"
)

// BenchmarkVerify is the cost of one request's signature check: the string
// to sign of an add-bundle request, and one SHA1withRSA verification, for
// the reference's 1024-bit keys and 2048-bit ones.
func BenchmarkVerify(b *testing.B) {
	for _, bits := range []int{1024, 2048} {
		key, err := rsa.GenerateKey(rand.Reader, bits)
		if err != nil {
			b.Fatal(err)
		}
		s := cubev4.Signed{Path: "/cube/v4/sims/89852022018041800192/bundle", Query: url.Values{},
			Body: []byte(`{"bundle_id":"DP20190726001274","bundle_type":10,"cycles":3}`), Timestamp: "1700000000000", Nonce: "42"}
		str, _ := cubev4.StringToSign(s)
		sign, err := cubev4.Sign(key, str)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(fmt.Sprintf("bits=%d", bits), func(b *testing.B) {
			for b.Loop() {
				str, err := cubev4.StringToSign(s)
				if err != nil || !cubev4.Verify(&key.PublicKey, str, sign) {
					b.Fatal("does not verify")
				}
			}
		})
	}
	b.Run("string-to-sign", func(b *testing.B) {
		s := cubev4.Signed{Path: "/cube/v4/sims/89852022018041800192/bundle",
			Body: []byte(`{"bundle_id":"DP20190726001274","bundle_type":10,"cycles":3}`), Timestamp: "1700000000000", Nonce: "42"}
		for b.Loop() {
			if _, err := cubev4.StringToSign(s); err != nil {
				b.Fatal(err)
			}
		}
	})
}

package opencube

import (
	"encoding/hex"
	"strings"
)

// SIMAuth is a SIM's authentication data, as the subscriber register (HLR)
// needs it to authenticate the SIM on the network. It is a secret: stored
// apart from the SIM, sent to the register, never shown by any API, CLI,
// log or page.
type SIMAuth struct {
	// Algorithm is one of AuthAlgorithms; empty means milenage when OPc is
	// given, comp128v1 otherwise.
	Algorithm string
	Ki        string // hex, 16 bytes (K for milenage)
	OPc       string // hex, 16 bytes; milenage only
}

// AuthAlgorithms are the authentication algorithms a SIM may use: milenage
// (3G/4G, with Ki and OPc) and the 2G ones (Ki only).
var AuthAlgorithms = []string{"milenage", "comp128v1", "comp128v2", "comp128v3", "xor"}

// Normalize fills the default algorithm and lower-cases the hex.
func (a *SIMAuth) Normalize() {
	a.Algorithm = strings.ToLower(strings.TrimSpace(a.Algorithm))
	a.Ki = strings.ToLower(strings.TrimSpace(a.Ki))
	a.OPc = strings.ToLower(strings.TrimSpace(a.OPc))
	if a.Algorithm == "" {
		a.Algorithm = "comp128v1"
		if a.OPc != "" {
			a.Algorithm = "milenage"
		}
	}
}

// Validate reports whether a can be stored (after Normalize). Its errors
// never quote the secret.
func (a *SIMAuth) Validate() error {
	ok := false
	for _, x := range AuthAlgorithms {
		ok = ok || a.Algorithm == x
	}
	if !ok {
		return MustBe("algorithm", "one of "+strings.Join(AuthAlgorithms, ", "))
	}
	if !hex16(a.Ki) {
		return Invalid("ki", "ki must be 32 hex digits")
	}
	switch {
	case a.Algorithm == "milenage" && !hex16(a.OPc):
		return Invalid("opc", "opc must be 32 hex digits with milenage")
	case a.Algorithm != "milenage" && a.OPc != "":
		return Invalid("opc", "opc is for milenage only")
	}
	return nil
}

func hex16(s string) bool {
	b, err := hex.DecodeString(s)
	return err == nil && len(b) == 16
}

// Register job kinds.
const (
	// JobHLRSync makes the register's subscriber of a SIM (the key, an
	// ICCID) match the SIM's current state: created with its MSISDN and
	// authentication data, enabled, disabled or deleted. It reads the state
	// when it runs, so it is idempotent and a burst of changes coalesces.
	JobHLRSync = "hlr.sync"
	// JobHLRDelete deletes a subscriber (the key, an IMSI) that no SIM
	// holds any more (the old IMSI of an OTA IMSI change).
	JobHLRDelete = "hlr.delete"
	// JobHLRReconcile compares the SIMs with the register's subscribers
	// and repairs drift; periodic.
	JobHLRReconcile = "hlr.reconcile"
)

package seal

import (
	"bufio"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"strings"
)

// KeySize is the size of a master key and of a data key, in bytes.
const KeySize = 32

// Key is a master key: 32 random bytes, written as standard Base64.
type Key [KeySize]byte

// NewKey returns a new random master key.
func NewKey() (Key, error) {
	var k Key
	if _, err := rand.Read(k[:]); err != nil {
		return Key{}, fmt.Errorf("seal: random key: %w", err)
	}
	return k, nil
}

// String returns k as standard Base64, the form of key files.
func (k Key) String() string { return base64.StdEncoding.EncodeToString(k[:]) }

// Check returns k's key check value: 16 hex digits that name the key
// without revealing it (an HMAC of a fixed text under k). It is stored
// beside each data key sealed under k, so that a server given another key
// knows it holds the wrong one.
func (k Key) Check() string {
	m := hmac.New(sha256.New, k[:])
	m.Write([]byte("opencube master key check"))
	return hex.EncodeToString(m.Sum(nil)[:8])
}

// DemoKey is the published master key of demonstration servers (serve
// --demo without a master key) and tests. Anyone can open what it seals:
// never use it in production.
var DemoKey = func() Key {
	return Key(sha256.Sum256([]byte("opencube published demo master key: never for production")))
}()

// ErrNoMasterKey is returned when a master key is needed and none was given.
var ErrNoMasterKey = errors.New("no master key: give one with --master-key-file FILE or OPENCUBE_MASTER_KEY (make one with `opencube keygen`)")

// ParseKey reads one master key: standard Base64 of 32 bytes.
func ParseKey(s string) (Key, error) {
	var k Key
	b, err := base64.StdEncoding.DecodeString(strings.TrimSpace(s))
	if err != nil || len(b) != KeySize {
		return k, errors.New("seal: a master key is the standard Base64 of 32 bytes (`opencube keygen` prints one)")
	}
	copy(k[:], b)
	return k, nil
}

// ParseKeys reads a list of master keys, one a line (blank lines and lines
// starting with # are skipped); the first seals, the others only open. A
// list without a key is an error.
func ParseKeys(text string) ([]Key, error) {
	var keys []Key
	sc := bufio.NewScanner(strings.NewReader(text))
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		k, err := ParseKey(line)
		if err != nil {
			return nil, fmt.Errorf("line %d: %w", n, err)
		}
		keys = append(keys, k)
	}
	if len(keys) == 0 {
		return nil, errors.New("seal: no master key in the list")
	}
	return keys, nil
}

// ReadKeyFile reads the master keys of a key file (ParseKeys).
func ReadKeyFile(path string) ([]Key, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("master key file: %w", err)
	}
	keys, err := ParseKeys(string(b))
	if err != nil {
		return nil, fmt.Errorf("master key file %s: %w", path, err)
	}
	return keys, nil
}

// Masters is what a store is opened with: the master keys, the first of
// which seals a new data key.
type Masters struct {
	// Keys are the master keys; the first seals, the others only open.
	Keys []Key
	// OpenOnly refuses a database that has no data key yet rather than
	// making one: for tools given no key, which try DemoKey on a
	// demonstration database.
	OpenOnly bool
}

// Demo is the Masters of demonstration servers and tests: DemoKey.
func Demo() Masters { return Masters{Keys: []Key{DemoKey}} }

// checks returns the check values of keys.
func checks(keys []Key) []string {
	out := make([]string, len(keys))
	for i, k := range keys {
		out[i] = k.Check()
	}
	return out
}

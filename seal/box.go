package seal

import (
	"context"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"golang.org/x/crypto/chacha20poly1305"
)

// Prefix starts every sealed value; a stored value without it is clear
// (written before sealing, waiting for `opencube migrate`).
const Prefix = "$oc1$"

// Slot is a data key sealed under one master key, as a store keeps it.
type Slot struct {
	// DataKey names the data key; sealed values carry it.
	DataKey string
	// Master is the Check of the master key that sealed it.
	Master string
	// Sealed is the data key sealed under that master key (Base64 of the
	// nonce and the ciphertext).
	Sealed string
	// CreatedAt is when the slot was written.
	CreatedAt time.Time
}

// ErrWrongMasterKey is returned (wrapped) when none of the master keys given
// opens the database's data key.
var ErrWrongMasterKey = errors.New("wrong master key")

// Box seals and opens stored secrets under the data keys it holds. It is
// safe for concurrent use.
type Box struct {
	keys    map[string][]byte
	aeads   map[string]cipher.AEAD
	current string // the data key that seals
}

// IsSealed reports whether a stored value is sealed.
func IsSealed(v string) bool { return strings.HasPrefix(v, Prefix) }

func aad(purpose, row string) []byte { return []byte(purpose + "\x00" + row) }

// Seal returns plain sealed under the current data key, bound to purpose
// (what the value is: "enterprise.secret") and row (the key of its row), so
// that a sealed value copied elsewhere does not open. The empty value stays
// empty (there is no secret).
func (b *Box) Seal(purpose, row, plain string) string {
	if plain == "" {
		return ""
	}
	a := b.aeads[b.current]
	buf := make([]byte, a.NonceSize(), a.NonceSize()+len(plain)+a.Overhead())
	if _, err := rand.Read(buf); err != nil {
		panic("seal: no randomness: " + err.Error()) // crypto/rand does not fail
	}
	buf = a.Seal(buf, buf, []byte(plain), aad(purpose, row))
	return Prefix + b.current + "$" + base64.RawURLEncoding.EncodeToString(buf)
}

// Open returns the clear value of a stored one sealed by Seal with the same
// purpose and row. A value that is not sealed (IsSealed false: written
// before sealing) is returned as it is.
func (b *Box) Open(purpose, row, v string) (string, error) {
	if !IsSealed(v) {
		return v, nil
	}
	id, body, ok := strings.Cut(v[len(Prefix):], "$")
	a := b.aeads[id]
	if !ok || a == nil {
		return "", fmt.Errorf("seal: %s of %s: sealed under an unknown data key %q", purpose, row, id)
	}
	raw, err := base64.RawURLEncoding.DecodeString(body)
	if err != nil || len(raw) < a.NonceSize()+a.Overhead() {
		return "", fmt.Errorf("seal: %s of %s: malformed sealed value", purpose, row)
	}
	plain, err := a.Open(nil, raw[:a.NonceSize()], raw[a.NonceSize():], aad(purpose, row))
	if err != nil {
		return "", fmt.Errorf("seal: %s of %s: the sealed value does not open (altered, or moved from another row)", purpose, row)
	}
	return string(plain), nil
}

// SealAll seals each value of l (Seal).
func (b *Box) SealAll(purpose, row string, l []string) []string {
	if l == nil {
		return nil
	}
	out := make([]string, len(l))
	for i, v := range l {
		out[i] = b.Seal(purpose, row, v)
	}
	return out
}

// OpenAll opens each value of l (Open).
func (b *Box) OpenAll(purpose, row string, l []string) ([]string, error) {
	if l == nil {
		return nil, nil
	}
	out := make([]string, len(l))
	for i, v := range l {
		var err error
		if out[i], err = b.Open(purpose, row, v); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// dataKeyAAD binds a sealed data key to its name.
func dataKeyAAD(id string) []byte { return []byte("opencube data key " + id) }

// sealKey seals data key dk (named id) under master key m.
func sealKey(m Key, id string, dk []byte, now time.Time) Slot {
	a, _ := chacha20poly1305.NewX(m[:]) // a 32-byte key always makes one
	buf := make([]byte, a.NonceSize(), a.NonceSize()+len(dk)+a.Overhead())
	if _, err := rand.Read(buf); err != nil {
		panic("seal: no randomness: " + err.Error())
	}
	buf = a.Seal(buf, buf, dk, dataKeyAAD(id))
	return Slot{DataKey: id, Master: m.Check(), Sealed: base64.StdEncoding.EncodeToString(buf), CreatedAt: now.UTC()}
}

// openKey opens a slot under master key m.
func openKey(m Key, s Slot) ([]byte, error) {
	a, _ := chacha20poly1305.NewX(m[:])
	raw, err := base64.StdEncoding.DecodeString(s.Sealed)
	if err != nil || len(raw) < a.NonceSize()+a.Overhead() {
		return nil, fmt.Errorf("seal: data key %s: malformed", s.DataKey)
	}
	dk, err := a.Open(nil, raw[:a.NonceSize()], raw[a.NonceSize():], dataKeyAAD(s.DataKey))
	if err != nil || len(dk) != KeySize {
		return nil, fmt.Errorf("seal: data key %s does not open under master key %s (altered)", s.DataKey, s.Master)
	}
	return dk, nil
}

// NewSlot makes a new random data key named id, sealed under m.
func NewSlot(m Key, id string, now time.Time) (Slot, error) {
	dk := make([]byte, KeySize)
	if _, err := rand.Read(dk); err != nil {
		return Slot{}, fmt.Errorf("seal: random data key: %w", err)
	}
	return sealKey(m, id, dk, now), nil
}

// Unlock opens the data keys of slots with the master keys: every data
// key must open under one of them (a key whose Check matches its slot's).
// The data key with the greatest name seals. It fails with
// ErrWrongMasterKey, naming the check values on either side, when a data
// key has no slot that the keys open.
func Unlock(keys []Key, slots []Slot) (*Box, error) {
	if len(keys) == 0 {
		return nil, ErrNoMasterKey
	}
	if len(slots) == 0 {
		return nil, errors.New("seal: the database has no data key")
	}
	b := &Box{keys: map[string][]byte{}, aeads: map[string]cipher.AEAD{}}
	sealedBy := map[string][]string{}
	for _, s := range slots {
		sealedBy[s.DataKey] = append(sealedBy[s.DataKey], s.Master)
		if b.keys[s.DataKey] != nil {
			continue
		}
		for _, k := range keys {
			if k.Check() != s.Master {
				continue
			}
			dk, err := openKey(k, s)
			if err != nil {
				return nil, err
			}
			b.keys[s.DataKey] = dk
		}
	}
	for id, masters := range sealedBy {
		if b.keys[id] == nil {
			return nil, fmt.Errorf("%w: the database's data key %s is sealed under the master key with check value %s; the keys given have %s",
				ErrWrongMasterKey, id, strings.Join(masters, ", "), strings.Join(checks(keys), ", "))
		}
		a, _ := chacha20poly1305.NewX(b.keys[id])
		b.aeads[id] = a
		if id > b.current {
			b.current = id
		}
	}
	return b, nil
}

// Rotate returns the slots to keep of each of b's data keys, given the
// existing ones: each data key sealed anew under keys[0], its sealings
// under the other listed keys kept, those under keys not listed dropped;
// and the Rotation that says so.
func (b *Box) Rotate(keys []Key, existing []Slot, now time.Time) (map[string][]Slot, *Rotation) {
	r := PlanRotation(keys, existing)
	out := map[string][]Slot{}
	for id, dk := range b.keys {
		out[id] = []Slot{sealKey(keys[0], id, dk, now)}
	}
	for _, s := range existing {
		if s.Master != r.Master && slices.Contains(r.Kept, s.Master) && out[s.DataKey] != nil {
			out[s.DataKey] = append(out[s.DataKey], s)
		}
	}
	r.DataKeys = len(out)
	return out, r
}

// storedSlot is a slot as MarshalSlots writes it.
type storedSlot struct {
	Master    string `json:"master"`
	Sealed    string `json:"sealed"`
	CreatedAt int64  `json:"created_at"` // unix microseconds
}

// MarshalSlots is the stored form of one data key's slots: a JSON array,
// one row a data key.
func MarshalSlots(slots []Slot) string {
	out := make([]storedSlot, len(slots))
	for i, s := range slots {
		out[i] = storedSlot{s.Master, s.Sealed, s.CreatedAt.UnixMicro()}
	}
	b, _ := json.Marshal(out) // strings and integers always encode
	return string(b)
}

// UnmarshalSlots reads the slots of data key id stored by MarshalSlots.
func UnmarshalSlots(id, text string) ([]Slot, error) {
	var in []storedSlot
	if err := json.Unmarshal([]byte(text), &in); err != nil {
		return nil, fmt.Errorf("seal: data key %s: %w", id, err)
	}
	out := make([]Slot, len(in))
	for i, s := range in {
		out[i] = Slot{DataKey: id, Master: s.Master, Sealed: s.Sealed, CreatedAt: time.UnixMicro(s.CreatedAt).UTC()}
	}
	return out, nil
}

// SlotStore keeps a database's slots: what Open needs of a store.
type SlotStore interface {
	// Slots returns every slot.
	Slots(ctx context.Context) ([]Slot, error)
	// AddSlot writes the data key of s with s as its only slot, unless
	// that data key exists already (a node that opened the same new
	// database at once made it first).
	AddSlot(ctx context.Context, s Slot) error
}

// Open unlocks the data keys of a store with m; a database without one is
// given one, sealed under the first master key (unless m.OpenOnly).
func Open(ctx context.Context, st SlotStore, m Masters) (*Box, error) {
	if len(m.Keys) == 0 {
		return nil, ErrNoMasterKey
	}
	slots, err := st.Slots(ctx)
	if err != nil {
		return nil, err
	}
	if len(slots) == 0 {
		if m.OpenOnly {
			return nil, ErrNoMasterKey
		}
		s, err := NewSlot(m.Keys[0], "1", time.Now())
		if err != nil {
			return nil, err
		}
		if err := st.AddSlot(ctx, s); err != nil {
			return nil, err
		}
		if slots, err = st.Slots(ctx); err != nil {
			return nil, err
		}
	}
	return Unlock(m.Keys, slots)
}

// Rotation is what Rotate did.
type Rotation struct {
	// Master is the check value of the master key the data keys are now
	// sealed under.
	Master string `json:"master"`
	// DataKeys is how many data keys were re-sealed.
	DataKeys int `json:"data_keys"`
	// Kept are the check values of the other listed master keys whose
	// sealings remain (they still open the database).
	Kept []string `json:"kept"`
	// Dropped are the check values of master keys no longer listed whose
	// sealings were removed.
	Dropped []string `json:"dropped"`
}

// Store is what a store keeps of sealing, beside the sealed values
// themselves.
type Store interface {
	// RotateMasterKeys re-seals every data key under the first master key
	// the store was opened with, keeps the sealings under its other keys,
	// and removes those under keys it was not given: in one transaction,
	// without touching a sealed value, while other nodes serve.
	RotateMasterKeys(ctx context.Context) (*Rotation, error)
	// SealClear seals up to batch stored secrets that are still clear
	// (written before sealing), in one transaction, and returns how many
	// rows it sealed: 0 when none is left. Run again after an interruption
	// it carries on where it stopped.
	SealClear(ctx context.Context, batch int) (int, error)
}

// PlanRotation is the Rotation of re-sealing under keys[0] a database whose
// slots are existing: the other listed keys' sealings are kept, those of
// keys not listed dropped.
func PlanRotation(keys []Key, existing []Slot) *Rotation {
	listed := checks(keys)
	r := &Rotation{Master: listed[0], Kept: []string{}, Dropped: []string{}}
	ids := map[string]bool{}
	for _, s := range existing {
		ids[s.DataKey] = true
		switch {
		case s.Master == listed[0]:
		case slices.Contains(listed, s.Master):
			if !slices.Contains(r.Kept, s.Master) {
				r.Kept = append(r.Kept, s.Master)
			}
		default:
			if !slices.Contains(r.Dropped, s.Master) {
				r.Dropped = append(r.Dropped, s.Master)
			}
		}
	}
	r.DataKeys = len(ids)
	return r
}

// What a sealed value is, the first half of its associated data (the row's
// key is the second): a value sealed for one does not open as another.
const (
	EnterpriseSecret = "enterprise.secret" // an enterprise's API secret (HMAC key)
	WebhookSecret    = "webhook.secret"    // an endpoint's signing secret, current or old
	WebhookV4Key     = "webhook.v4_key"    // a Cube v4 notification key
	SIMKi            = "sim_auth.ki"       // a SIM's Ki
	SIMOPc           = "sim_auth.opc"      // a SIM's OPc
)

package seal_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/opencube/opencube/seal"
)

func newKey(t *testing.T) seal.Key {
	t.Helper()
	k, err := seal.NewKey()
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// memSlots is a seal.SlotStore in memory.
type memSlots struct{ rows map[string][]seal.Slot }

func (m *memSlots) Slots(context.Context) ([]seal.Slot, error) {
	var out []seal.Slot
	for _, l := range m.rows {
		out = append(out, l...)
	}
	return out, nil
}

func (m *memSlots) AddSlot(_ context.Context, s seal.Slot) error {
	if m.rows == nil {
		m.rows = map[string][]seal.Slot{}
	}
	if _, ok := m.rows[s.DataKey]; !ok {
		m.rows[s.DataKey] = []seal.Slot{s}
	}
	return nil
}

func TestSealOpen(t *testing.T) {
	st := &memSlots{}
	b, err := seal.Open(t.Context(), st, seal.Masters{Keys: []seal.Key{newKey(t)}})
	if err != nil {
		t.Fatal(err)
	}
	v := b.Seal(seal.EnterpriseSecret, "P000270", "opencube-demo-secret")
	if !seal.IsSealed(v) || strings.Contains(v, "opencube-demo-secret") {
		t.Fatalf("sealed value %q", v)
	}
	if v2 := b.Seal(seal.EnterpriseSecret, "P000270", "opencube-demo-secret"); v2 == v {
		t.Error("two sealings of one value are equal: the nonce is not random")
	}
	for _, tt := range []struct {
		name, purpose, row, value, want string
		fails                           bool
	}{
		{name: "same place", purpose: seal.EnterpriseSecret, row: "P000270", value: v, want: "opencube-demo-secret"},
		{name: "another row", purpose: seal.EnterpriseSecret, row: "QY-000001", value: v, fails: true},
		{name: "another purpose", purpose: seal.WebhookSecret, row: "P000270", value: v, fails: true},
		{name: "altered", purpose: seal.EnterpriseSecret, row: "P000270", value: v[:len(v)-2] + "AA", fails: true},
		{name: "unknown data key", purpose: seal.EnterpriseSecret, row: "P000270", value: seal.Prefix + "9$" + v[len(seal.Prefix)+2:], fails: true},
		{name: "clear value of an older version", purpose: seal.SIMKi, row: "8986", value: "00112233445566778899aabbccddeeff", want: "00112233445566778899aabbccddeeff"},
		{name: "empty", purpose: seal.WebhookSecret, row: "P000270", value: "", want: ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := b.Open(tt.purpose, tt.row, tt.value)
			if tt.fails {
				if err == nil {
					t.Fatalf("Open = %q, want an error", got)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("Open = %q, %v; want %q", got, err, tt.want)
			}
		})
	}
	if b.Seal(seal.WebhookSecret, "P000270", "") != "" {
		t.Error("the empty value sealed as something")
	}
}

func TestWrongMasterKey(t *testing.T) {
	a, b := newKey(t), newKey(t)
	st := &memSlots{}
	if _, err := seal.Open(t.Context(), st, seal.Masters{Keys: []seal.Key{a}}); err != nil {
		t.Fatal(err)
	}
	_, err := seal.Open(t.Context(), st, seal.Masters{Keys: []seal.Key{b}})
	if !errors.Is(err, seal.ErrWrongMasterKey) || !strings.Contains(err.Error(), a.Check()) || !strings.Contains(err.Error(), b.Check()) {
		t.Fatalf("Open with another key: %v; want ErrWrongMasterKey naming both check values", err)
	}
	// A list holding the right key opens, whatever its place.
	if _, err := seal.Open(t.Context(), st, seal.Masters{Keys: []seal.Key{b, a}}); err != nil {
		t.Fatalf("Open with [b, a]: %v", err)
	}
	if _, err := seal.Open(t.Context(), &memSlots{}, seal.Masters{Keys: []seal.Key{a}, OpenOnly: true}); !errors.Is(err, seal.ErrNoMasterKey) {
		t.Fatalf("OpenOnly on a database without a data key: %v", err)
	}
	if _, err := seal.Open(t.Context(), st, seal.Masters{}); !errors.Is(err, seal.ErrNoMasterKey) {
		t.Fatalf("Open without a key: %v", err)
	}
}

func TestRotate(t *testing.T) {
	old, next, retired := newKey(t), newKey(t), newKey(t)
	st := &memSlots{}
	b, err := seal.Open(t.Context(), st, seal.Masters{Keys: []seal.Key{old}})
	if err != nil {
		t.Fatal(err)
	}
	v := b.Seal(seal.SIMKi, "8986", "00112233445566778899aabbccddeeff")
	// A slot of a key no longer listed, as an earlier rotation left it.
	rows, _ := b.Rotate([]seal.Key{retired, old}, st.rows["1"], time.Now())
	st.rows = rows

	rows, r := b.Rotate([]seal.Key{next, old}, st.rows["1"], time.Now())
	st.rows = rows
	if r.Master != next.Check() || r.DataKeys != 1 || len(r.Kept) != 1 || r.Kept[0] != old.Check() || len(r.Dropped) != 1 || r.Dropped[0] != retired.Check() {
		t.Fatalf("rotation %+v", r)
	}
	for name, keys := range map[string][]seal.Key{"the new key": {next}, "the old key (a node not yet given the new one)": {old}} {
		b2, err := seal.Open(t.Context(), st, seal.Masters{Keys: keys})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if got, err := b2.Open(seal.SIMKi, "8986", v); err != nil || got != "00112233445566778899aabbccddeeff" {
			t.Fatalf("%s opens %q, %v", name, got, err)
		}
	}
	if _, err := seal.Open(t.Context(), st, seal.Masters{Keys: []seal.Key{retired}}); !errors.Is(err, seal.ErrWrongMasterKey) {
		t.Fatalf("the retired key still opens: %v", err)
	}
	// Rotating again with the new key alone retires the old one.
	st.rows, _ = b.Rotate([]seal.Key{next}, st.rows["1"], time.Now())
	if _, err := seal.Open(t.Context(), st, seal.Masters{Keys: []seal.Key{old}}); !errors.Is(err, seal.ErrWrongMasterKey) {
		t.Fatalf("the old key opens after its retirement: %v", err)
	}
}

func TestParseKeys(t *testing.T) {
	a, b := newKey(t), newKey(t)
	keys, err := seal.ParseKeys("# rotation under way\n" + a.String() + "\n\n  " + b.String() + "  \n")
	if err != nil || len(keys) != 2 || keys[0] != a || keys[1] != b {
		t.Fatalf("ParseKeys = %v, %v", keys, err)
	}
	for _, bad := range []string{"", "# nothing\n", "c2hvcnQ=", a.String() + "\nnot base64!"} {
		if _, err := seal.ParseKeys(bad); err == nil {
			t.Errorf("ParseKeys(%q) succeeded", bad)
		}
	}
	if a.Check() == b.Check() || len(a.Check()) != 16 || strings.Contains(a.Check(), a.String()) {
		t.Errorf("check values %q %q", a.Check(), b.Check())
	}
}

// BenchmarkOpen is the cost of opening one sealed enterprise secret: what a
// read of an enterprise adds per secret.
func BenchmarkOpen(b *testing.B) {
	box, err := seal.Open(b.Context(), &memSlots{}, seal.Demo())
	if err != nil {
		b.Fatal(err)
	}
	v := box.Seal(seal.EnterpriseSecret, "P000270", "opencube-demo-secret")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := box.Open(seal.EnterpriseSecret, "P000270", v); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSeal is the cost of sealing one secret.
func BenchmarkSeal(b *testing.B) {
	box, err := seal.Open(b.Context(), &memSlots{}, seal.Demo())
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		box.Seal(seal.EnterpriseSecret, "P000270", "opencube-demo-secret")
	}
}

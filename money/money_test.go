package money_test

import (
	"math"
	"math/big"
	"regexp"
	"strings"
	"testing"

	"github.com/opencube/opencube"
	"github.com/opencube/opencube/money"
)

func TestMoneyFormat(t *testing.T) {
	tests := []struct {
		in   int64
		want string
	}{
		{0, "0.00"},
		{5, "0.05"},
		{7, "0.07"},
		{50, "0.50"},
		{499, "4.99"},
		{1000, "10.00"},
		{1230, "12.30"},
		{13900, "139.00"},
		{-5, "-0.05"},
		{-250, "-2.50"},
		{math.MaxInt64, "92233720368547758.07"},
		{math.MinInt64, "-92233720368547758.08"},
	}
	for _, tt := range tests {
		if got := money.Format(tt.in); got != tt.want {
			t.Errorf("Format(%d) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestMoneyParse(t *testing.T) {
	tests := []struct {
		in   string
		want int64
		ok   bool
	}{
		{"12.50", 1250, true},
		{"12.5", 1250, true},
		{"12", 1200, true},
		{"0.01", 1, true},
		{"0.07", 7, true},
		{"0", 0, true},
		{"007.5", 750, true},
		{"139.00", 13900, true},
		{"92233720368547758.07", math.MaxInt64, true},
		{"000000000000000000000000000000000000000000001", 100, true},
		{"92233720368547758.08", 0, false},
		{"92233720368547759", 0, false},
		{"99999999999999999999999", 0, false},
		{"12.505", 0, false},
		{"12.500", 0, false},
		{"", 0, false},
		{".", 0, false},
		{".5", 0, false},
		{"1.", 0, false},
		{"-1", 0, false},
		{"+1", 0, false},
		{"1e3", 0, false},
		{"1,00", 0, false},
		{"1.2.3", 0, false},
		{" 1", 0, false},
		{"1 ", 0, false},
		{"١", 0, false},
	}
	for _, tt := range tests {
		got, err := money.Parse(tt.in)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("Parse(%q) = %d, %v; want %d, ok %v", tt.in, got, err, tt.want, tt.ok)
		}
		if err != nil && opencube.ErrorKind(err) != opencube.KindInvalid {
			t.Errorf("Parse(%q): error of kind %s", tt.in, opencube.ErrorKind(err))
		}
	}
}

// amountRE is the grammar Parse accepts.
var amountRE = regexp.MustCompile(`^[0-9]+(\.[0-9]{1,2})?$`)

// FuzzMoneyParse checks Parse against the grammar and exact
// arithmetic, and that what it reads formats and reads back the same.
func FuzzMoneyParse(f *testing.F) {
	for _, s := range []string{"12.50", "0", "0.07", "92233720368547758.07", "92233720368547758.08", "1.", ".5", "-1", "1e3", "12.505"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := money.Parse(s)
		want, ok := new(big.Int), amountRE.MatchString(s)
		if ok {
			whole, frac, _ := strings.Cut(s, ".")
			want.SetString(whole+(frac + "00")[:2], 10)
			ok = want.IsInt64()
		}
		if (err == nil) != ok {
			t.Fatalf("Parse(%q) = %d, %v; want ok %v", s, got, err, ok)
		}
		if err != nil {
			if got != 0 {
				t.Fatalf("Parse(%q) = %d with an error", s, got)
			}
			return
		}
		if got != want.Int64() {
			t.Fatalf("Parse(%q) = %d, want %s", s, got, want)
		}
		if back, err := money.Parse(money.Format(got)); err != nil || back != got {
			t.Fatalf("Format(%d) = %q reads back as %d, %v", got, money.Format(got), back, err)
		}
	})
}

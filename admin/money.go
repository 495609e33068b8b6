package admin

import (
	"encoding/json"
	"math/big"
	"strings"

	"github.com/opencube/opencube"
)

// Decimal is a non-negative decimal number such as "12.50", read from a
// JSON string or number and written as a JSON string, so that no value
// passes through a float.
type Decimal string

// UnmarshalJSON implements json.Unmarshaler.
func (d *Decimal) UnmarshalJSON(b []byte) error {
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*d = Decimal(strings.TrimSpace(s))
		return nil
	}
	if string(b) == "null" {
		return nil
	}
	*d = Decimal(b) // a JSON number, checked where it is converted
	return nil
}

// MarshalJSON implements json.Marshaler.
func (d Decimal) MarshalJSON() ([]byte, error) { return json.Marshal(string(d)) }

// ParsePrice reads a decimal price with at most two places ("12.50", "3")
// as minor units (1250, 300).
func ParsePrice(s string) (int64, error) {
	n, ok := scale(s, 100, true)
	if !ok {
		return 0, opencube.Invalid("price", "price %q is not a non-negative amount with at most two decimals", s)
	}
	return n, nil
}

// volumeUnits are the units ParseVolume reads, binary like the CSSS MB.
var volumeUnits = []struct {
	suffix string
	bytes  int64
}{
	{"TIB", 1 << 40}, {"GIB", 1 << 30}, {"MIB", 1 << 20}, {"KIB", 1 << 10},
	{"TB", 1 << 40}, {"GB", 1 << 30}, {"MB", 1 << 20}, {"KB", 1 << 10},
	{"T", 1 << 40}, {"G", 1 << 30}, {"M", 1 << 20}, {"K", 1 << 10},
	{"B", 1},
}

// ParseVolume reads a data volume such as "20MB", "1.5GB", "512KB" or
// "1048576" (bytes) as bytes. Units are binary (1 MB = 1,048,576 bytes);
// fractions round to the nearest byte.
func ParseVolume(s string) (int64, error) {
	num, unit := strings.TrimSpace(s), int64(1)
	upper := strings.ToUpper(num)
	for _, u := range volumeUnits {
		if strings.HasSuffix(upper, u.suffix) {
			num, unit = strings.TrimSpace(num[:len(num)-len(u.suffix)]), u.bytes
			break
		}
	}
	n, ok := scale(num, unit, unit == 1)
	if !ok {
		return 0, opencube.Invalid("volume", "volume %q is not a size such as 20MB, 1GB, 512KB or a number of bytes", s)
	}
	return n, nil
}

// scale reads a non-negative decimal ("12", "0.5") and multiplies it by
// unit; exact refuses a result that is not a whole number, otherwise it is
// rounded half up. It reports false for anything else, or an overflow.
func scale(s string, unit int64, exact bool) (int64, bool) {
	whole, frac, dot := strings.Cut(s, ".")
	if len(s) > 40 || whole == "" || (dot && frac == "") || !digits(whole) || !digits(frac) {
		return 0, false
	}
	r, ok := new(big.Rat).SetString(s)
	if !ok {
		return 0, false
	}
	r.Mul(r, new(big.Rat).SetInt64(unit))
	if exact && !r.IsInt() {
		return 0, false
	}
	// floor(r + 1/2) = (2*num + den) / (2*den) for non-negative r.
	num := new(big.Int).Lsh(r.Num(), 1)
	num.Add(num, r.Denom())
	n := num.Quo(num, new(big.Int).Lsh(r.Denom(), 1))
	if !n.IsInt64() {
		return 0, false
	}
	return n.Int64(), true
}

func digits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

package console

import (
	"testing"

	"github.com/opencube/opencube/operator"
)

// TestTotalText: a count=1 total shows with separators, and as "10,000+"
// when the API capped it.
func TestTotalText(t *testing.T) {
	for _, tt := range []struct {
		n    int
		want string
	}{{0, "0"}, {999, "999"}, {1000, "1,000"}, {9999, "9,999"}, {operator.CountCap, "10,000"}, {operator.CountCap + 1, "10,000+"}} {
		l := &operator.List[int]{}
		l.SetTotal(tt.n)
		if got := totalText(l); got != tt.want {
			t.Errorf("total %d shows %q, want %q", tt.n, got, tt.want)
		}
	}
	if got := totalText(&operator.List[int]{}); got != "-" {
		t.Errorf("no total shows %q", got)
	}
}

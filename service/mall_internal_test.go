package service

import "testing"

func TestFormatMinor(t *testing.T) {
	for n, want := range map[int64]string{0: "0.00", 7: "0.07", 1000: "10.00", 499: "4.99", -250: "-2.50"} {
		if got := formatMinor(n); got != want {
			t.Errorf("formatMinor(%d) = %s, want %s", n, got, want)
		}
	}
}

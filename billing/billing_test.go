package billing

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/opencube/opencube"
)

func TestMonths(t *testing.T) {
	// 2024-01-31 16:30 UTC is 2024-02-01 00:30 UTC+8: February.
	if m := MonthOf(time.Date(2024, 1, 31, 16, 30, 0, 0, time.UTC)); m != 202402 {
		t.Errorf("MonthOf = %d, want 202402", m)
	}
	if got, want := MonthEnd(202412), time.Date(2025, 1, 1, 0, 0, 0, 0, opencube.BusinessZone); !got.Equal(want) {
		t.Errorf("MonthEnd(202412) = %s", got)
	}
	if got, want := Closes(202402, 24*time.Hour), time.Date(2024, 3, 2, 0, 0, 0, 0, opencube.BusinessZone); !got.Equal(want) {
		t.Errorf("Closes(202402) = %s", got)
	}
	for _, s := range []string{"202413", "202400", "199912", "2024-01", "20241", ""} {
		if _, err := ParseMonth("month", s); opencube.ErrorKind(err) != opencube.KindInvalid {
			t.Errorf("ParseMonth(%q) = %v, want invalid", s, err)
		}
	}
	if m, err := ParseMonth("month", "202501"); err != nil || m != 202501 {
		t.Errorf("ParseMonth(202501) = %d, %v", m, err)
	}
}

func TestAmountJSON(t *testing.T) {
	for _, a := range []Amount{0, 5, -250, 123456} {
		b, err := json.Marshal(a)
		if err != nil {
			t.Fatal(err)
		}
		var back Amount
		if err := json.Unmarshal(b, &back); err != nil || back != a {
			t.Errorf("%d -> %s -> %d, %v", a, b, back, err)
		}
	}
	if b, _ := json.Marshal(Amount(-250)); string(b) != `"-2.50"` {
		t.Errorf("Amount(-250) = %s", b)
	}
}

func TestBuildStatement(t *testing.T) {
	at := time.Date(2025, 1, 3, 2, 0, 0, 0, time.UTC)
	lines := []*Line{
		{ID: "1", Kind: KindTopUp, Currency: "CNY", AmountMinor: 2000, CreatedAt: at},
		{ID: "2", Kind: KindOrder, Currency: "CNY", AmountMinor: -1000, PlanCode: "B", OrderID: "O1", CreatedAt: at},
		{ID: "3", Kind: KindOrder, Currency: "USD", AmountMinor: -300, PlanCode: "A", OrderID: "O2", CreatedAt: at},
		{ID: "4", Kind: KindRefund, Currency: "CNY", AmountMinor: 1000, PlanCode: "B", OrderID: "O1", CreatedAt: at},
		{ID: "5", Kind: KindOrder, Currency: "CNY", AmountMinor: -500, PlanCode: "A", OrderID: "O3", CreatedAt: at},
	}
	got := BuildStatement([]Balance{{Currency: "CNY", AmountMinor: -100}}, lines)
	if len(got) != 2 || got[0].Currency != "CNY" || got[1].Currency != "USD" {
		t.Fatalf("currencies %+v", got)
	}
	cny := got[0]
	if cny.Opening != -100 || cny.Closing != 1400 || cny.Charges != -1500 || cny.Credits != 3000 {
		t.Errorf("CNY opening %d closing %d charges %d credits %d", cny.Opening, cny.Closing, cny.Charges, cny.Credits)
	}
	var balances []Amount
	for _, l := range cny.Lines {
		balances = append(balances, l.Balance)
	}
	if d := cmp.Diff([]Amount{1900, 900, 1900, 1400}, balances); d != "" {
		t.Errorf("running balances (-want +got):\n%s", d)
	}
	if d := cmp.Diff([]PlanTotal{{PlanCode: "A", Lines: 1, Amount: -500}, {PlanCode: "B", Lines: 2, Amount: 0}}, cny.ByPlan); d != "" {
		t.Errorf("totals by plan (-want +got):\n%s", d)
	}
	if usd := got[1]; usd.Opening != 0 || usd.Closing != -300 {
		t.Errorf("USD %+v", usd)
	}
	if empty := BuildStatement(nil, nil); empty == nil || len(empty) != 0 {
		t.Errorf("an empty month: %#v, want an empty list", empty)
	}
}

func TestMB(t *testing.T) {
	for bytes, want := range map[int64]string{0: "0.00", 1 << 20: "1.00", 1<<19 + 1<<18: "0.75", 5242: "0.00", 5243: "0.01", 3 << 30: "3072.00"} {
		if got := mb(bytes); got != want {
			t.Errorf("mb(%d) = %s, want %s", bytes, got, want)
		}
	}
}

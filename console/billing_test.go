package console_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/opencube/opencube/operator"
)

// TestBillingPage: the operator sets an enterprise prepaid and tops it up;
// the enterprise sees its own balance and statement, and downloads it;
// neither it nor support may change its billing.
func TestBillingPage(t *testing.T) {
	f := newSelfConsole(t)
	ops := f.as(t, operatorUser)
	if status, body, _ := ops.post(t, "/console/billing", "enterprise", entP, "mode", "prepaid", "currency", "CNY", "credit_limit", "", "alert_below", "5"); status != http.StatusSeeOther {
		t.Fatalf("set billing: %d %s", status, body)
	}
	if status, body, _ := ops.post(t, "/console/billing/topups", "enterprise", entP, "amount", "12.x", "currency", "CNY"); status != http.StatusBadRequest || !strings.Contains(body, `value="12.x"`) {
		t.Errorf("a top-up of letters: %d, want 400 with the form again", status)
	}
	if status, body, _ := ops.post(t, "/console/billing/topups", "enterprise", entP, "amount", "30.00", "currency", "CNY", "reason", "wire 7"); status != http.StatusSeeOther {
		t.Fatalf("top-up: %d %s", status, body)
	}
	o, err := f.changes.OrderPlan(t.Context(), entP, operator.OrderRequest{ICCID: selfSIMP, PlanCode: demoPlanP, Periods: 1})
	if err != nil {
		t.Fatal(err)
	}
	me := f.as(t, entUser)
	status, body := me.get(t, "/console/billing")
	if status != http.StatusOK {
		t.Fatalf("billing page: %d", status)
	}
	for _, want := range []string{"20.00 CNY", "Prepaid", o.ID, "wire 7", "-10.00", "/console/billing/statements/202501/pdf"} {
		if !strings.Contains(body, want) {
			t.Errorf("the enterprise's billing page lacks %q", want)
		}
	}
	if strings.Contains(body, `action="/console/billing/topups"`) {
		t.Error("the enterprise is offered the top-up form")
	}
	if status, _, _ := me.post(t, "/console/billing/topups", "amount", "100", "currency", "CNY"); status != http.StatusForbidden {
		t.Errorf("an enterprise's own top-up: %d, want 403", status)
	}
	status, csv := me.get(t, "/console/billing/statements/202501/csv")
	if status != http.StatusOK || !strings.Contains(csv, "P000270,202501,CNY,closing,,,,,,,,20.00,") {
		t.Errorf("statement CSV: %d %s", status, csv)
	}
	if status, pdf := me.get(t, "/console/billing/statements/202501/pdf"); status != http.StatusOK || !strings.HasPrefix(pdf, "%PDF-") {
		t.Errorf("statement PDF: %d %.20q", status, pdf)
	}
	if status, _ := me.get(t, "/console/billing?enterprise="+entQ); status != http.StatusNotFound {
		t.Errorf("another enterprise's billing: %d, want 404", status)
	}
	zh := f.as(t, supportUser)
	if _, body := zh.get(t, "/console/billing?enterprise="+entP); !strings.Contains(body, "20.00 CNY") || strings.Contains(body, `action="/console/billing"`) && strings.Contains(body, `name="mode"`) {
		t.Error("support sees no balance, or is offered the settings form")
	}
}

package esim_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/opencube/opencube"
	"github.com/opencube/opencube/esim"
)

// data posts fields to path with the consumer's token and answers the
// envelope's data, failing the test on any code but 0.
func (s *shop) data(t *testing.T, path string, fields map[string]any) map[string]any {
	t.Helper()
	body, _ := json.Marshal(fields)
	req := httptest.NewRequest(http.MethodPost, esim.Prefix+path, bytes.NewReader(body))
	req.Header.Set("x-access-token", s.token)
	rec := httptest.NewRecorder()
	s.h.ServeHTTP(rec, req)
	var env struct {
		Code    int            `json:"code"`
		Data    map[string]any `json:"data"`
		Message string         `json:"message"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &env); err != nil || env.Code != 0 {
		t.Fatalf("%s: %s", path, rec.Body)
	}
	return env.Data
}

// TestMyESIMDetailValidity shows that an eSIM's endTime is the expiry of
// the SIM order its payment made, renewals by top-ups included, and that
// it has none while that order waits for the eSIM's first data session.
func TestMyESIMDetailValidity(t *testing.T) {
	s := newShop(t)
	buy := func(t *testing.T, path string, fields map[string]any, money string) string {
		t.Helper()
		fields["currency"], fields["money"] = "USD", money
		id := s.data(t, path, fields)["orderId"].(string)
		if code, msg := s.webhook(t, "/payment/webhook", map[string]any{"orderId": id, "payAmount": money}); code != 0 {
			t.Fatalf("payment of %s: %d %s", id, code, msg)
		}
		return id
	}
	endTime := func(t *testing.T, id string) (string, string) {
		t.Helper()
		d := s.data(t, "/v1.1/order/myEsimDetail", map[string]any{"orderId": id})
		return d["iccid"].(string), d["endTime"].(string)
	}
	expiry := func(t *testing.T, iccid string) string {
		t.Helper()
		os, _, err := s.store.FindOrders(t.Context(), opencube.OrderFilter{Enterprise: partner, ICCID: iccid, Page: opencube.Page{Limit: 10}})
		if err != nil || len(os) != 1 || os[0].ExpiresAt == nil {
			t.Fatalf("the eSIM's orders: %+v, %v; want one, started", os, err)
		}
		return os[0].ExpiresAt.In(opencube.BusinessZone).Format("2006-01-02 15:04:05")
	}

	t.Run("starts at payment, then a top-up", func(t *testing.T) {
		first := buy(t, "/v1.1/package/preOrderPackage", map[string]any{"id": 1002}, "9.99")
		iccid, end := endTime(t, first)
		if want := expiry(t, iccid); end != want {
			t.Errorf("endTime %q, want the SIM order's expiry %q", end, want)
		}
		topUp := buy(t, "/package/topUpOrder", map[string]any{"id": 1002, "iccid": iccid}, "9.99")
		want := expiry(t, iccid)
		if want == end {
			t.Fatalf("the top-up did not renew the SIM's order (expiry %s)", want)
		}
		for _, id := range []string{first, topUp} {
			if _, got := endTime(t, id); got != want {
				t.Errorf("%s: endTime %q, want the renewed order's expiry %q", id, got, want)
			}
		}
	})
	t.Run("starts on attach", func(t *testing.T) {
		id := buy(t, "/v1.1/package/preOrderPackage", map[string]any{"id": 1001}, "4.99")
		if _, end := endTime(t, id); end != "" {
			t.Errorf("endTime %q before the first data session, want none", end)
		}
	})
}

package sms_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/opencube/opencube"
	"github.com/opencube/opencube/sms"
)

// reports counts the delivery reports it is given.
type reports struct{ n int }

func (r *reports) Report(context.Context, string, opencube.SMSOutcome, string) error {
	r.n++
	return nil
}

func (r *reports) ReceiveMO(context.Context, opencube.MORequest) (*opencube.SMS, error) {
	return &opencube.SMS{}, nil
}

// TestDLRTypeBounds sends the edges of a delivery report's type (D26):
// 1-31, the bits of dlr-mask 31. Outside, the report is answered 400 and
// recorded nowhere.
func TestDLRTypeBounds(t *testing.T) {
	for _, tt := range []struct {
		typ    string
		status int
	}{{"1", 200}, {"31", 200}, {"16", 200}, {"0", 400}, {"32", 400}, {"-1", 400}, {"x", 400}, {"", 400}} {
		t.Run("type="+tt.typ, func(t *testing.T) {
			r := &reports{}
			c := &sms.Callbacks{Receiver: r, Token: "token-token-token"}
			rec := httptest.NewRecorder()
			c.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, sms.KannelDLRPath+"?token=token-token-token&id=SMS1&type="+tt.typ, nil))
			if rec.Code != tt.status || (r.n == 1) != (tt.status == 200) {
				t.Fatalf("HTTP %d with %d reports, want %d: %s", rec.Code, r.n, tt.status, rec.Body)
			}
		})
	}
}

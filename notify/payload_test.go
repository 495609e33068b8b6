package notify_test

import (
	"encoding/json"
	"net/http"
	"testing"
	"time"

	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"

	"github.com/opencube/opencube"
	"github.com/opencube/opencube/csss"
	"github.com/opencube/opencube/notify"
	"github.com/opencube/opencube/service"
)

// TestPayload: each kind of event's body verifies with the enterprise
// secret (the CSSS sign) and carries its fields; the headers verify with
// the Standard Webhooks library under both secrets of a rotation.
func TestPayload(t *testing.T) {
	at := time.Date(2024, 1, 31, 10, 0, 0, 0, opencube.BusinessZone)
	start, exp := at, time.Date(2024, 2, 29, 23, 59, 59, 0, opencube.BusinessZone)
	base := opencube.Event{ID: "e1", EnterpriseCode: "P000270", OrderID: "ORDER_1", ICCID: "8985", IMSI: "4600",
		PlanCode: "DP1", Status: opencube.OrderInUse, CreatedAt: at, StartedAt: &start, ExpiresAt: &exp, Seq: 7}
	for _, tt := range []struct {
		name string
		typ  opencube.EventType
		data string
		want map[string]any
	}{
		{"order", opencube.EventStartOrder, "", map[string]any{"type": "1005", "order_status": "2", "order_start_date": "20240131",
			"order_expire_date": "20240229", "imsi": "4600", "package_code": "DP1", "seq": 7.0, "event_time": "1706666400000"}},
		{"alert", opencube.EventFlowAlert, `{"threshold":"80%","used_bytes":16777216,"total_bytes":20971520}`,
			map[string]any{"type": "flow_alert", "threshold": "80%", "used_flow": "16", "total_flow": "20", "alert_time": "1706666400000"}},
		{"other", "custom_event", `{"msisdn":"852","content":"hi","n":12345678901234567}`,
			map[string]any{"type": "custom_event", "msisdn": "852", "content": "hi", "n": 12345678901234567.0, "device_id": "8985", "seq": 7.0}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			e := base
			e.Type, e.Data = tt.typ, tt.data
			body, err := notify.Payload(&e, "ent-secret")
			if err != nil {
				t.Fatal(err)
			}
			var got map[string]any
			if err := json.Unmarshal(body, &got); err != nil {
				t.Fatal(err)
			}
			for k, v := range tt.want {
				if got[k] != v {
					t.Errorf("%s = %v, want %v (%s)", k, got[k], v, body)
				}
			}
			if _, ok := csss.Verify(body, got["sign"].(string), []string{"ent-secret"}); !ok {
				t.Errorf("sign does not verify: %s", body)
			}
			h := http.Header{}
			secrets := []string{service.NewWebhookSecret(), service.NewWebhookSecret()}
			notify.SetHeaders(h, e.ID, body, time.Now(), secrets)
			for _, s := range secrets {
				wh, err := standardwebhooks.NewWebhook(s)
				if err != nil {
					t.Fatal(err)
				}
				if err := wh.Verify(body, h); err != nil {
					t.Errorf("Standard Webhooks: %v", err)
				}
			}
		})
	}
}

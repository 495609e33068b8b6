package notify_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/opencube/opencube"
	"github.com/opencube/opencube/csss"
	"github.com/opencube/opencube/notify"
)

// TestSMSPayloads: the SMS notifications (短信下行回调, 短信上行回调 with
// data_coding) carry their fields and a sign that verifies.
func TestSMSPayloads(t *testing.T) {
	at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	for _, c := range []struct {
		name string
		e    *opencube.Event
		want map[string]any
	}{
		{"report", &opencube.Event{
			ID: "e1", Type: opencube.EventSMSReport, EnterpriseCode: "P1", ICCID: "8986", CreatedAt: at, Seq: 3,
			Data: `{"sms_id":"SMS_1","status":"success","state":"delivered"}`,
		}, map[string]any{
			"type": "sms_report", "sms_id": "SMS_1", "device_id": "8986", "status": "success", "state": "delivered",
			"report_time": "1767323045000", "access_code": "P1", "seq": 3.0,
		}},
		{"MO binary", &opencube.Event{
			ID: "e2", Type: opencube.EventSMSMO, EnterpriseCode: "P1", ICCID: "8986", CreatedAt: at, Seq: 4,
			Data: `{"sms_id":"SMS_2","msisdn":"852","content":"cafe","data_coding":1}`,
		}, map[string]any{
			"type": "sms_mo", "sms_id": "SMS_2", "device_id": "8986", "msisdn": "852", "content": "cafe", "data_coding": "1",
			"receive_time": "1767323045000", "access_code": "P1", "seq": 4.0,
		}},
	} {
		body, err := notify.Payload(c.e, "secret")
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		var got map[string]any
		if err := json.Unmarshal(body, &got); err != nil {
			t.Fatal(err)
		}
		sign, _ := got["sign"].(string)
		delete(got, "sign")
		if diff := cmp.Diff(c.want, got); diff != "" {
			t.Errorf("%s (-want +got):\n%s", c.name, diff)
		}
		if _, ok := csss.Verify(body, sign, []string{"secret"}); !ok {
			t.Errorf("%s: sign %q does not verify", c.name, sign)
		}
	}
}

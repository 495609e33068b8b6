package notify

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/opencube/opencube"
	"github.com/opencube/opencube/csss"
)

func TestRechargePayload(t *testing.T) {
	start := time.Date(2024, 1, 31, 10, 0, 0, 0, opencube.BusinessZone)
	e := &opencube.Event{ID: "e1", EnterpriseCode: "P000270", Type: opencube.EventMallRecharge, OrderID: "ORDER_1",
		ICCID: "89852022018041800195", Status: opencube.OrderInUse, CreatedAt: start, PlanCode: "DP1", StartedAt: &start,
		Data: `{"orderNo":"NO1","payAmount":"10.00","payCurrency":"CNY","payId":"pi_1"}`}
	body, err := Payload(e, "secret-12345")
	if err != nil {
		t.Fatal(err)
	}
	var n RechargeNotice
	if err := json.Unmarshal(body, &n); err != nil {
		t.Fatal(err)
	}
	if n.OrderNo != "NO1" || n.PayAmount != "10.00" || n.DeviceCode != e.ICCID || n.OrderStatus != "2" ||
		n.OrderStartDate == nil || *n.OrderStartDate != "20240131" || n.PartnerCode != "P000270" {
		t.Errorf("notice %+v", n)
	}
	if _, ok := csss.Verify(body, n.Sign, []string{"secret-12345"}); !ok {
		t.Error("the recharge push's sign does not verify")
	}
}

package notify

import (
	"cmp"
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/opencube/opencube"
)

// RechargeNotice is the body of the Mall's recharge-success push
// (充值成功消息推送): a paid Mall order became an order on the SIM. The
// Mall's fields (camelCase, as the Mall's requests) beside the order's;
// signed like the other notifications (D18).
type RechargeNotice struct {
	Type        string `json:"type"`
	OrderNo     string `json:"orderNo"`
	DeviceCode  string `json:"deviceCode"`
	PackageCode string `json:"packageCode"`
	PayAmount   string `json:"payAmount"`
	PayCurrency string `json:"payCurrency"`
	PayID       string `json:"payId"`
	// Result is success, or failed for a renewal whose payment failed
	// (auto-renewal then ends); Renewal counts an auto-renewal's paid
	// periods, absent for the purchase itself.
	Result          string  `json:"result"`
	Renewal         string  `json:"renewal,omitempty"`
	OrderID         string  `json:"orderId"`
	OrderStatus     string  `json:"orderStatus"`
	OrderStartDate  *string `json:"orderStartDate"`
	OrderExpireDate *string `json:"orderExpireDate"`
	EventTime       string  `json:"eventTime"`
	PartnerCode     string  `json:"partnerCode"`
	Seq             int64   `json:"seq"`
	Sign            string  `json:"sign"`
}

// rechargePayload returns the signed body of an opencube.EventMallRecharge.
func rechargePayload(e *opencube.Event, secret string) ([]byte, error) {
	var data map[string]string
	if err := json.Unmarshal([]byte(e.Data), &data); err != nil {
		return nil, fmt.Errorf("notify: recharge data of event %s: %w", e.ID, err)
	}
	n := &RechargeNotice{
		Type: string(e.Type), OrderNo: data["orderNo"], DeviceCode: e.ICCID, PackageCode: e.PlanCode,
		PayAmount: data["payAmount"], PayCurrency: data["payCurrency"], PayID: data["payId"], OrderID: e.OrderID,
		Result: cmp.Or(data["result"], "success"), Renewal: data["renewal"],
		OrderStatus: strconv.Itoa(int(e.Status)), OrderStartDate: compactDate(e.StartedAt),
		OrderExpireDate: compactDate(e.ExpiresAt), EventTime: strconv.FormatInt(e.CreatedAt.UnixMilli(), 10),
		PartnerCode: e.EnterpriseCode, Seq: e.Seq,
	}
	return signedBody(n, secret)
}

func (n *RechargeNotice) setSign(s string) { n.Sign = s }

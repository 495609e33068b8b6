package notify

import (
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/opencube/opencube"
)

// SMSReportNotice is the body of an MT delivery report (短信下行回调,
// docs/csss.md, notifications): status "success" or "fail", state the
// message's final state (delivered, failed, expired).
type SMSReportNotice struct {
	Type       string `json:"type"`
	SMSID      string `json:"sms_id"`
	DeviceID   string `json:"device_id"`
	Status     string `json:"status"`
	State      string `json:"state"`
	ReportTime string `json:"report_time"`
	AccessCode string `json:"access_code"`
	Seq        int64  `json:"seq"`
	Sign       string `json:"sign"`
}

// SMSMONotice is the body of an MO message (短信上行回调, and its
// text/binary variant): data_coding 0 is text, 1 binary with the content
// in hex.
type SMSMONotice struct {
	Type        string `json:"type"`
	SMSID       string `json:"sms_id"`
	DeviceID    string `json:"device_id"`
	MSISDN      string `json:"msisdn"`
	Content     string `json:"content"`
	DataCoding  string `json:"data_coding"`
	ReceiveTime string `json:"receive_time"`
	AccessCode  string `json:"access_code"`
	Seq         int64  `json:"seq"`
	Sign        string `json:"sign"`
}

func (n *SMSReportNotice) setSign(s string) { n.Sign = s }
func (n *SMSMONotice) setSign(s string)     { n.Sign = s }

// isSMSEvent reports whether events of type t are SMS notifications.
func isSMSEvent(t opencube.EventType) bool {
	return t == opencube.EventSMSReport || t == opencube.EventSMSMO
}

// smsPayload is Payload for SMS events.
func smsPayload(e *opencube.Event, secret string) ([]byte, error) {
	ms := strconv.FormatInt(e.CreatedAt.UnixMilli(), 10)
	var v signable
	if e.Type == opencube.EventSMSReport {
		var d opencube.SMSReportData
		if e.Data != "" {
			if err := json.Unmarshal([]byte(e.Data), &d); err != nil {
				return nil, fmt.Errorf("notify: SMS report of event %s: %w", e.ID, err)
			}
		}
		v = &SMSReportNotice{
			Type: string(e.Type), SMSID: d.SMSID, DeviceID: e.ICCID, Status: d.Status, State: string(d.State),
			ReportTime: ms, AccessCode: e.EnterpriseCode, Seq: e.Seq,
		}
	} else {
		var d opencube.SMSMOData
		if e.Data != "" {
			if err := json.Unmarshal([]byte(e.Data), &d); err != nil {
				return nil, fmt.Errorf("notify: SMS MO of event %s: %w", e.ID, err)
			}
		}
		v = &SMSMONotice{
			Type: string(e.Type), SMSID: d.SMSID, DeviceID: e.ICCID, MSISDN: d.MSISDN, Content: d.Content,
			DataCoding: strconv.Itoa(d.DataCoding), ReceiveTime: ms, AccessCode: e.EnterpriseCode, Seq: e.Seq,
		}
	}
	return signedBody(v, secret)
}

package csss

import (
	"context"
	"strconv"
	"time"

	"github.com/opencube/opencube"
)

// errNoSMS answers the SMS routes of a server without an SMS service.
var errNoSMS = opencube.Errorf(opencube.KindInternal, "csss: the server has no SMS service")

// SendSMSData is the data of the sendSms answer.
type SendSMSData struct {
	SMSID string `json:"sms_id"`
}

func (s *Server) sendSms(ctx context.Context, v *validator) (any, error) {
	iccid := v.str("device_id", true)
	content := v.str("content", true)
	typ := v.enum("sms_type", false)
	if err := v.err(); err != nil {
		return nil, err
	}
	r := opencube.SendSMSRequest{ICCID: iccid, Content: content, Type: opencube.SMSText}
	if typ == "1" {
		r.Type = opencube.SMSBinary
	}
	if v.sms == nil {
		return nil, errNoSMS
	}
	m, err := v.sms.SendSMS(ctx, r)
	if err != nil {
		return nil, err
	}
	return smsAnswer(m), nil
}

// smsAnswer is the answer of sendSms (Route.answerSMS).
func smsAnswer(m *opencube.SMS) any { return SendSMSData{SMSID: m.ID} }

// SMSItem is one message of querySms's sms_list; times are UTC+8
// `yyyy-MM-dd HH:mm:ss`, "" when the state was not reached.
type SMSItem struct {
	SMSID         string `json:"sms_id"`
	DeviceID      string `json:"device_id"`
	MSISDN        string `json:"msisdn"`
	Direction     string `json:"direction"`
	SMSType       string `json:"sms_type"`
	Content       string `json:"content"`
	Encoding      string `json:"encoding"`
	Segments      int    `json:"segments"`
	State         string `json:"state"`
	CreateTime    string `json:"create_time"`
	SentTime      string `json:"sent_time"`
	DeliveredTime string `json:"delivered_time"`
	FailedTime    string `json:"failed_time"`
	ExpiredTime   string `json:"expired_time"`
}

// SMSListData is the data of the querySms answer.
type SMSListData struct {
	Page    PageInfo  `json:"page"`
	SMSList []SMSItem `json:"sms_list"`
}

// epoch reads an optional epoch time member: seconds when fewer than 13
// digits, milliseconds otherwise (as D4 reads timestamps), from 0 to
// opencube.MaxTime.
func epoch(v *validator, name string) time.Time {
	s := v.str(name, false)
	if s == "" {
		return time.Time{}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 {
		v.fail(name)
		return time.Time{}
	}
	t := time.UnixMilli(n).UTC()
	if len(s) < 13 {
		t = time.Unix(n, 0).UTC()
	}
	if t.Unix() > opencube.MaxTime.Unix() {
		v.fail(name)
		return time.Time{}
	}
	return t
}

func (s *Server) querySms(ctx context.Context, v *validator) (any, error) {
	iccid := v.str("device_id", false)
	dir := v.enum("direction", false)
	state := v.enum("state", false)
	since, until := epoch(v, "start_time"), epoch(v, "end_time")
	no, size := paging(v, true)
	if err := v.err(); err != nil {
		return nil, err
	}
	if s.SMS == nil {
		return nil, errNoSMS
	}
	ms, total, err := s.SMS.FindSMS(ctx, opencube.SMSFilter{
		ICCID: iccid, Direction: opencube.SMSDirection(dir), State: opencube.SMSState(state),
		Since: since, Until: until, Page: opencube.PageOf(no, size),
	})
	if err != nil {
		return nil, err
	}
	out := SMSListData{Page: newPage(no, size, total), SMSList: make([]SMSItem, 0, len(ms))}
	for _, m := range ms {
		out.SMSList = append(out.SMSList, SMSItem{
			SMSID: m.ID, DeviceID: m.ICCID, MSISDN: m.MSISDN, Direction: string(m.Direction), SMSType: itoa(int(m.Type)),
			Content: m.Content, Encoding: m.Encoding, Segments: m.Segments, State: string(m.State),
			CreateTime: itemDate(&m.CreatedAt), SentTime: itemDate(m.SentAt), DeliveredTime: itemDate(m.DeliveredAt),
			FailedTime: itemDate(m.FailedAt), ExpiredTime: itemDate(m.ExpiredAt),
		})
	}
	return out, nil
}

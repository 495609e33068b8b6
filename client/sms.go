package client

import (
	"context"
	"net/http"
	"net/url"
	"strconv"

	"github.com/opencube/opencube"
	"github.com/opencube/opencube/admin"
	"github.com/opencube/opencube/csss"
)

var _ admin.SMSAdmin = (*Admin)(nil)

// SetSandboxGateway implements admin.SMSAdmin.
func (a *Admin) SetSandboxGateway(ctx context.Context, g admin.SandboxGateway) (*admin.SandboxGateway, error) {
	var out admin.SandboxGateway
	if err := a.send(ctx, http.MethodPut, admin.Prefix+"sandbox/sms-gateway", "", g, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// ReceiveMO injects an MO message from the SIM r.From (an ICCID) through
// the admin API, as the sandbox device.
func (a *Admin) ReceiveMO(ctx context.Context, r opencube.MORequest) (*opencube.SMS, error) {
	if r.From == "" {
		return nil, opencube.Invalid("iccid", "an ICCID is required")
	}
	var m opencube.SMS
	path := admin.Prefix + "sims/" + url.PathEscape(r.From) + "/mo"
	in := admin.MORequest{Content: r.Content, DataCoding: int(r.Type)}
	if err := a.send(ctx, http.MethodPost, path, "", in, &m); err != nil {
		return nil, err
	}
	return &m, nil
}

var _ opencube.SMSService = (*Client)(nil)

// SendSMS implements opencube.SMSService (sendSms). The answer carries
// only the message's id; its other fields are the request's.
func (c *Client) SendSMS(ctx context.Context, r opencube.SendSMSRequest) (*opencube.SMS, error) {
	p := map[string]any{"device_id": r.ICCID, "content": r.Content, "sms_type": strconv.Itoa(int(r.Type))}
	var w csss.SendSMSData
	if err := c.Call(ctx, "/sms/sendSms", p, &w); err != nil {
		return nil, err
	}
	return &opencube.SMS{
		ID: w.SMSID, ICCID: r.ICCID, Direction: opencube.SMSMT, Type: r.Type, Content: r.Content, State: opencube.SMSQueued,
	}, nil
}

// FindSMS implements opencube.SMSService (querySms). The filter's page must
// have a Limit (page_size is required on the wire); times are whole
// seconds.
func (c *Client) FindSMS(ctx context.Context, f opencube.SMSFilter) ([]*opencube.SMS, int, error) {
	p := map[string]any{"device_id": f.ICCID, "direction": string(f.Direction), "state": string(f.State)}
	if !f.Since.IsZero() {
		p["start_time"] = strconv.FormatInt(f.Since.UnixMilli(), 10)
	}
	if !f.Until.IsZero() {
		p["end_time"] = strconv.FormatInt(f.Until.UnixMilli(), 10)
	}
	pageParams(p, f.Page)
	var w csss.SMSListData
	if err := c.Call(ctx, "/sms/querySms", p, &w); err != nil {
		return nil, 0, err
	}
	out := make([]*opencube.SMS, 0, len(w.SMSList))
	for _, s := range w.SMSList {
		m := &opencube.SMS{
			ID: s.SMSID, ICCID: s.DeviceID, MSISDN: s.MSISDN, Direction: opencube.SMSDirection(s.Direction),
			Type: opencube.SMSType(atoi(s.SMSType)), Content: s.Content, Encoding: s.Encoding, Segments: s.Segments,
			State: opencube.SMSState(s.State), SentAt: parseDay(&s.SentTime, 0, 0, 0), DeliveredAt: parseDay(&s.DeliveredTime, 0, 0, 0),
			FailedAt: parseDay(&s.FailedTime, 0, 0, 0), ExpiredAt: parseDay(&s.ExpiredTime, 0, 0, 0),
		}
		if t := parseDay(&s.CreateTime, 0, 0, 0); t != nil {
			m.CreatedAt = *t
		}
		out = append(out, m)
	}
	return out, w.Page.TotalCount, nil
}

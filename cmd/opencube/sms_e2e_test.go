package main

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/opencube/opencube"
	"github.com/opencube/opencube/admin"
	"github.com/opencube/opencube/client"
	"github.com/opencube/opencube/csss"
	"github.com/opencube/opencube/service"
)

// runDue runs the node's due background jobs and then its due deliveries.
func (s *e2eServer) runDue(t *testing.T) {
	t.Helper()
	for _, w := range []*service.Worker{s.m.Worker, s.m.SMS.Worker, s.m.Notify.Worker} {
		if _, err := w.RunOnce(t.Context()); err != nil {
			t.Fatal(err)
		}
	}
}

// TestSMSSandbox: sendSms through the CSSS API to the sandbox device,
// delivered after its delay and reported to the customer's webhook; the
// gateway down then healed; querySms; the limits' codes; an MO message
// injected with `opencube admin sms mo`.
func TestSMSSandbox(t *testing.T) {
	clock := &e2eClock{now: clockStart}
	s := startNotifyServer(t, e2eDatabase(t), clock)
	ctx := t.Context()
	hook, notices := webhookReceiver(t)
	if _, err := s.admin().PutWebhook(ctx, &opencube.Webhook{EnterpriseCode: entP, URL: hook.URL}); err != nil {
		t.Fatal(err)
	}
	sims, _, err := s.m.Store.FindSIMs(ctx, opencube.SIMFilter{Enterprise: entP})
	if err != nil || len(sims) < 2 {
		t.Fatalf("demo SIMs: %v", err)
	}
	sim := sims[0]
	gw := s.m.SMS.Sandbox

	// Sent while the gateway is down: queued, retried, delivered once.
	cli := func(args ...string) string {
		t.Helper()
		out, _, err := runCLI(t, "", append([]string{"admin", "--url", s.m.URL(), "--admin-token", "t"}, args...)...)
		if err != nil {
			t.Fatalf("admin %v: %v", args, err)
		}
		return out
	}
	if out := cli("sms", "sandbox", "--down"); !strings.Contains(out, "down=true") {
		t.Errorf("sms sandbox --down: %q", out)
	}
	m, err := s.p.SendSMS(ctx, opencube.SendSMSRequest{ICCID: sim.ICCID, Content: "wake up €"})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(m.ID, "SMS_") {
		t.Errorf("sms_id %q", m.ID)
	}
	s.runDue(t)
	clock.Advance(time.Minute)
	s.runDue(t)
	if ms, _, err := s.p.FindSMS(ctx, opencube.SMSFilter{State: opencube.SMSQueued, Page: opencube.PageOf(1, 10)}); err != nil || len(ms) != 1 || ms[0].ID != m.ID || gw.Sent(m.ID) != 0 {
		t.Fatalf("while the gateway is down: %+v, %v", ms, err)
	}
	if g, err := s.admin().SetSandboxGateway(ctx, admin.SandboxGateway{}); err != nil || g.Down {
		t.Fatalf("healing the gateway: %+v, %v", g, err)
	}
	clock.Advance(time.Minute)
	s.runDue(t) // sent
	clock.Advance(sandboxDelay(s))
	s.runDue(t) // delivered, and reported
	s.runDue(t)
	n := awaitNotice(t, notices, string(opencube.EventSMSReport), "sms_id", m.ID)
	if n["status"] != "success" || n["state"] != "delivered" || n["device_id"] != sim.ICCID || n["access_code"] != entP {
		t.Errorf("report %v", n)
	}
	if got := gw.Sent(m.ID); got != 1 {
		t.Errorf("handed over %d times, want 1", got)
	}
	ms, total, err := s.p.FindSMS(ctx, opencube.SMSFilter{ICCID: sim.ICCID, Direction: opencube.SMSMT, Page: opencube.PageOf(1, 10)})
	if err != nil || total != 1 || ms[0].State != opencube.SMSDelivered || ms[0].Encoding != "gsm7" || ms[0].SentAt == nil || ms[0].DeliveredAt == nil {
		t.Fatalf("querySms = %+v (%d), %v", ms, total, err)
	}

	// Another enterprise sees neither the SIM nor the message (D17).
	if _, err := s.q.SendSMS(ctx, opencube.SendSMSRequest{ICCID: sim.ICCID, Content: "x"}); csssCode(err) != csss.CodeDeviceNotFound {
		t.Errorf("another enterprise's SIM: %v", err)
	}
	if ms, total, err := s.q.FindSMS(ctx, opencube.SMSFilter{Page: opencube.PageOf(1, 10)}); err != nil || total != 0 || len(ms) != 0 {
		t.Errorf("another enterprise's messages: %+v, %v", ms, err)
	}

	// Validation (D23: fields answer 1001, naming the field).
	for _, p := range []map[string]any{
		{"device_id": sim.ICCID, "content": "x", "sms_type": "2"},
		{"device_id": sim.ICCID},
		{"content": "x"},
		{"device_id": sim.ICCID, "content": "not hex", "sms_type": "1"},
	} {
		if err := s.p.Call(ctx, "/sms/sendSms", p, nil); csssCode(err) != csss.CodeInvalid {
			t.Errorf("sendSms %v: %v, want 1001", p, err)
		}
	}
	if err := s.p.Call(ctx, "/sms/querySms", map[string]any{"page_no": 1, "page_size": 10, "state": "lost"}, nil); csssCode(err) != csss.CodeInvalid {
		t.Errorf("querySms with an unknown state: %v", err)
	}

	// The limits.
	if _, err := s.p.SendSMS(ctx, opencube.SendSMSRequest{ICCID: sim.ICCID, Content: strings.Repeat("中", 67*10+1)}); csssCode(err) != csss.CodeSMSTooLong {
		t.Errorf("11 segments: %v", err)
	}
	s.m.SMS.Service.DailyLimit = 2
	if _, err := s.p.SendSMS(ctx, opencube.SendSMSRequest{ICCID: sim.ICCID, Content: "0102", Type: opencube.SMSBinary}); err != nil {
		t.Errorf("second of the day: %v", err)
	}
	if _, err := s.p.SendSMS(ctx, opencube.SendSMSRequest{ICCID: sim.ICCID, Content: "third"}); csssCode(err) != csss.CodeSMSDailyLimit {
		t.Errorf("third of the day: %v", err)
	}
	if _, err := s.p.SendSMS(ctx, opencube.SendSMSRequest{ICCID: sims[1].ICCID, Content: "other SIM"}); err != nil {
		t.Errorf("another SIM: %v", err)
	}

	// MO from the CLI.
	out, _, err := runCLI(t, "", "admin", "--url", s.m.URL(), "--admin-token", "t", "sms", "mo", sim.ICCID, "hello from the device")
	if err != nil || !strings.Contains(out, "MO message SMS_") {
		t.Fatalf("admin sms mo: %q, %v", out, err)
	}
	out, _, err = runCLI(t, "", "admin", "--url", s.m.URL(), "--admin-token", "t", "sms", "mo", "--binary", sim.ICCID, "CAFE")
	if err != nil {
		t.Fatalf("admin sms mo --binary: %q, %v", out, err)
	}
	s.runDue(t)
	var text, binary map[string]any
	for text == nil || binary == nil {
		n := awaitNotice(t, notices, string(opencube.EventSMSMO), "device_id", sim.ICCID)
		if n["data_coding"] == "1" {
			binary = n
		} else {
			text = n
		}
	}
	if text["content"] != "hello from the device" || text["msisdn"] != sim.MSISDN || binary["content"] != "cafe" {
		t.Errorf("MO notices %v and %v", text, binary)
	}
	if _, _, err := runCLI(t, "", "admin", "--url", s.m.URL(), "--admin-token", "t", "sms", "mo", "8900000000000000000", "x"); err == nil {
		t.Error("MO from an unknown SIM succeeded")
	}
}

func sandboxDelay(s *e2eServer) time.Duration { return s.m.SMS.Sandbox.Delay }

// csssCode returns the CSSS code of a client error, "" for none.
func csssCode(err error) string {
	var e *client.Error
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}

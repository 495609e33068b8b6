package cubev4

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math/big"
	"net/http"
	"slices"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/opencube/opencube"
)

// SMS bounds (cube-v4-api.md §2.4).
const (
	MaxSMSSIMs    = 100
	MaxSMSContent = 140 // characters
	// smsIdempotency is how long the same nonce, SIMs and message make the
	// same send.
	smsIdempotency = 10 * time.Second
	// smsHistory is how far back the history goes; smsDefaultSpan the
	// range it shows without begin_from.
	smsHistory     = 180 * 24 * time.Hour
	smsDefaultSpan = 7 * 24 * time.Hour
)

// SMS message types of Cube v4.
const (
	SMSTypeText   = 1
	SMSTypeBinary = 2
)

// SendSMSRequest is POST /sms's body.
type SendSMSRequest struct {
	SIMIDs  []string   `json:"sim_ids"`
	Message SMSMessage `json:"message"`
}

// SMSMessage is a message's type (1 text, 2 binary: hex) and content.
type SMSMessage struct {
	Type    int    `json:"type,omitempty"`
	Content string `json:"content"`
}

// SendSMSAnswer is POST /sms's data.
type SendSMSAnswer struct {
	JobID string `json:"job_id"`
}

// smsType maps the v4 message type to opencube's.
var smsType = map[int]opencube.SMSType{SMSTypeText: opencube.SMSText, SMSTypeBinary: opencube.SMSBinary}

// SMS is the SMS service the routes use (service.SMS): a batch is sent in
// one transaction.
type SMS interface {
	opencube.ReplayingSMSService
	// SendBatch sends one message per request, all or none, with the
	// replay claim of the service (Replaying) answered by the first.
	SendBatch(ctx context.Context, rs []opencube.SendSMSRequest) ([]*opencube.SMS, error)
}

// sendSMS is POST /sms: one message to up to 100 of the enterprise's SIMs,
// refused whole when any SIM is unknown or repeated; the same nonce, SIMs
// and message within 10 seconds are the same send (the same job_id, sent
// once).
func (s *Server) sendSMS(r *request) (*answer, error) {
	if s.SMS == nil {
		return nil, fail(CodeSMSRule, "SMS is not enabled on this server")
	}
	var req SendSMSRequest
	if err := decodeBody(r, &req); err != nil {
		return nil, err
	}
	if req.Message.Type == 0 {
		req.Message.Type = SMSTypeText
	}
	typ, ok := smsType[req.Message.Type]
	switch {
	case len(req.SIMIDs) == 0:
		return nil, fail(CodeMissing, "sim_ids is required")
	case len(req.SIMIDs) > MaxSMSSIMs:
		return nil, opencube.OutOfRange("sim_ids", 1, MaxSMSSIMs)
	case req.Message.Content == "":
		return nil, fail(CodeMissing, "message.content is required")
	case !ok:
		return nil, opencube.MustBe("message.type", "1 (text) or 2 (binary)")
	case utf8.RuneCountInString(req.Message.Content) > MaxSMSContent:
		return nil, opencube.MustBe("message.content", "1-140 characters")
	}
	for i, id := range req.SIMIDs {
		if slices.Contains(req.SIMIDs[:i], id) {
			return nil, fail(CodeSMSRule, "sim_ids repeats %s", id)
		}
	}
	ds, _, err := s.SIMs.FindDevices(r.ctx, opencube.DeviceFilter{ICCIDs: req.SIMIDs, Page: opencube.Page{Limit: len(req.SIMIDs)}})
	if err != nil {
		return nil, err
	}
	found := map[string]*opencube.SIM{}
	for _, d := range ds {
		found[d.SIM.ICCID] = d.SIM
	}
	for _, id := range req.SIMIDs {
		sim := found[id]
		if sim == nil {
			return nil, opencube.Errorf(opencube.KindDeviceNotFound, "SIM %s not found", id)
		}
		if sim.Status == opencube.SIMSuspended || sim.Status == opencube.SIMTerminated {
			return nil, fail(CodeStatus, "SIM %s is %s", id, sim.Status)
		}
	}
	sum := sha256.Sum256(fmt.Appendf(nil, "%q %d %q", req.SIMIDs, req.Message.Type, req.Message.Content))
	job := jobID(sum[:])
	if r.claim != nil && r.nonce != "" {
		// The nonce rule: an entry keyed by the key, the nonce and the
		// payload, recorded with the first message.
		e := *r.claim.Replays[0]
		e.Key = "v4-sms " + r.keyID + " " + r.nonce + " " + hex.EncodeToString(sum[:])
		e.ExpiresAt = r.claim.Now.Add(smsIdempotency)
		r.claim.Replays = append(r.claim.Replays, &e)
	}
	sent := SendSMSAnswer{JobID: job}
	var svc SMS = s.SMS
	if r.claim != nil {
		r.claim.RenderSMS = func(*opencube.SMS) []byte { return recorded(http.StatusOK, encode(sent, nil, CodeOK, r.lang, "")) }
		svc = s.SMS.Replaying(r.claim).(SMS)
	}
	// The messages and the replay entries commit together (D28).
	rs := make([]opencube.SendSMSRequest, len(req.SIMIDs))
	for i, id := range req.SIMIDs {
		rs[i] = opencube.SendSMSRequest{ICCID: id, Content: req.Message.Content, Type: typ, JobID: job}
	}
	if _, err := svc.SendBatch(r.ctx, rs); err != nil {
		return nil, err
	}
	return &answer{data: sent}, nil
}

// jobID is the decimal job id of a send: 18 digits from its hash and the
// time, so that two sends differ.
func jobID(sum []byte) string {
	n := new(big.Int).SetBytes(append(sum[:8:8], strconv.FormatInt(time.Now().UnixNano(), 10)...))
	return fmt.Sprintf("%018d", new(big.Int).Mod(n, big.NewInt(1e18)))
}

// MTRecord is one message of GET /sms/mt/{sim_id}.
type MTRecord struct {
	OrgID    string      `json:"org_id"`
	SIMID    string      `json:"sim_id"`
	MSISDN   string      `json:"msisdn"`
	SentAt   string      `json:"sent_at"` // RFC 3339, UTC
	Content  MTContent   `json:"content"`
	Status   int         `json:"status"` // 1 success, 2 failed, 3 processing
	Source   int         `json:"source"` // 2: the API
	User     *string     `json:"user"`
	UpdateAt string      `json:"update_at"`
	Error    *AsyncError `json:"error"`
	// JobID is the send the message is part of (POST /sms's job_id),
	// absent for messages sent otherwise.
	JobID string `json:"job_id,omitempty"`
}

// MTContent is an MT message's type and text (as documented, the reverse
// of MO's message{type, content}).
type MTContent struct {
	Type    int    `json:"type"`
	Message string `json:"message"`
}

// MORecord is one message of GET /sms/mo/{sim_id}.
type MORecord struct {
	OrgID      string     `json:"org_id"`
	SIMID      string     `json:"sim_id"`
	MSISDN     string     `json:"msisdn"`
	ReceivedAt int64      `json:"received_at"`
	Message    SMSMessage `json:"message"`
}

// MT statuses of the history.
const (
	mtSuccess    = 1
	mtFailed     = 2
	mtProcessing = 3
	mtAll        = 4
)

// mtStatus is the one mapping of message states to MT statuses.
var mtStatus = map[opencube.SMSState]int{
	opencube.SMSQueued: mtProcessing, opencube.SMSSent: mtProcessing,
	opencube.SMSDelivered: mtSuccess, opencube.SMSFailed: mtFailed, opencube.SMSExpired: mtFailed,
}

// v4Type returns the v4 message type of t.
func v4Type(t opencube.SMSType) int {
	if t == opencube.SMSBinary {
		return SMSTypeBinary
	}
	return SMSTypeText
}

// history reads the range and page of an SMS history and returns the
// SIM's messages of direction in it, newest first.
func (s *Server) history(r *request, dir opencube.SMSDirection, keep func(*opencube.SMS) bool) ([]*opencube.SMS, opencube.Page, int, error) {
	if s.SMS == nil {
		return nil, opencube.Page{}, 0, fail(CodeSMSRule, "SMS is not enabled on this server")
	}
	q := r.URL.Query()
	page, err := pageOf(q, 100, 100)
	if err != nil {
		return nil, page, 0, err
	}
	now := s.businessNow()
	until, since := now, now.Add(-smsDefaultSpan)
	for _, p := range []struct {
		name string
		t    *time.Time
	}{{"begin_from", &since}, {"end_by", &until}} {
		if v := q.Get(p.name); v != "" {
			ms, err := strconv.ParseInt(v, 10, 64)
			if err != nil || ms <= 0 {
				return nil, page, 0, opencube.MustBe(p.name, "epoch milliseconds")
			}
			*p.t = time.UnixMilli(ms)
		}
	}
	switch {
	case since.After(until):
		return nil, page, 0, fail(CodeStartAfterEnd, "begin_from is after end_by")
	case since.Before(now.Add(-smsHistory)):
		return nil, page, 0, fail(CodeStartTooEarly, "begin_from is more than 180 days ago")
	}
	d, err := s.device(r)
	if err != nil {
		return nil, page, 0, err
	}
	var all []*opencube.SMS
	for off := 0; ; off += 500 {
		ms, _, err := s.SMS.FindSMS(r.ctx, opencube.SMSFilter{ICCID: d.SIM.ICCID, Direction: dir, Since: since, Until: until.Add(time.Millisecond),
			Page: opencube.Page{Offset: off, Limit: 500}})
		if err != nil {
			return nil, page, 0, err
		}
		for _, m := range ms {
			if keep == nil || keep(m) {
				all = append(all, m)
			}
		}
		if len(ms) < 500 {
			break
		}
	}
	total := len(all)
	if page.Offset >= total {
		return nil, page, total, nil
	}
	return all[page.Offset:min(total, page.Offset+page.Limit)], page, total, nil
}

// mtHistory is GET /sms/mt/{sim_id}.
func (s *Server) mtHistory(r *request) (*answer, error) {
	want, err := intParam(r.URL.Query(), "status", mtAll, mtSuccess, mtAll)
	if err != nil {
		return nil, err
	}
	ms, _, total, err := s.history(r, opencube.SMSMT, func(m *opencube.SMS) bool { return want == mtAll || mtStatus[m.State] == want })
	if err != nil {
		return nil, err
	}
	return &answer{data: mtRecords(ms), total: &total}, nil
}

// mtRecords returns the MT records of messages.
func mtRecords(ms []*opencube.SMS) []MTRecord {
	out := []MTRecord{}
	for _, m := range ms {
		rec := MTRecord{OrgID: m.EnterpriseCode, SIMID: m.ICCID, MSISDN: m.MSISDN, SentAt: m.CreatedAt.UTC().Format(time.RFC3339),
			Content: MTContent{Type: v4Type(m.Type), Message: m.Content}, Status: mtStatus[m.State], Source: 2,
			UpdateAt: m.UpdatedAt.UTC().Format(time.RFC3339), JobID: m.JobID}
		if rec.Status == mtFailed {
			msg := m.Error
			if msg == "" {
				msg = string(m.State)
			}
			rec.Error = &AsyncError{Code: CodeSMSRule, Message: msg}
		}
		out = append(out, rec)
	}
	return out
}

// jobMessages is GET /sms/mt?job_id=: the messages of one send (POST
// /sms), newest first.
func (s *Server) jobMessages(r *request) (*answer, error) {
	if s.SMS == nil {
		return nil, fail(CodeSMSRule, "SMS is not enabled on this server")
	}
	q := r.URL.Query()
	job := q.Get("job_id")
	if job == "" {
		return nil, fail(CodeMissing, "job_id is required")
	}
	page, err := pageOf(q, 100, 100)
	if err != nil {
		return nil, err
	}
	ms, total, err := s.SMS.FindSMS(r.ctx, opencube.SMSFilter{JobID: job, Direction: opencube.SMSMT, Page: page})
	if err != nil {
		return nil, err
	}
	return &answer{data: mtRecords(ms), total: &total}, nil
}

// moHistory is GET /sms/mo/{sim_id}.
func (s *Server) moHistory(r *request) (*answer, error) {
	ms, _, total, err := s.history(r, opencube.SMSMO, nil)
	if err != nil {
		return nil, err
	}
	out := []MORecord{}
	for _, m := range ms {
		out = append(out, MORecord{OrgID: m.EnterpriseCode, SIMID: m.ICCID, MSISDN: m.MSISDN, ReceivedAt: ms64(m.CreatedAt),
			Message: SMSMessage{Type: v4Type(m.Type), Content: m.Content}})
	}
	return &answer{data: out, total: &total}, nil
}

func ms64(t time.Time) int64 { return t.UnixMilli() }

package notify

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/opencube/opencube"
	"github.com/opencube/opencube/cubev4"
)

// Cube v4 notification headers (cube-v4-api.md §3.2).
const (
	HeaderV4Version   = "x-lf-notification-version"
	HeaderV4Algo      = "x-lf-algo"
	HeaderV4Timestamp = "x-lf-timestamp"
	HeaderV4Signature = "x-lf-signature"
	// V4Version and V4Algo are the values opencube sends.
	V4Version = "1.0"
	V4Algo    = "HMAC-SHA1"
)

// V4Event is the body of a Cube v4 notification (cube-v4-api.md §3.5,
// the proposed envelope); the body is written with its keys sorted.
type V4Event struct {
	// The fields are in the order of their names, as the body's keys.
	Data       map[string]any `json:"data"`
	EventID    string         `json:"event_id"`
	EventType  string         `json:"event_type"`
	OccurredAt int64          `json:"occurred_at"` // epoch ms, the business clock
	OrgID      string         `json:"org_id"`
	SIMID      string         `json:"sim_id"`
}

// v4EventTypes is the one mapping of opencube's event types to Cube v4's.
var v4EventTypes = map[opencube.EventType]string{
	opencube.EventCreateOrder: "bundle.status_changed", opencube.EventEndOrder: "bundle.status_changed",
	opencube.EventCancelOrder: "bundle.status_changed", opencube.EventPauseOrder: "bundle.status_changed",
	opencube.EventResumeOrder: "bundle.status_changed", opencube.EventStartOrder: "bundle.status_changed",
	opencube.EventStartOTAOrder: "bundle.status_changed", opencube.EventExpireOrder: "bundle.status_changed",
	opencube.EventRenewOrder: "bundle.status_changed", opencube.EventReduceCycle: "bundle.status_changed",
	opencube.EventDownloadIMSI:    "bundle.status_changed",
	opencube.EventFlowAlert:       "usage.threshold",
	opencube.EventSMSReport:       "sms.mt_status",
	opencube.EventSMSMO:           "sms.mo",
	opencube.EventMallRecharge:    "topup.recharge",
	opencube.EventSIMAsyncResult:  "sim.async_result",
	opencube.EventSIMProvisioning: "sim.provisioning_failed",
	opencube.EventBalanceAlert:    "billing.balance_alert",
}

// v4BundleStatus is the bundle status (0 not started, 1 in use, 2 paused,
// 3 ended) of an order state.
var v4BundleStatus = map[opencube.OrderStatus]int{
	opencube.OrderNotEnabled: 0, opencube.OrderInUse: 1, opencube.OrderSuspended: 2,
	opencube.OrderExpired: 3, opencube.OrderEnded: 3, opencube.OrderCancelled: 3,
}

// V4Payload returns the Cube v4 body that notifies e: its keys sorted at
// every level, compact, without HTML escaping.
func V4Payload(e *opencube.Event) ([]byte, error) {
	typ, ok := v4EventTypes[e.Type]
	if !ok {
		typ = string(e.Type)
	}
	data := map[string]any{}
	if e.Data != "" {
		dec := json.NewDecoder(strings.NewReader(e.Data))
		dec.UseNumber()
		if err := dec.Decode(&data); err != nil {
			return nil, fmt.Errorf("notify: data of event %s: %w", e.ID, err)
		}
	}
	if e.Type == opencube.EventSIMAsyncResult {
		// The error as the async result states it: its CB code and message.
		data["error"] = nil
		if kind, _ := data["error_kind"].(string); kind != "" {
			cause, _ := data["error_cause"].(string)
			msg, _ := data["error_message"].(string)
			code := cubev4.CodeOf(&opencube.Error{Kind: opencube.Kind(kind), Cause: opencube.Cause(cause)})
			data["error"] = map[string]any{"code": code, "message": cubev4.Message(code, cubev4.LangEN) + ": " + msg}
		}
		delete(data, "error_kind")
		delete(data, "error_cause")
		delete(data, "error_message")
	}
	if typ == "bundle.status_changed" {
		data["order_id"], data["bundle_id"], data["status"], data["operation"] = e.OrderID, e.PlanCode, v4BundleStatus[e.Status], string(e.Type)
		data["start_at"], data["end_at"] = msOrNil(e.StartedAt), msOrNil(e.ExpiresAt)
	} else if e.OrderID != "" {
		data["order_id"] = e.OrderID
	}
	data["seq"] = e.Seq
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	// Struct fields are in key order already; Data is a map, sorted.
	if err := enc.Encode(V4Event{Data: data, EventID: e.ID, EventType: typ, OccurredAt: e.CreatedAt.UnixMilli(), OrgID: e.EnterpriseCode, SIMID: e.ICCID}); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

func msOrNil(t *time.Time) any {
	if t == nil {
		return nil
	}
	return t.UnixMilli()
}

// V4StringToSign is what a Cube v4 notification's signature covers:
// version:algo:timestamp:body (the body's keys sorted).
func V4StringToSign(version, algo, timestamp string, body []byte) []byte {
	return append([]byte(version+":"+algo+":"+timestamp+":"), body...)
}

// V4Signature is the lowercase hex HMAC-SHA1, keyed with the hex-decoded
// Notification Key, of the string to sign.
func V4Signature(keyHex string, stringToSign []byte) (string, error) {
	key, err := hex.DecodeString(keyHex)
	if err != nil {
		return "", fmt.Errorf("notify: the notification key is not hex: %w", err)
	}
	m := hmac.New(sha1.New, key)
	m.Write(stringToSign)
	return hex.EncodeToString(m.Sum(nil)), nil
}

// SetV4Headers adds the Cube v4 notification headers of body, sent at now
// (the real clock, D27), signed with the endpoint's Notification Key.
func SetV4Headers(h http.Header, w *opencube.Webhook, body []byte, now time.Time) error {
	ts := strconv.FormatInt(now.UnixMilli(), 10)
	sig, err := V4Signature(w.NotificationKey, V4StringToSign(V4Version, V4Algo, ts, body))
	if err != nil {
		return err
	}
	h[HeaderV4Version] = []string{V4Version}
	h[HeaderV4Algo] = []string{V4Algo}
	h[HeaderV4Timestamp] = []string{ts}
	h[HeaderV4Signature] = []string{w.NotificationKeyID + "/" + sig}
	return nil
}

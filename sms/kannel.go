package sms

import (
	"context"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf16"

	"github.com/opencube/opencube"
	"github.com/opencube/opencube/gsm"
	"github.com/opencube/opencube/metrics"
)

// DLR masks of Kannel's sendsms: delivered (1), undeliverable (2), queued
// on the SMSC (4), accepted by the SMSC (8), rejected by the SMSC (16).
const (
	DLRDelivered = 1
	DLRFailed    = 2
	DLRQueued    = 4
	DLRAccepted  = 8
	DLRRejected  = 16
	// DLRMask asks for every report.
	DLRMask = DLRDelivered | DLRFailed | DLRQueued | DLRAccepted | DLRRejected
)

// Callback paths on opencube that Kannel calls.
const (
	KannelDLRPath = "/kannel/dlr"
	KannelMOPath  = "/kannel/mo"
)

// tokenPattern is what a callback token may hold: it travels inside a URL
// that Kannel expands (a % would be taken for one of its escapes).
var tokenPattern = regexp.MustCompile(`^[A-Za-z0-9_.-]{16,}$`)

// ValidToken reports whether token can authenticate Kannel's callbacks:
// at least 16 letters, digits, '_', '.' or '-'.
func ValidToken(token string) bool { return tokenPattern.MatchString(token) }

// Kannel is the Gateway of a Kannel smsbox: MT messages go to its sendsms
// HTTP interface with a dlr-url back to opencube's KannelDLRPath.
type Kannel struct {
	// URL is the smsbox's sendsms URL, e.g.
	// http://127.0.0.1:13013/cgi-bin/sendsms.
	URL      string
	User     string
	Password string
	// From is the sender number of MT messages ("" lets Kannel choose).
	From string
	// CallbackURL is how Kannel reaches opencube (its public URL).
	CallbackURL string
	// Token authenticates Kannel's callbacks.
	Token  string
	Client *http.Client
}

// Name implements Gateway.
func (k *Kannel) Name() string { return "kannel" }

// DLRURL returns the dlr-url of message id: opencube's callback with the
// token, the id and Kannel's %d (the report type).
func (k *Kannel) DLRURL(id string) string {
	return strings.TrimRight(k.CallbackURL, "/") + KannelDLRPath + "?token=" + k.Token + "&id=" + id + "&type=%d"
}

// MOURL returns the get-url of the sms-service that forwards MO messages
// to opencube: sender (%p), text (%a), binary (%b) and coding (%c).
func (k *Kannel) MOURL() string {
	return strings.TrimRight(k.CallbackURL, "/") + KannelMOPath + "?token=" + k.Token + "&from=%p&to=%P&text=%a&bin=%b&coding=%c"
}

// Query returns the sendsms query of m: text as UTF-8 with coding 0 (GSM
// 7-bit) or 2 (UCS-2), binary as its octets with coding 1; Kannel
// splits a long message into concatenated segments.
func (k *Kannel) Query(m *opencube.SMS) (url.Values, error) {
	q := url.Values{}
	q.Set("username", k.User)
	q.Set("password", k.Password)
	to := m.MSISDN
	if to == "" {
		return nil, fmt.Errorf("%w: SIM %s has no MSISDN", opencube.ErrSMSRejected, m.ICCID)
	}
	q.Set("to", to)
	if k.From != "" {
		q.Set("from", k.From)
	}
	switch m.Type {
	case opencube.SMSBinary:
		b, err := hex.DecodeString(m.Content)
		if err != nil {
			return nil, fmt.Errorf("%w: binary content is not hex", opencube.ErrSMSRejected)
		}
		q.Set("coding", strconv.Itoa(int(gsm.Binary)))
		q.Set("text", string(b))
	default:
		q.Set("coding", strconv.Itoa(int(gsm.TextEncoding(m.Content))))
		q.Set("charset", "UTF-8")
		q.Set("text", m.Content)
	}
	q.Set("dlr-mask", strconv.Itoa(DLRMask))
	q.Set("dlr-url", k.DLRURL(m.ID))
	return q, nil
}

// Send implements Gateway. Kannel's sendsms is not idempotent: a message
// is taken when it answers 202 (accepted, or queued for later). A refused
// connection or a 5xx answer means not taken (opencube.ErrSMSNotSent); a 4xx other
// than a failed authorisation is a rejection (opencube.ErrSMSRejected); anything else
// (a timeout, a lost answer) leaves the outcome unknown.
func (k *Kannel) Send(ctx context.Context, m *opencube.SMS) (*opencube.SMSAcceptance, error) {
	q, err := k.Query(m)
	if err != nil {
		return nil, err
	}
	client := k.Client
	if client == nil {
		client = &http.Client{Timeout: 10 * time.Second}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, k.URL+"?"+q.Encode(), nil)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", opencube.ErrSMSNotSent, err)
	}
	resp, err := client.Do(req)
	if err != nil {
		// The URL's query holds the password and the callback token: an
		// error, stored with the message and logged, names the bare URL.
		var ue *url.Error
		if errors.As(err, &ue) {
			ue.URL = k.URL
		}
		var op *net.OpError
		if errors.As(err, &op) && op.Op == "dial" {
			return nil, fmt.Errorf("%w: %v", opencube.ErrSMSNotSent, err)
		}
		return nil, err // unknown outcome
	}
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	resp.Body.Close()
	text := strings.TrimSpace(string(body))
	switch {
	case resp.StatusCode == http.StatusAccepted || resp.StatusCode == http.StatusOK:
		return &opencube.SMSAcceptance{ID: m.ID}, nil
	case resp.StatusCode >= 500, resp.StatusCode == http.StatusForbidden, resp.StatusCode == http.StatusUnauthorized:
		return nil, fmt.Errorf("%w: HTTP %d: %s", opencube.ErrSMSNotSent, resp.StatusCode, text)
	case resp.StatusCode >= 400:
		return nil, fmt.Errorf("%w: HTTP %d: %s", opencube.ErrSMSRejected, resp.StatusCode, text)
	}
	return nil, fmt.Errorf("kannel: unexpected HTTP %d: %s", resp.StatusCode, text)
}

// Callbacks serves Kannel's calls to opencube: delivery reports at
// KannelDLRPath and MO messages at KannelMOPath, each authenticated by the
// token in its query.
type Callbacks struct {
	Receiver opencube.SMSReceiver
	Token    string
	// Logger receives refused and failed callbacks; slog.Default() when
	// nil.
	Logger *slog.Logger
}

// MaxCallbackBody is the largest body a Kannel callback is answered with:
// Kannel puts everything in the query, so a body is stray, and one over
// this is refused (413) unread, its connection closed.
const MaxCallbackBody = 4 << 10

// ServeHTTP implements http.Handler.
func (c *Callbacks) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	route := metrics.Unmatched
	if r.URL.Path == KannelDLRPath || r.URL.Path == KannelMOPath {
		route = r.URL.Path
	}
	metrics.SetRoute(w, metrics.ProtocolKannel, route)
	if r.ContentLength > MaxCallbackBody {
		w.Header().Set("Connection", "close")
		http.Error(w, "request body too large", http.StatusRequestEntityTooLarge)
		return
	}
	q := r.URL.Query()
	if c.Token == "" || subtle.ConstantTimeCompare([]byte(q.Get("token")), []byte(c.Token)) != 1 {
		c.logger().InfoContext(r.Context(), "kannel callback refused: wrong token", "path", r.URL.Path)
		http.Error(w, "forbidden", http.StatusForbidden)
		return
	}
	var err error
	switch r.URL.Path {
	case KannelDLRPath:
		err = c.dlr(r.Context(), q)
	case KannelMOPath:
		err = c.mo(r.Context(), q)
	default:
		http.NotFound(w, r)
		return
	}
	switch opencube.ErrorKind(err) {
	case "":
		w.WriteHeader(http.StatusOK) // an empty answer: smsbox sends no reply
	case opencube.KindInvalid, opencube.KindDeviceNotFound, opencube.KindSMSNotFound:
		c.logger().InfoContext(r.Context(), "kannel callback refused", "path", r.URL.Path, "err", err)
		http.Error(w, err.Error(), http.StatusBadRequest)
	default:
		c.logger().ErrorContext(r.Context(), "kannel callback failed", "path", r.URL.Path, "err", err)
		http.Error(w, err.Error(), http.StatusInternalServerError)
	}
}

// logger is the callbacks' logger: Logger, else slog.Default().
func (c *Callbacks) logger() *slog.Logger {
	if c.Logger != nil {
		return c.Logger
	}
	return slog.Default()
}

// dlr records a delivery report: type 1 delivered, 2 or 16 failed, 4 or
// 8 taken by the network.
func (c *Callbacks) dlr(ctx context.Context, q url.Values) error {
	id := q.Get("id")
	if id == "" {
		return opencube.Invalid("id", "a report needs an id")
	}
	typ, err := strconv.Atoi(q.Get("type"))
	if err != nil || typ < 1 || typ > DLRMask {
		return opencube.OutOfRange("type", 1, DLRMask)
	}
	switch {
	case typ&DLRDelivered != 0:
		return c.Receiver.Report(ctx, id, opencube.SMSOutcomeDelivered, "")
	case typ&(DLRFailed|DLRRejected) != 0:
		return c.Receiver.Report(ctx, id, opencube.SMSOutcomeFailed, "kannel: report type "+strconv.Itoa(typ))
	case typ&(DLRQueued|DLRAccepted) != 0:
		return c.Receiver.Report(ctx, id, opencube.SMSOutcomeSent, "")
	}
	return opencube.Invalid("type", "unknown report type %d", typ)
}

// mo records an MO message.
func (c *Callbacks) mo(ctx context.Context, q url.Values) error {
	_, err := c.Receiver.ReceiveMO(ctx, MOFromQuery(q))
	return err
}

// MOFromQuery reads the MO message of a Kannel get-url call (MOURL):
// coding 1 is binary (its octets, %b, become hex), 2 is UCS-2 (%b decoded
// from UTF-16BE), anything else text (%a).
func MOFromQuery(q url.Values) opencube.MORequest {
	r := opencube.MORequest{From: q.Get("from")}
	switch q.Get("coding") {
	case "1":
		r.Type, r.Content = opencube.SMSBinary, hex.EncodeToString([]byte(q.Get("bin")))
	case "2":
		b := []byte(q.Get("bin"))
		u := make([]uint16, len(b)/2)
		for i := range u {
			u[i] = uint16(b[2*i])<<8 | uint16(b[2*i+1])
		}
		r.Content = string(utf16.Decode(u))
	default:
		r.Content = q.Get("text")
	}
	return r
}

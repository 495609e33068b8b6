package main

import (
	"bufio"
	"bytes"
	"crypto/md5"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net"
	"net/http"
	"net/http/httptest"
	"net/mail"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/opencube/opencube"
	"github.com/opencube/opencube/client"
	"github.com/opencube/opencube/csss"
	"github.com/opencube/opencube/esim"
	"github.com/opencube/opencube/mall"
	"github.com/opencube/opencube/postgres/pgtest"
	"github.com/opencube/opencube/service"
	"github.com/opencube/opencube/shop"
	"github.com/opencube/opencube/stripepay"
)

const shopAdminToken = "shop-admin-token"

// smtpSink is a tiny SMTP server that keeps every message it receives.
type smtpSink struct {
	ln   net.Listener
	mu   sync.Mutex
	msgs []sinkMsg
}

// sinkMsg is one received message.
type sinkMsg struct {
	From, To string
	Data     string
}

func newSMTPSink(t *testing.T) *smtpSink {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &smtpSink{ln: ln}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go s.serve(c)
		}
	}()
	return s
}

func (s *smtpSink) serve(c net.Conn) {
	defer c.Close()
	r := bufio.NewReader(c)
	say := func(line string) { fmt.Fprintf(c, "%s\r\n", line) }
	say("220 sink ESMTP")
	var m sinkMsg
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		cmd := strings.ToUpper(strings.TrimSpace(line))
		switch {
		case strings.HasPrefix(cmd, "EHLO"), strings.HasPrefix(cmd, "HELO"):
			say("250 sink")
		case strings.HasPrefix(cmd, "MAIL FROM:"):
			m = sinkMsg{From: strings.Trim(strings.TrimSpace(line)[10:], "<> ")}
			say("250 ok")
		case strings.HasPrefix(cmd, "RCPT TO:"):
			m.To = strings.Trim(strings.TrimSpace(line)[8:], "<> ")
			say("250 ok")
		case cmd == "DATA":
			say("354 go on")
			var b strings.Builder
			for {
				l, err := r.ReadString('\n')
				if err != nil {
					return
				}
				if l == ".\r\n" {
					break
				}
				b.WriteString(strings.TrimPrefix(l, "."))
			}
			m.Data = b.String()
			s.mu.Lock()
			s.msgs = append(s.msgs, m)
			s.mu.Unlock()
			say("250 queued")
		case cmd == "QUIT":
			say("221 bye")
			return
		default:
			say("250 ok")
		}
	}
}

// to returns the messages sent to addr.
func (s *smtpSink) to(addr string) []sinkMsg {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []sinkMsg
	for _, m := range s.msgs {
		if m.To == addr {
			out = append(out, m)
		}
	}
	return out
}

// shopServer is a demo server with the shops, an admin token and a mail
// sink.
type shopServer struct {
	*e2eServer
	sink *smtpSink
}

func startShopServer(t *testing.T, configure ...func(m *Main)) *shopServer {
	t.Helper()
	sink := newSMTPSink(t)
	s := startServerWith(t, e2eDatabase(t), &e2eClock{now: clockStart}, func(m *Main) {
		m.AdminToken = shopAdminToken
		m.Shop.SMTPAddr = sink.ln.Addr().String()
		m.Shop.SMTPFrom = "shop@opencube.test"
		for _, c := range configure {
			c(m)
		}
	})
	return &shopServer{e2eServer: s, sink: sink}
}

// fmsReply is an eSIM QR Mall answer.
type fmsReply struct {
	Status  int
	Header  http.Header
	Code    int             `json:"code"`
	Data    json.RawMessage `json:"data"`
	Message string          `json:"message"`
}

func (s *shopServer) post(t *testing.T, path string, header http.Header, body []byte) *http.Response {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, s.m.URL()+path, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("POST %s: %v", path, err)
	}
	return resp
}

func decodeReply[T any](t *testing.T, resp *http.Response, out *T) {
	t.Helper()
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if err := json.Unmarshal(b, out); err != nil {
		t.Fatalf("%s: not JSON: %v: %s", resp.Request.URL.Path, err, b)
	}
}

// fms calls an eSIM QR Mall endpoint with a JSON body and an optional token.
func (s *shopServer) fms(t *testing.T, path, token string, body any) *fmsReply {
	t.Helper()
	b, _ := json.Marshal(body)
	h := http.Header{}
	if token != "" {
		h.Set("x-access-token", token)
	}
	resp := s.post(t, esim.Prefix+path, h, b)
	var r fmsReply
	decodeReply(t, resp, &r)
	r.Status, r.Header = resp.StatusCode, resp.Header
	return &r
}

// fmsOK calls an endpoint, wants code 0 and decodes data into out.
func (s *shopServer) fmsOK(t *testing.T, path, token string, body, out any) *fmsReply {
	t.Helper()
	r := s.fms(t, path, token, body)
	if r.Code != 0 {
		t.Fatalf("%s: code %d (%s), want 0", path, r.Code, r.Message)
	}
	if out != nil {
		if err := json.Unmarshal(r.Data, out); err != nil {
			t.Fatalf("%s data: %v: %s", path, err, r.Data)
		}
	}
	return r
}

func wantFMS(t *testing.T, r *fmsReply, code int) {
	t.Helper()
	if r.Code != code {
		t.Errorf("code %d (%s), want %d", r.Code, r.Message, code)
	}
	if code != 0 && string(r.Data) != "null" {
		t.Errorf("error data %s, want null", r.Data)
	}
}

func md5Hex(s string) string {
	sum := md5.Sum([]byte(s))
	return hex.EncodeToString(sum[:])
}

// consumer registers (reading the code from the sandbox endpoint) and logs
// in a consumer, and returns its token.
func (s *shopServer) consumer(t *testing.T, email string) string {
	t.Helper()
	s.fmsOK(t, "/user/emailVerificationCode", "", map[string]any{"email": email, "partnerCode": entP}, nil)
	code := s.verificationCode(t, email)
	s.fmsOK(t, "/user/emailRegister", "", map[string]any{"appId": 12, "email": email, "partnerCode": entP,
		"passwd": md5Hex("pa55word"), "userType": 4, "verifyCode": code}, nil)
	var u struct{ Token string }
	r := s.fmsOK(t, "/user/login", "", map[string]any{"email": email, "partnerCode": entP, "passwd": md5Hex("pa55word")}, &u)
	if tok := r.Header.Get("x-access-token"); tok == "" || tok != u.Token {
		t.Fatalf("login: x-access-token %q, data token %q", tok, u.Token)
	}
	return u.Token
}

func (s *shopServer) verificationCode(t *testing.T, email string) string {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, s.m.URL()+"/admin/v1/sandbox/verification-codes?email="+email, nil)
	req.Header.Set("Authorization", "Bearer "+shopAdminToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var v shop.VerificationCode
	decodeReply(t, resp, &v)
	if resp.StatusCode != http.StatusOK || len(v.Code) != 6 {
		t.Fatalf("sandbox verification code: HTTP %d, %+v", resp.StatusCode, v)
	}
	return v.Code
}

// preOrder pre-orders a plan and returns the order id.
func (s *shopServer) preOrder(t *testing.T, token string, id int, money, currency string) string {
	t.Helper()
	var d struct{ OrderID string }
	s.fmsOK(t, "/v1.1/package/preOrderPackage", token, preOrderBody(id, money, currency), &d)
	if !strings.HasPrefix(d.OrderID, "ESIM") {
		t.Fatalf("preOrder id %q", d.OrderID)
	}
	return d.OrderID
}

func preOrderBody(id int, money, currency string) map[string]any {
	return map[string]any{"currency": currency, "deviceType": "10", "id": id, "money": money,
		"partnerCode": entP, "periodNum": 1}
}

// webhookBody returns a sandbox payment webhook body signed per D22.
func webhookBody(t *testing.T, orderID, amount, currency, typ string, now time.Time) []byte {
	t.Helper()
	return webhookBodyRef(t, orderID, "PAY-"+orderID, amount, currency, typ, now)
}

// webhookBodyRef is webhookBody with the payment's own reference.
func webhookBodyRef(t *testing.T, orderID, ref, amount, currency, typ string, now time.Time) []byte {
	t.Helper()
	body := map[string]any{"dateTime": now.Unix(), "orderId": orderID, "partnerCode": entP, "payAmount": amount,
		"payCurrency": currency, "paypalId": ref, "type": typ}
	b, _ := json.Marshal(body)
	c, err := csss.Canonical(b)
	if err != nil {
		t.Fatal(err)
	}
	body["sign"] = csss.Sign(c, demoSecret)
	b, _ = json.Marshal(body)
	return b
}

func (s *shopServer) webhook(t *testing.T, body []byte) *fmsReply {
	t.Helper()
	return s.webhookAt(t, "/payment/webhook", body)
}

// webhookAt posts a payment webhook body to path (under /fms).
func (s *shopServer) webhookAt(t *testing.T, path string, body []byte) *fmsReply {
	t.Helper()
	resp := s.post(t, esim.Prefix+path, nil, body)
	var r fmsReply
	decodeReply(t, resp, &r)
	r.Status = resp.StatusCode
	return &r
}

// stripeBody returns a Stripe-style payment_intent event for an order.
func stripeBody(orderID string, amount int64, currency, typ string) []byte {
	b, _ := json.Marshal(map[string]any{"id": "evt_" + orderID, "type": typ, "data": map[string]any{"object": map[string]any{
		"id": "pi_" + orderID, "amount": amount, "currency": currency,
		"metadata": map[string]string{"orderId": orderID, "partnerCode": entP}}}})
	return b
}

func (s *shopServer) stripe(t *testing.T, body []byte, sig string) *fmsReply {
	t.Helper()
	resp := s.post(t, esim.Prefix+"/payment/stripe/webhook", http.Header{"Stripe-Signature": {sig}}, body)
	var r fmsReply
	decodeReply(t, resp, &r)
	r.Status = resp.StatusCode
	return &r
}

type orderStatus struct {
	OrderID        string
	OrderPayStatus int
	QRCode         string
}

func (s *shopServer) status(t *testing.T, token, id string) orderStatus {
	t.Helper()
	var st orderStatus
	s.fmsOK(t, "/package/queryOrdStatusAndEmail", token, map[string]any{"orderId": id}, &st)
	return st
}

// profiles returns the P000270 profiles in a state.
func (s *shopServer) profiles(t *testing.T, state shop.ProfileState) []*shop.Profile {
	t.Helper()
	ps, err := s.m.Store.FindProfiles(t.Context(), shop.ProfileFilter{Enterprise: entP, State: state})
	if err != nil {
		t.Fatal(err)
	}
	return ps
}

// runJobs runs the due background jobs.
func (s *shopServer) runJobs(t *testing.T) {
	t.Helper()
	if _, err := s.m.Worker.RunOnce(t.Context()); err != nil {
		t.Fatalf("RunOnce: %v", err)
	}
}

// decodeQR decodes a PNG with zbarimg (Debian's zbar-tools).
func decodeQR(t *testing.T, png []byte) string {
	t.Helper()
	bin, err := exec.LookPath("zbarimg")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("zbarimg (zbar-tools) is required with CI=true")
		}
		t.Skip("zbarimg not installed (apt-get install zbar-tools)")
	}
	f := filepath.Join(t.TempDir(), "qr.png")
	if err := os.WriteFile(f, png, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(bin, "--raw", "-q", f).Output()
	if err != nil {
		t.Fatalf("zbarimg: %v", err)
	}
	return strings.TrimRight(string(out), "\r\n")
}

// TestESIMPurchase is a whole eSIM QR Mall purchase on a fresh demo
// server: register, login, browse, detail, pre-order, pay (the sandbox
// webhook, then Stripe), poll, the QR code, the install mail.
func TestESIMPurchase(t *testing.T) {
	s := startShopServer(t)
	const email = "traveller@example.com"
	token := s.consumer(t, email)
	if got := s.sink.to(email); len(got) != 1 || !strings.Contains(got[0].Data, "verification code") {
		t.Fatalf("verification mail: %+v", got)
	}

	var countries []esim.Country
	s.fmsOK(t, "/package/queryCountry", "", map[string]any{"partnerCode": entP}, &countries)
	if len(countries) < 3 {
		t.Errorf("queryCountry: %d countries", len(countries))
	}
	var plans []struct {
		ID            int64
		PackageCode   string
		PackageType   int
		CurrencyInfos []struct {
			CurrencyAbbr string
			Price        string
		}
	}
	s.fmsOK(t, "/package/countryPackageList", "", map[string]any{"partnerCode": entP, "countryCode": 460, "type": 1}, &plans)
	if len(plans) != 1 || plans[0].ID != 1001 {
		t.Fatalf("countryPackageList 460: %+v", plans)
	}
	s.fmsOK(t, "/v1.1/package/packageList", "", map[string]any{"partnerCode": entP, "countryCode": "262", "type": 1}, &plans)
	if len(plans) != 1 || plans[0].PackageType != 2 {
		t.Errorf("packageList 262 (Germany, in the Europe plan): %+v", plans)
	}
	s.fmsOK(t, "/package/selectPackageByContinents", "", map[string]any{"partnerCode": entP, "continentsCode": "AS"}, &plans)
	if len(plans) != 2 {
		t.Errorf("continent AS: %d plans, want 2", len(plans))
	}
	s.fmsOK(t, "/package/selectHotPackage", "", map[string]any{"partnerCode": entP}, &plans)
	if len(plans) != 2 {
		t.Errorf("hot plans: %d, want 2", len(plans))
	}
	var detail struct {
		PackageCode   string
		CurrencyInfos []struct {
			CurrencyAbbr string
			CurrencyID   int `json:"currencyId"`
			Price        string
		}
	}
	s.fmsOK(t, "/v1.1/package/detail", "", map[string]any{"partnerCode": entP, "id": 1001}, &detail)
	prices := map[string]string{}
	for _, c := range detail.CurrencyInfos {
		prices[c.CurrencyAbbr] = c.Price
	}
	if prices["USD"] != "4.99" || prices["CNY"] != "35.00" {
		t.Fatalf("detail prices %v", prices)
	}

	// Pay through the sandbox webhook.
	id := s.preOrder(t, token, 1001, "4.99", "USD")
	if st := s.status(t, token, id); st.OrderPayStatus != 0 || st.QRCode != "" {
		t.Fatalf("status before payment: %+v", st)
	}
	if n := len(s.profiles(t, shop.ProfileReserved)); n != 1 {
		t.Fatalf("%d reserved profiles, want 1", n)
	}
	wantFMS(t, s.fms(t, "/v1.1/order/myEsimDetail", token, map[string]any{"orderId": id}), esim.CodeNoQRCode)
	r := s.webhook(t, webhookBody(t, id, "4.99", "USD", "payment_intent.succeeded", s.clock.Now()))
	wantFMS(t, r, 0)
	st := s.status(t, token, id)
	want := "LPA:1$" + service.DemoSMDPAddress + "$OCDEMO-0001-7QK2"
	if st.OrderPayStatus != 1 || st.QRCode != want {
		t.Fatalf("status after payment: %+v, want qrCode %s", st, want)
	}
	var d struct {
		ICCID, QRCode, SMDPAddress, MatchingID, AppleInstallURL, QRCodeURL string
	}
	s.fmsOK(t, "/v1.1/order/myEsimDetail", token, map[string]any{"orderId": id}, &d)
	if d.ICCID != "89445099000000000001" || d.SMDPAddress != service.DemoSMDPAddress || d.MatchingID != "OCDEMO-0001-7QK2" ||
		d.QRCode != want || d.AppleInstallURL != "https://esimsetup.apple.com/esim_qrcode_provisioning?carddata="+want {
		t.Fatalf("myEsimDetail %+v", d)
	}
	if n := len(s.profiles(t, shop.ProfileSold)); n != 1 {
		t.Errorf("%d sold profiles, want 1", n)
	}

	// The QR code decodes to exactly the activation code.
	req, _ := http.NewRequest(http.MethodGet, s.m.URL()+d.QRCodeURL, nil)
	req.Header.Set("x-access-token", token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	png, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); ct != "image/png" {
		t.Fatalf("qrCode Content-Type %q: %s", ct, png)
	}

	// The install mail goes out from the background job.
	s.runJobs(t)
	mails := s.sink.to(email)
	if len(mails) != 2 || !strings.Contains(mails[1].Data, want) || !strings.Contains(mails[1].Data, "image/png") {
		t.Fatalf("install mail: %d messages, last %q", len(mails), mails[len(mails)-1].Data)
	}

	// Pay through a Stripe-signed webhook, in CNY.
	id2 := s.preOrder(t, token, 1004, "139.00", "CNY")
	body := stripeBody(id2, 13900, "cny", "payment_intent.succeeded")
	wantFMS(t, s.stripe(t, body, stripepay.Sign(body, service.DemoStripeWebhookSecret, s.clock.Now())), 0)
	if st := s.status(t, token, id2); st.OrderPayStatus != 1 || !strings.HasSuffix(st.QRCode, "$OCDEMO-0002-7QK2") {
		t.Fatalf("Stripe-paid status %+v", st)
	}

	// A top-up of the first eSIM: no new profile; paid, it shows the same code.
	available := len(s.profiles(t, shop.ProfileAvailable))
	var top struct{ OrderID string }
	body = mustJSON(map[string]any{"currency": "USD", "deviceType": "10", "id": 1001, "money": "4.99", "partnerCode": entP,
		"periodNum": 1, "iccid": d.ICCID})
	s.fmsOK(t, "/package/topUpOrder", token, json.RawMessage(body), &top)
	if n := len(s.profiles(t, shop.ProfileAvailable)); n != available {
		t.Errorf("a top-up took a profile: %d available, want %d", n, available)
	}
	wantFMS(t, s.webhook(t, webhookBody(t, top.OrderID, "4.99", "USD", "payment_intent.succeeded", s.clock.Now())), 0)
	if st := s.status(t, token, top.OrderID); st.OrderPayStatus != 1 || st.QRCode != want {
		t.Errorf("top-up status %+v", st)
	}
	var topList []struct{ ID int64 }
	s.fmsOK(t, "/package/selectTopUpList", token, map[string]any{"iccid": d.ICCID}, &topList)
	if len(topList) != 1 || topList[0].ID != 1001 { // only plan 1001 covers China
		t.Errorf("selectTopUpList: %+v, want plan 1001", topList)
	}
	s.fmsOK(t, "/package/selectTopUpList", token, map[string]any{}, &topList)
	if len(topList) != 4 {
		t.Errorf("selectTopUpList without iccid: %d plans, want 4", len(topList))
	}
	other := s.consumer(t, "someone-else@example.com")
	wantFMS(t, s.fms(t, "/package/topUpOrder", other, json.RawMessage(body)), esim.CodeNotFound)

	if got := decodeQR(t, png); got != want {
		t.Fatalf("zbarimg: %q, want %q", got, want)
	}
	if got := decodeQR(t, mailAttachment(t, mails[1].Data)); got != want {
		t.Fatalf("zbarimg of the mailed QR code: %q, want %q", got, want)
	}
}

// TestESIMErrors checks every documented code of the eSIM QR Mall.
func TestESIMErrors(t *testing.T) {
	s := startShopServer(t)
	token := s.consumer(t, "errors@example.com")
	now := s.clock.Now
	paid := s.preOrder(t, token, 1001, "4.99", "USD")
	first := s.webhook(t, webhookBody(t, paid, "4.99", "USD", "payment_intent.succeeded", now()))
	wantFMS(t, first, 0)

	t.Run("the notification that paid, again, answers as it did", func(t *testing.T) {
		s.clock.Advance(time.Second) // a provider's retry: a new dateTime and sign, the same payment
		again := s.webhook(t, webhookBody(t, paid, "4.99", "USD", "payment_intent.succeeded", now()))
		wantFMS(t, again, 0)
		if again.Code != first.Code || string(again.Data) != string(first.Data) {
			t.Errorf("retry answered %+v, want %+v", again, first)
		}
	})
	t.Run("paid twice 3004", func(t *testing.T) {
		another := webhookBodyRef(t, paid, "PAY2-"+paid, "4.99", "USD", "payment_intent.succeeded", now())
		wantFMS(t, s.webhook(t, another), esim.CodeOrderSystem)
		body := stripeBody(paid, 499, "usd", "payment_intent.succeeded")
		wantFMS(t, s.stripe(t, body, stripepay.Sign(body, service.DemoStripeWebhookSecret, now())), esim.CodeOrderSystem)
	})
	t.Run("unknown order 10008", func(t *testing.T) {
		wantFMS(t, s.webhook(t, webhookBody(t, "ESIM00000000000000001", "4.99", "USD", "payment_intent.succeeded", now())), esim.CodeOrderNotFound)
	})
	open := s.preOrder(t, token, 1002, "9.99", "USD")
	t.Run("price inconsistent 10009", func(t *testing.T) {
		wantFMS(t, s.webhook(t, webhookBody(t, open, "1.00", "USD", "payment_intent.succeeded", now())), esim.CodePriceInconsistent)
		wantFMS(t, s.webhook(t, webhookBody(t, open, "9.99", "CNY", "payment_intent.succeeded", now())), esim.CodePriceInconsistent)
		body := stripeBody(open, 100, "usd", "payment_intent.succeeded")
		wantFMS(t, s.stripe(t, body, stripepay.Sign(body, service.DemoStripeWebhookSecret, now())), esim.CodePriceInconsistent)
		wantFMS(t, s.fms(t, "/v1.1/package/preOrderPackage", token, preOrderBody(1002, "1.00", "USD")), esim.CodePriceInconsistent)
		if st := s.status(t, token, open); st.OrderPayStatus != 0 {
			t.Errorf("status %d after refused payments, want 0", st.OrderPayStatus)
		}
	})
	t.Run("wrong parameters 2", func(t *testing.T) {
		b := webhookBody(t, open, "9.99", "USD", "payment_intent.succeeded", now())
		bad := bytes.Replace(b, []byte(`"sign":"`), []byte(`"sign":"x`), 1)
		r := s.webhook(t, bad)
		wantFMS(t, r, esim.CodeBadParams)
		if r.Status != http.StatusBadRequest {
			t.Errorf("bad sign: HTTP %d, want 400", r.Status)
		}
		wantFMS(t, s.webhook(t, []byte(`{"orderId":"`+open+`"}`)), esim.CodeBadParams)
		wantFMS(t, s.webhook(t, []byte(`not json`)), esim.CodeBadParams)
		body := stripeBody(open, 999, "usd", "payment_intent.succeeded")
		wantFMS(t, s.stripe(t, body, stripepay.Sign(body, "another-secret", now())), esim.CodeBadParams)
		wantFMS(t, s.stripe(t, body, stripepay.Sign(body, service.DemoStripeWebhookSecret, now().Add(-10*time.Minute))), esim.CodeBadParams)
		wantFMS(t, s.fms(t, "/v1.1/package/preOrderPackage", token, preOrderBody(1002, "abc", "USD")), esim.CodeBadParams)
		if st := s.status(t, token, open); st.OrderPayStatus != 0 {
			t.Errorf("status %d after refused webhooks, want 0", st.OrderPayStatus)
		}
	})
	t.Run("time conversion 1102", func(t *testing.T) {
		body := map[string]any{"dateTime": "yesterday", "orderId": open, "partnerCode": entP, "payAmount": "9.99",
			"payCurrency": "USD", "type": "payment_intent.succeeded"}
		b, _ := json.Marshal(body)
		c, _ := csss.Canonical(b)
		body["sign"] = csss.Sign(c, demoSecret)
		b, _ = json.Marshal(body)
		wantFMS(t, s.webhook(t, b), esim.CodeTimeConversion)
	})
	t.Run("qrCode null 3005", func(t *testing.T) {
		wantFMS(t, s.fms(t, "/v1.1/order/myEsimDetail", token, map[string]any{"orderId": open}), esim.CodeNoQRCode)
	})
	t.Run("payment failed releases the profile", func(t *testing.T) {
		failed := s.preOrder(t, token, 1003, "14.99", "USD")
		reserved := len(s.profiles(t, shop.ProfileReserved))
		wantFMS(t, s.webhook(t, webhookBody(t, failed, "14.99", "USD", "payment_intent.payment_failed", now())), 0)
		if st := s.status(t, token, failed); st.OrderPayStatus != 2 {
			t.Errorf("failed payment: status %d, want 2", st.OrderPayStatus)
		}
		if n := len(s.profiles(t, shop.ProfileReserved)); n != reserved-1 {
			t.Errorf("%d reserved profiles after a failed payment, want %d", n, reserved-1)
		}
		wantFMS(t, s.webhook(t, webhookBody(t, failed, "14.99", "USD", "payment_intent.succeeded", now())), esim.CodeOrderSystem)
	})
	t.Run("pre-order timeout 6006", func(t *testing.T) {
		s.clock.Advance(service.DefaultPreOrderTimeout + time.Minute)
		wantFMS(t, s.webhook(t, webhookBody(t, open, "9.99", "USD", "payment_intent.succeeded", now())), esim.CodePreOrderTimeout)
		s.runJobs(t)
		if st := s.status(t, token, open); st.OrderPayStatus != 3 {
			t.Errorf("timed-out order: status %d, want 3", st.OrderPayStatus)
		}
		if n := len(s.profiles(t, shop.ProfileReserved)); n != 0 {
			t.Errorf("%d reserved profiles after the timeout, want 0", n)
		}
		if n := len(s.profiles(t, shop.ProfileAvailable)); n != 19 {
			t.Errorf("%d available profiles, want 19", n)
		}
		wantFMS(t, s.webhook(t, webhookBody(t, open, "9.99", "USD", "payment_intent.succeeded", now())), esim.CodePreOrderTimeout)
	})
	t.Run("token 7", func(t *testing.T) {
		wantFMS(t, s.fms(t, "/package/queryOrdStatusAndEmail", "", map[string]any{"orderId": paid}), esim.CodeTokenExpired)
		wantFMS(t, s.fms(t, "/package/queryOrdStatusAndEmail", "forged", map[string]any{"orderId": paid}), esim.CodeTokenExpired)
		s.clock.Advance(service.DefaultTokenTTL)
		wantFMS(t, s.fms(t, "/package/queryOrdStatusAndEmail", token, map[string]any{"orderId": paid}), esim.CodeTokenExpired)
	})
	t.Run("login 4001, registered 4002", func(t *testing.T) {
		wantFMS(t, s.fms(t, "/user/login", "", map[string]any{"email": "errors@example.com", "partnerCode": entP, "passwd": md5Hex("nope")}), esim.CodeLoginFailed)
		s.fmsOK(t, "/user/emailVerificationCode", "", map[string]any{"email": "errors@example.com", "partnerCode": entP}, nil)
		code := s.verificationCode(t, "errors@example.com")
		wantFMS(t, s.fms(t, "/user/emailRegister", "", map[string]any{"email": "errors@example.com", "partnerCode": entP,
			"passwd": md5Hex("x"), "userType": 4, "verifyCode": code}), esim.CodeEmailRegistered)
		wantFMS(t, s.fms(t, "/user/emailRegister", "", map[string]any{"email": "new@example.com", "partnerCode": entP,
			"passwd": md5Hex("x"), "userType": 4, "verifyCode": "000000"}), esim.CodeBadParams)
	})
	t.Run("plan 6001", func(t *testing.T) {
		wantFMS(t, s.fms(t, "/v1.1/package/detail", "", map[string]any{"partnerCode": entP, "id": 99}), esim.CodePlanNotFound)
	})
}

// TestESIMPreOrderRace runs more concurrent pre-orders than profiles: each
// profile is reserved once, and the others answer sold out.
func TestESIMPreOrderRace(t *testing.T) {
	s := startShopServer(t)
	token := s.consumer(t, "race@example.com")
	raceMains(t, []*Main{s.m}, token, 35)
}

// raceMains sends n concurrent pre-orders spread over the nodes and checks
// that 20 got distinct profiles and the rest were sold out.
func raceMains(t *testing.T, nodes []*Main, token string, n int) {
	t.Helper()
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		codes = map[int]int{}
		ids   []string
	)
	for i := range n {
		wg.Go(func() {
			b, _ := json.Marshal(preOrderBody(1001, "4.99", "USD"))
			req, _ := http.NewRequest(http.MethodPost, nodes[i%len(nodes)].URL()+esim.Prefix+"/v1.1/package/preOrderPackage", bytes.NewReader(b))
			req.Header.Set("x-access-token", token)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Error(err)
				return
			}
			var r struct {
				Code int
				Data struct{ OrderID string }
			}
			json.NewDecoder(resp.Body).Decode(&r)
			resp.Body.Close()
			mu.Lock()
			defer mu.Unlock()
			codes[r.Code]++
			if r.Code == 0 {
				ids = append(ids, r.Data.OrderID)
			}
		})
	}
	wg.Wait()
	if codes[0] != 20 || codes[esim.CodeSoldOut] != n-20 {
		t.Fatalf("codes %v: want 20 x 0 and %d x %d", codes, n-20, esim.CodeSoldOut)
	}
	ps, err := nodes[0].Store.FindProfiles(t.Context(), shop.ProfileFilter{Enterprise: entP})
	if err != nil {
		t.Fatal(err)
	}
	byOrder := map[string]string{}
	for _, p := range ps {
		if p.State != shop.ProfileReserved || p.OrderID == "" {
			t.Errorf("profile %s: %s for %q, want reserved", p.ICCID, p.State, p.OrderID)
		}
		if prev, dup := byOrder[p.OrderID]; dup {
			t.Errorf("order %s holds %s and %s", p.OrderID, prev, p.ICCID)
		}
		byOrder[p.OrderID] = p.ICCID
	}
	seen := map[string]bool{}
	for _, id := range ids {
		o, p, err := nodes[0].Store.FindESIMOrder(t.Context(), id)
		if err != nil {
			t.Fatal(err)
		}
		if p == nil || p.OrderID != id || seen[o.ICCID] {
			t.Errorf("order %s: profile %+v (seen %v)", id, p, seen[o.ICCID])
		}
		seen[o.ICCID] = true
	}
}

// mallBody returns a Mall request signed with HMAC-MD5, or with
// MD5(canonical + secret) when plain.
func (s *shopServer) mallBody(t *testing.T, tradeType string, plain bool, kv ...string) []byte {
	t.Helper()
	body := map[string]any{"partnerCode": entP, "tradeType": tradeType, "version": "3.0", "terminal": "1",
		"languageCode": "1", "mark": "0", "tradeTime": strconv.FormatInt(s.clock.Now().UnixMilli(), 10)}
	for i := 0; i+1 < len(kv); i += 2 {
		body[kv[i]] = kv[i+1]
	}
	b, _ := json.Marshal(body)
	c, err := csss.Canonical(b)
	if err != nil {
		t.Fatal(err)
	}
	if plain {
		body["sign"] = mall.SignPlain(c, demoSecret)
	} else {
		body["sign"] = mall.Sign(c, demoSecret)
	}
	b, _ = json.Marshal(body)
	return b
}

type mallReply struct {
	Code    string
	Data    json.RawMessage
	Message string
	Success bool
}

func (s *shopServer) mall(t *testing.T, path string, body []byte) mallReply {
	t.Helper()
	var r mallReply
	decodeReply(t, s.post(t, path, nil, body), &r)
	return r
}

// mallStripe posts a Stripe event to the Mall's Stripe webhook.
func (s *shopServer) mallStripe(t *testing.T, body []byte, sig string) (mallReply, int) {
	t.Helper()
	var r mallReply
	h := http.Header{}
	if sig != "" {
		h.Set("Stripe-Signature", sig)
	}
	resp := s.post(t, "/payment/stripe/webhook", h, body)
	decodeReply(t, resp, &r)
	return r, resp.StatusCode
}

// mallGetQuery is the signed query string of a Mall GET route.
func (s *shopServer) mallGetQuery(t *testing.T, tradeType string, kv ...string) string {
	t.Helper()
	q := url.Values{"partnerCode": {entP}, "tradeType": {tradeType}, "version": {"3.0"}, "tradeTime": {strconv.FormatInt(s.clock.Now().UnixMilli(), 10)}}
	for i := 0; i+1 < len(kv); i += 2 {
		q.Set(kv[i], kv[i+1])
	}
	c, err := csss.Canonical(mall.QueryBody(q))
	if err != nil {
		t.Fatal(err)
	}
	q.Set("sign", mall.Sign(c, demoSecret))
	return q.Encode()
}

func (s *shopServer) mallOK(t *testing.T, path string, body []byte, out any) {
	t.Helper()
	var r mallReply
	if body == nil {
		req, _ := http.NewRequest(http.MethodGet, s.m.URL()+path, nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		decodeReply(t, resp, &r)
	} else {
		r = s.mall(t, path, body)
	}
	if r.Code != csss.CodeOK || !r.Success {
		t.Fatalf("%s: %s %s", path, r.Code, r.Message)
	}
	if out != nil {
		if err := json.Unmarshal(r.Data, out); err != nil {
			t.Fatalf("%s data: %v", path, err)
		}
	}
}

// TestMallTopUp buys a plan for a demo SIM in the Mall: it ends as an
// in-use order on the SIM, seen through CSSS queryOrder.
func TestMallTopUp(t *testing.T) {
	s := startShopServer(t)
	sim := simP(3)
	pushes := make(chan []byte, 10)
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		pushes <- b
		io.WriteString(w, `{"code":"0000"}`)
	}))
	t.Cleanup(hook.Close)
	if _, err := s.m.Services.Notify.PutWebhook(t.Context(), &opencube.Webhook{EnterpriseCode: entP, URL: hook.URL,
		Events: []opencube.EventType{opencube.EventMallRecharge}}); err != nil {
		t.Fatalf("PutWebhook: %v", err)
	}
	s.mallOK(t, "/vshop/singleVerify", s.mallBody(t, "singleVerify", true, "deviceCode", sim, "url", "https://dist.linksfield.net/login"), nil)
	var page struct {
		List []struct{ PackageCode, Price, Currency string }
	}
	s.mallOK(t, "/vshop/singleServicePlanPage", s.mallBody(t, "singleServicePlanPage", true, "deviceCode", sim, "area", "中国"), &page)
	if len(page.List) != 3 || page.List[0].Price == "" {
		t.Fatalf("plans %+v", page.List)
	}
	for area, want := range map[string]int{"CN": 3, "亚洲": 3, "Asia": 3, "460": 3, "Europe": 0, "FR,DE": 0, "": 3} {
		s.mallOK(t, "/vshop/singleServicePlanPage", s.mallBody(t, "singleServicePlanPage", false, "deviceCode", sim, "area", area), &page)
		if len(page.List) != want {
			t.Errorf("area %q: %d plans, want %d", area, len(page.List), want)
		}
	}
	var od struct {
		OrderNo, OrderID, PayStatus string
		OrderStatus                 int
	}
	order := s.mallBody(t, "singleOrder", true, "autoRenewal", "1", "deviceCode", sim, "orderNo", "NO2024013100001",
		"orderPeriod", "1", "packageCode", "DP20190726001274", "payAmount", "10.00", "payCurrency", "CNY", "payId", "pi_1",
		"servicePlanCode", "DP20190726001274")
	s.mallOK(t, "/vshop/singleOrder", order, &od)
	if od.OrderNo != "NO2024013100001" || od.PayStatus != "0" || od.OrderID != "" {
		t.Fatalf("singleOrder %+v, want pending", od)
	}
	// A forged or unsigned payment changes nothing; Stripe's signed one pays.
	paidEvent := intentEvent("payment_intent.succeeded", "mall", "NO2024013100001", "pi_1", 1000, "cny")
	if r, st := s.mallStripe(t, paidEvent, stripepay.Sign(paidEvent, "whsec_forged", s.clock.Now())); r.Code != csss.CodeSignature || st != http.StatusBadRequest {
		t.Errorf("forged Stripe event: %s HTTP %d, want 1002 HTTP 400", r.Code, st)
	}
	if r, _ := s.mallStripe(t, paidEvent, ""); r.Code != csss.CodeSignature {
		t.Errorf("unsigned Stripe event: %s, want 1002", r.Code)
	}
	cheap := intentEvent("payment_intent.succeeded", "mall", "NO2024013100001", "pi_1", 100, "cny")
	if r, _ := s.mallStripe(t, cheap, s.stripeSign(cheap)); r.Code != csss.CodeInvalid || !strings.Contains(r.Message, "payAmount") {
		t.Errorf("underpaid Stripe event: %s %s, want 1001 naming payAmount", r.Code, r.Message)
	}
	// The outcome of an intent the order does not hold settles nothing.
	other := intentEvent("payment_intent.succeeded", "mall", "NO2024013100001", "pi_other", 1000, "cny")
	if r, _ := s.mallStripe(t, other, s.stripeSign(other)); r.Code == csss.CodeOK || !strings.Contains(r.Message, "pi_other") {
		t.Errorf("another intent's payment: %s %s, want refused naming pi_other", r.Code, r.Message)
	}
	var pending struct{ PayStatus, OrderID string }
	s.mallOK(t, "/payment/queryPayResult", s.mallBody(t, "queryPayResult", false, "orderNo", "NO2024013100001"), &pending)
	if pending.PayStatus != "0" || pending.OrderID != "" {
		t.Fatalf("after forged payments: %+v, want unpaid", pending)
	}
	if os := s.orders(t, s.p, map[string]any{"device_id": sim}); len(os) != 0 {
		t.Fatalf("an unpaid Mall order changed the SIM: %v", os)
	}
	if r, st := s.mallStripe(t, paidEvent, s.stripeSign(paidEvent)); r.Code != csss.CodeOK || st != http.StatusOK {
		t.Fatalf("Stripe payment: %s %s", r.Code, r.Message)
	}
	var paid struct {
		PayStatus, OrderID string
		Order              struct{ OrderStatus int }
	}
	s.mallOK(t, "/topup/order/detail?"+s.mallGetQuery(t, "orderDetail", "orderNo", "NO2024013100001"), nil, &paid)
	if paid.PayStatus != "1" || paid.OrderID == "" || paid.Order.OrderStatus != int(opencube.OrderInUse) {
		t.Fatalf("order detail after the payment: %+v", paid)
	}
	od.OrderID = paid.OrderID
	item := s.order(t, s.p, od.OrderID)
	if item["orderStatus"] != "2" || item["deviceId"] != sim && item["device_id"] != sim && item["iccid"] != sim {
		t.Errorf("queryOrder item %v: want in use on %s", item, sim)
	}
	// The same order number again: the same order, nothing new.
	var again struct{ OrderID string }
	s.mallOK(t, "/vshop/singleOrder", s.mallBody(t, "singleOrder", false, "autoRenewal", "1", "deviceCode", sim, "orderNo", "NO2024013100001",
		"orderPeriod", "1", "packageCode", "DP20190726001274", "payAmount", "10.00", "payCurrency", "CNY", "payId", "pi_1"), &again)
	if again.OrderID != od.OrderID {
		t.Errorf("repeat: order %s, want %s", again.OrderID, od.OrderID)
	}
	// A third-party payment while the SIM has an in-use order: pending.
	var od2 struct {
		OrderID     string
		OrderStatus int
	}
	s.mallOK(t, "/vshop/synPartner/SynOrderInfo", s.mallBody(t, "SynOrderInfo", false, "deviceCode", sim, "orderNo", "NO2024013100002",
		"orderPeriod", "2", "packageCode", "DP20190726000001", "payAmount", "10.00", "payCurrency", "CNY", "payId", "pp_2",
		"payRst", "SUCCESS", "payStatus", "1", "payType", "3", "payResultDate", "2024-01-31 10:00:00"), &od2)
	if od2.OrderStatus != int(opencube.OrderNotEnabled) {
		t.Errorf("second order status %d, want 1", od2.OrderStatus)
	}
	var lists struct{ ActiveOrders, PendingOrders []struct{ OrderID string } }
	s.mallOK(t, "/vshop/queryActivePendingOrder", s.mallBody(t, "queryActivePendingOrder", false, "deviceCode", sim), &lists)
	if len(lists.ActiveOrders) != 1 || lists.ActiveOrders[0].OrderID != od.OrderID || len(lists.PendingOrders) != 1 {
		t.Errorf("active and pending %+v", lists)
	}
	var renew struct{ List []struct{ OrderNo string } }
	s.mallOK(t, "/vshop/getActiveAutoRenewal", s.mallBody(t, "getActiveAutoRenewal", false, "deviceCode", sim), &renew)
	if len(renew.List) != 1 {
		t.Fatalf("auto-renewals %+v", renew)
	}
	s.mallOK(t, "/vshop/cancelAutoRenewal", s.mallBody(t, "cancelAutoRenewal", false, "deviceCode", sim, "orderNo", "NO2024013100001"), nil)
	s.mallOK(t, "/vshop/getActiveAutoRenewal", s.mallBody(t, "getActiveAutoRenewal", false, "deviceCode", sim), &renew)
	if len(renew.List) != 0 {
		t.Errorf("auto-renewals after cancel %+v", renew)
	}
	var pay struct{ PayStatus string }
	s.mallOK(t, "/payment/queryPayResult", s.mallBody(t, "queryPayResult", false, "orderNo", "NO2024013100002"), &pay)
	if pay.PayStatus != "1" {
		t.Errorf("queryPayResult %+v", pay)
	}
	// The recharge-success push is in the outbox beside the order events.
	evs, err := s.m.Store.FindEvents(t.Context(), entP)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range evs {
		if e.Type == opencube.EventMallRecharge {
			n++
			if !strings.Contains(e.Data, `"orderNo"`) {
				t.Errorf("recharge event data %q", e.Data)
			}
		}
	}
	if n != 2 {
		t.Errorf("%d recharge events, want 2", n)
	}
	// ... and is delivered to the enterprise's endpoint, signed.
	s.runJobs(t)
	for range 2 {
		var push map[string]any
		select {
		case b := <-pushes:
			json.Unmarshal(b, &push)
			if _, ok := csss.Verify(b, fmt.Sprint(push["sign"]), []string{demoSecret}); !ok {
				t.Errorf("recharge push sign does not verify: %s", b)
			}
		case <-time.After(10 * time.Second):
			t.Fatal("no recharge push delivered")
		}
		if push["type"] != "mall_recharge" || push["deviceCode"] != sim || push["orderNo"] == "" {
			t.Errorf("recharge push %v", push)
		}
	}

	t.Run("errors", func(t *testing.T) {
		for _, tc := range []struct {
			name, path string
			body       []byte
			code       string
		}{
			{"sign 1002", "/vshop/singleVerify", bytes.Replace(s.mallBody(t, "singleVerify", false, "deviceCode", sim), []byte(`"sign":"`), []byte(`"sign":"0`), 1), csss.CodeSignature},
			{"not JSON 1001", "/vshop/singleVerify", []byte("{"), csss.CodeInvalid},
			{"version 1005", "/vshop/singleVerify", s.mallBody(t, "singleVerify", false, "deviceCode", sim, "version", "9.0"), csss.CodeVersion},
			{"no route 1007", "/vshop/nothing", s.mallBody(t, "nothing", false), csss.CodeNoRoute},
			{"unknown partner 1004", "/vshop/singleVerify", []byte(`{"partnerCode":"P999999","sign":"00000000000000000000000000000000"}`), csss.CodeAccessCode},
			{"tradeType 1001", "/vshop/singleVerify", s.mallBody(t, "singleOrder", false, "deviceCode", sim), csss.CodeInvalid},
			{"unknown SIM 2001", "/vshop/singleVerify", s.mallBody(t, "singleVerify", false, "deviceCode", "89852022018041899999"), csss.CodeDeviceNotFound},
			{"price 1001", "/vshop/singleOrder", s.mallBody(t, "singleOrder", false, "deviceCode", sim, "orderNo", "NO3", "orderPeriod", "1",
				"packageCode", "DP20190726001274", "payAmount", "1.00", "payCurrency", "CNY", "payId", "pi_3"), csss.CodeInvalid},
			{"plan 2002", "/vshop/singleOrder", s.mallBody(t, "singleOrder", false, "deviceCode", sim, "orderNo", "NO4", "orderPeriod", "1",
				"packageCode", "DP20201218003915", "payAmount", "199.00", "payCurrency", "CNY", "payId", "pi_4"), csss.CodePlanNotOrderable},
			{"unknown order 2003", "/payment/queryPayResult", s.mallBody(t, "queryPayResult", false, "orderNo", "NOPE"), csss.CodeOrderNotFound},
			// D25: a sign is good on its own route only. A write must carry
			// its tradeType, which the sign covers; a read's body on a write
			// route names another tradeType.
			{"write without tradeType 1001", "/vshop/singleOrder", s.mallBody(t, "", false, "deviceCode", sim, "orderNo", "NO5", "orderPeriod", "1",
				"packageCode", "DP20190726001274", "payAmount", "10.00", "payCurrency", "CNY", "payId", "pi_5"), csss.CodeInvalid},
			{"a read's body on a write route 1001", "/vshop/cancelAutoRenewal", s.mallBody(t, "getActiveAutoRenewal", false, "deviceCode", sim), csss.CodeInvalid},
			{"the refused write wrote nothing 2003", "/payment/queryPayResult", s.mallBody(t, "queryPayResult", false, "orderNo", "NO5"), csss.CodeOrderNotFound},
		} {
			t.Run(tc.name, func(t *testing.T) {
				if r := s.mall(t, tc.path, tc.body); r.Code != tc.code || r.Success {
					t.Errorf("code %s (%s), want %s", r.Code, r.Message, tc.code)
				}
			})
		}
		s.clock.Advance(11 * time.Minute)
		stale := s.mallBody(t, "singleVerify", false, "deviceCode", sim)
		s.clock.Advance(-11 * time.Minute)
		if r := s.mall(t, "/vshop/singleVerify", stale); r.Code != csss.CodeTimestamp {
			t.Errorf("stale tradeTime: %s, want 1003", r.Code)
		}
	})
}

// TestESIMPreOrderRaceNodes races pre-orders over two nodes sharing one
// PostgreSQL database: FOR UPDATE SKIP LOCKED hands each profile out once.
func TestESIMPreOrderRaceNodes(t *testing.T) {
	url := pgtest.Schema(t)
	a := startNode(t, url, true)
	b := startNode(t, url, false)
	ctx := t.Context()
	v, err := a.Shops.ESIM.SendVerificationCode(ctx, entP, "nodes@example.com")
	if err != nil {
		t.Fatal(err)
	}
	_, token, err := b.Shops.ESIM.Register(ctx, entP, "nodes@example.com", md5Hex("pw"), v.Code)
	if err != nil {
		t.Fatal(err)
	}
	raceMains(t, []*Main{a, b}, token, 40)
}

// TestESIMInventoryCLI imports profiles with `opencube admin esim import`,
// sells one, and marks it installed, then another deleted.
func TestESIMInventoryCLI(t *testing.T) {
	s := startShopServer(t)
	csv := "iccid,smdp_address,matching_id,imsi,msisdn,confirmation_code\n" +
		"89445099000000100001,rsp.example.net,MID-A-1,460990000100001,,\n" +
		"89445099000000100002,rsp.example.net,MID-A-2,460990000100002,8613900100002,5678\n"
	base := []string{"admin", "--url", s.m.URL(), "--admin-token", shopAdminToken}
	out, errOut, err := runCLI(t, csv, append(base, "esim", "import", "--access-code", entP)...)
	if err != nil || !strings.Contains(out, "imported 2 eSIM profiles") {
		t.Fatalf("esim import: %v: %s %s", err, out, errOut)
	}
	if _, _, err := runCLI(t, csv, append(base, "esim", "import", "--access-code", entP)...); err == nil {
		t.Error("importing the same profiles again succeeded")
	}
	if _, _, err := runCLI(t, "89445099000000100003,rsp.example.net,bad$id,460990000100003\n", append(base, "esim", "import", "--access-code", entP)...); err == nil {
		t.Error("a matching ID with '$' was imported")
	}
	if n := len(s.profiles(t, shop.ProfileAvailable)); n != 22 {
		t.Fatalf("%d available profiles, want 22", n)
	}
	// Installed only once sold; deleted unless reserved.
	if _, _, err := runCLI(t, "", append(base, "esim", "mark", "--access-code", entP, "--state", "installed", "89445099000000100001")...); err == nil {
		t.Error("an available profile was marked installed")
	}
	token := s.consumer(t, "cli@example.com")
	id := s.preOrder(t, token, 1001, "4.99", "USD")
	wantFMS(t, s.webhook(t, webhookBody(t, id, "4.99", "USD", "payment_intent.succeeded", s.clock.Now())), 0)
	_, p, err := s.m.Store.FindESIMOrder(t.Context(), id)
	if err != nil {
		t.Fatal(err)
	}
	out, errOut, err = runCLI(t, "", append(base, "esim", "mark", "--access-code", entP, "--state", "installed", p.ICCID)...)
	if err != nil || !strings.Contains(out, "installed") {
		t.Fatalf("esim mark installed: %v: %s %s", err, out, errOut)
	}
	if _, _, err := runCLI(t, "", append(base, "esim", "mark", "--access-code", entP, "--state", "deleted", "89445099000000100002")...); err != nil {
		t.Fatalf("esim mark deleted: %v", err)
	}
	if n := len(s.profiles(t, shop.ProfileInstalled)); n != 1 {
		t.Errorf("%d installed profiles, want 1", n)
	}
	if n := len(s.profiles(t, shop.ProfileDeleted)); n != 1 {
		t.Errorf("%d deleted profiles, want 1", n)
	}
	listed, err := client.NewAdmin(s.m.URL(), shopAdminToken).Profiles(t.Context(), entP, shop.ProfileInstalled)
	if err != nil || len(listed) != 1 || listed[0].ICCID != p.ICCID {
		t.Errorf("admin profiles ?state=installed: %v, %+v", err, listed)
	}
	// The installed profile's order still shows its install material.
	var d struct{ ICCID, ProfileState string }
	s.fmsOK(t, "/v1.1/order/myEsimDetail", token, map[string]any{"orderId": id}, &d)
	if d.ICCID != p.ICCID || d.ProfileState != "installed" {
		t.Errorf("myEsimDetail after install %+v", d)
	}
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

// mailAttachment returns the PNG attached to a multipart message.
func mailAttachment(t *testing.T, data string) []byte {
	t.Helper()
	msg, err := mail.ReadMessage(strings.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	_, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	if err != nil {
		t.Fatal(err)
	}
	r := multipart.NewReader(msg.Body, params["boundary"])
	for {
		part, err := r.NextPart()
		if err != nil {
			t.Fatalf("no PNG attachment: %v", err)
		}
		if part.Header.Get("Content-Type") == "image/png" {
			b, _ := io.ReadAll(part)
			png, err := base64.StdEncoding.DecodeString(strings.NewReplacer("\r", "", "\n", "").Replace(string(b)))
			if err != nil {
				t.Fatal(err)
			}
			return png
		}
	}
}

// TestPaymentWebhookStoreFailure: when opencube itself fails (here: its
// database is gone), a payment webhook answers HTTP 500, so that the
// provider sends it again, rather than a 2xx it would take as delivered.
func TestPaymentWebhookStoreFailure(t *testing.T) {
	s := startShopServer(t)
	token := s.consumer(t, "late@example.com")
	id := s.preOrder(t, token, 1001, "4.99", "USD")
	if err := s.m.Store.Close(); err != nil {
		t.Fatal(err)
	}
	r := s.webhook(t, webhookBody(t, id, "4.99", "USD", "payment_intent.succeeded", s.clock.Now()))
	if r.Status != http.StatusInternalServerError || r.Code != esim.CodeError {
		t.Errorf("webhook on a failed store: HTTP %d code %d %q, want 500 and %d", r.Status, r.Code, r.Message, esim.CodeError)
	}
	// A working store for Main.Close to give the node number back to.
	store, err := openStore(t.Context(), s.m.DB, s.m.DBOptions, s.m.Masters)
	if err != nil {
		t.Fatal(err)
	}
	s.m.Store = store
}

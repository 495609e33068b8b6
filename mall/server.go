package mall

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/opencube/opencube"
	"github.com/opencube/opencube/csss"
	"github.com/opencube/opencube/metrics"
	"github.com/opencube/opencube/money"
	"github.com/opencube/opencube/shop"
	"github.com/opencube/opencube/shopwire"
	"github.com/opencube/opencube/stripepay"
	"github.com/opencube/opencube/throttle"
)

// Prefixes are the Mall's base paths (D21): the shop (Vshop), the cashier
// (Payment) and the order and bundle-group service (Topup).
var Prefixes = []string{"/vshop", "/payment", "/topup"}

// MaxBody is the largest request body of a route that sets none: a Mall
// request is one flat object of a dozen short fields, well under 1 KiB.
const MaxBody = 16 << 10

// PayAmountRange states the values of payAmount (csss.ParseAmount, as
// CSSS's pay_amount): it must also be the plan's price times orderPeriod.
const PayAmountRange = "a decimal amount 0-999999999999999 with at most two decimals, at most 15 characters"

// Route is one endpoint of the Mall. Every Mall route is signed: its
// globals are checked (Authenticate) before its handler runs.
type Route struct {
	// Method and Path, the full path under one of Prefixes.
	Method, Path string
	// TradeType is the tradeType the request must carry, when it carries
	// one: the operation's name.
	TradeType string
	// Writes says the route changes state: its requests must carry their
	// tradeType, so that their sign, which covers it, is good on this
	// route only (D25).
	Writes  bool
	Summary string
	// MaxBody caps the request body in bytes; 0 is MaxBody. A larger body
	// is refused (1001, body) before it is parsed.
	MaxBody int64
	// Stripe marks Stripe's webhook: its body is a Stripe event, verified
	// by its Stripe-Signature, without the Mall's globals or sign.
	Stripe bool
	handle func(s *Server, c *call) (any, error)
}

// Pattern is the route's ServeMux pattern (shopwire.Route).
func (rt Route) Pattern() string { return rt.Method + " " + rt.Path }

// bodyLimit is the route's body cap.
func (rt *Route) bodyLimit() int64 {
	if rt.MaxBody > 0 {
		return rt.MaxBody
	}
	return MaxBody
}

// Routes is the Mall's route table: every endpoint, in one place. Paths
// the Mall's documentation does not show (query orders, auto-renewal,
// payment result, order detail) are opencube's names.
var Routes = []Route{
	{Method: "POST", Path: "/vshop/singleVerify", TradeType: "singleVerify", Summary: "Card login verification", handle: (*Server).verify},
	{Method: "POST", Path: "/vshop/singleServicePlanPage", TradeType: "singleServicePlanPage", Summary: "Plans the SIM can buy (in an area)", handle: (*Server).plans},
	{Method: "POST", Path: "/vshop/singleOrder", TradeType: "singleOrder", Writes: true, Summary: "Create a user order, paid through the Mall's cashier (a Stripe payment intent)", handle: (*Server).order},
	{Method: "POST", Path: "/vshop/synPartner/SynOrderInfo", TradeType: "SynOrderInfo", Writes: true, Summary: "Create a user order paid by a third party", handle: (*Server).synOrder},
	{Method: "POST", Path: "/vshop/queryActivePendingOrder", TradeType: "queryActivePendingOrder", Summary: "The SIM's active and pending orders", handle: (*Server).orders},
	{Method: "POST", Path: "/vshop/getActiveAutoRenewal", TradeType: "getActiveAutoRenewal", Summary: "The SIM's Mall orders with auto-renewal on", handle: (*Server).autoRenewals},
	{Method: "POST", Path: "/vshop/cancelAutoRenewal", TradeType: "cancelAutoRenewal", Writes: true, Summary: "Turn auto-renewal off", handle: (*Server).cancelAutoRenewal},
	{Method: "POST", Path: "/payment/queryPayResult", TradeType: "queryPayResult", Summary: "Payment result of a Mall order", handle: (*Server).payResult},
	{Method: "POST", Path: "/payment/confirmPayResult", TradeType: "confirmPayResult", Writes: true, Summary: "Confirm a Mall order's payment with Stripe", handle: (*Server).confirmPayResult},
	{Method: "POST", Path: "/payment/stripeAuthorization", TradeType: "stripeAuthorization", Writes: true, Summary: "Stripe single-payment / subscription authorisation: the payment intent to confirm", handle: (*Server).authorize},
	{Method: "POST", Path: "/payment/createSubscription", TradeType: "createSubscription", Writes: true, Summary: "Create the Stripe subscription that renews an auto-renewed Mall order", handle: (*Server).createSubscription},
	{Method: "POST", Path: "/payment/stripe/webhook", Stripe: true, Writes: true, Summary: "Stripe's webhook of both shops (Stripe-Signature)", MaxBody: 256 << 10},
	{Method: "POST", Path: "/topup/bundleGroup/addSims", TradeType: "addGroupSims", Writes: true, Summary: "Bundle groups: add SIMs to a group (created with its base plan)", MaxBody: 64 << 10, handle: (*Server).addGroupSIMs},
	{Method: "DELETE", Path: "/topup/bundleGroup/removeSims", TradeType: "removeGroupSims", Writes: true, Summary: "Bundle groups: remove SIMs from a group", MaxBody: 64 << 10, handle: (*Server).removeGroupSIMs},
	{Method: "GET", Path: "/topup/bundleGroup/sims", TradeType: "groupSims", Summary: "Bundle groups: the SIMs of a group (globals in the query)", handle: (*Server).groupSIMs},
	{Method: "GET", Path: "/topup/bundleGroup/list", TradeType: "groupList", Summary: "Bundle groups: the groups with their base plan (globals in the query)", handle: (*Server).groups},
	{Method: "GET", Path: "/topup/bundleGroup/result", TradeType: "groupResult", Summary: "Bundle groups: the result of an add or remove operation (globals in the query)", handle: (*Server).groupResult},
	{Method: "GET", Path: "/topup/order/detail", TradeType: "orderDetail", Summary: "Details of a Mall order and its SIM order (globals in the query)", handle: (*Server).orderDetail},
}

// Server serves the Mall over the domain service.
type Server struct {
	Svc Service
	// Enterprises finds the partners whose secrets sign requests.
	Enterprises opencube.EnterpriseFinder
	// Clock checks tradeTime: the real clock, also in sandbox mode (D27),
	// where a clock moved ahead would refuse every request signed now.
	// The service's order times take the sandbox clock.
	Clock  opencube.Clock
	Window time.Duration // accepted distance of tradeTime from the clock
	Logger *slog.Logger
	// Limits refuses requests over their tenant's budget (shared with
	// CSSS) or their source's with 1006; nil limits nothing.
	Limits *throttle.Guard
	// Stripe verifies the events of the Stripe webhook; ESIM settles those
	// of the eSIM QR Mall (one endpoint serves both shops).
	Stripe *stripepay.Client
	ESIM   ESIMPayer
}

// ESIMPayer settles eSIM orders (service.ESIM).
type ESIMPayer interface {
	Pay(ctx context.Context, p shop.Payment) (*shop.ESIMOrder, error)
}

// NewServer returns a Mall server over svc with a ten-minute tradeTime
// window (D4) on clock (the real clock).
func NewServer(svc Service, enterprises opencube.EnterpriseFinder, clock opencube.Clock) *Server {
	return &Server{Svc: svc, Enterprises: enterprises, Clock: clock, Window: 600 * time.Second, Logger: slog.Default()}
}

// Envelope is the body of every answer: the CSSS shape with the CSSS
// codes (D6), a string code and a success flag (the eSIM QR Mall's has an
// integer code and no flag).
type Envelope struct {
	Code    string `json:"code"`
	Data    any    `json:"data"`
	Message string `json:"message"`
	Success bool   `json:"success"`
}

// Handler returns the handler of every route, and of every other path
// under Prefixes.
func (s *Server) Handler() http.Handler {
	return shopwire.NewMux(Routes, s.serve, noRoute, Prefixes...)
}

// noRoute answers a path with no route: HTTP 404 with csss.CodeNoRoute.
func noRoute(w http.ResponseWriter, r *http.Request) {
	metrics.SetRoute(w, metrics.ProtocolMall, metrics.Unmatched)
	lang := csss.ParseLang(r.Header.Get("Accept-Language"))
	writeEnvelope(w, http.StatusNotFound, Envelope{Code: csss.CodeNoRoute, Message: csss.Message(csss.CodeNoRoute, lang, "")})
}

// call is one request as a handler sees it.
type call struct {
	ctx     context.Context
	params  shopwire.Params
	partner string
	lang    csss.Lang // the answer's language (Accept-Language)
}

// protoError is a protocol code without a domain kind (1002, 1003, 1005).
type protoError struct{ code string }

func (e *protoError) Error() string { return "mall: code " + e.code }

// tooFrequent refuses a request over its tenant's or its source's budget
// (1006); wait is the time until the budget holds a request again, sent
// as Retry-After.
type tooFrequent struct{ wait time.Duration }

func (e *tooFrequent) Error() string { return "mall: request too frequent" }

func (s *Server) serve(w http.ResponseWriter, r *http.Request, rt *Route) {
	metrics.SetRoute(w, metrics.ProtocolMall, rt.Path)
	lang := csss.ParseLang(r.Header.Get("Accept-Language"))
	data, err := s.run(w, r, rt)
	if err != nil {
		var tf *tooFrequent
		if errors.As(err, &tf) {
			w.Header().Set("Retry-After", throttle.RetryAfter(tf.wait))
		}
		code, msg := ErrorMessage(err, lang)
		level := slog.LevelInfo
		if code == csss.CodeSystem {
			level = slog.LevelError
		}
		_, cause := ErrorMessage(err, csss.LangEN)
		s.Logger.Log(r.Context(), level, "Mall error answer", "path", r.URL.Path, "code", code, "cause", cause, "err", err)
		status := http.StatusOK
		if rt.Stripe && code == csss.CodeSystem {
			status = http.StatusInternalServerError // Stripe sends it again
		} else if rt.Stripe && code == csss.CodeSignature {
			status = http.StatusBadRequest
		}
		writeEnvelope(w, status, Envelope{Code: code, Message: msg})
		return
	}
	writeEnvelope(w, http.StatusOK, Envelope{Code: csss.CodeOK, Data: data, Message: csss.Message(csss.CodeOK, lang, ""), Success: true})
}

// ErrorMessage maps an error to its Mall code and its message in lang:
// protocol errors to their own code, a price that differs from the plan's
// to 1001 (payAmount), and every domain kind as CSSS does, naming the
// error's cause (csss.ErrorMessage).
func ErrorMessage(err error, lang csss.Lang) (code, message string) {
	var pe *protoError
	if errors.As(err, &pe) {
		return pe.code, csss.Message(pe.code, lang, "")
	}
	if errors.As(err, new(*tooFrequent)) {
		return csss.CodeTooFrequent, csss.Message(csss.CodeTooFrequent, lang, "")
	}
	if opencube.ErrorKind(err) == opencube.KindPriceMismatch {
		why := csss.Cause(err, lang)
		if why == "" {
			why = "payAmount"
		}
		return csss.CodeInvalid, csss.Message(csss.CodeInvalid, lang, why)
	}
	return csss.ErrorMessage(err, lang)
}

// Authenticate checks a request's globals in the order of D23: partner
// code (1004), sign (1002), version (1005), tradeTime (1003), tradeType
// (1001). It returns the partner code. With Limits, a partner over its
// budget is refused (1006) before its sign is computed, and a request
// whose sign verifies spends one of its tokens.
func (s *Server) Authenticate(ctx context.Context, body []byte, p shopwire.Params, tradeType string) (string, error) {
	partner := p["partnerCode"]
	if partner == "" {
		return "", opencube.Errorf(opencube.KindUnauthenticated, "partnerCode is required")
	}
	e, err := s.Enterprises.FindEnterprise(ctx, partner)
	if err != nil {
		return "", err
	}
	if wait := s.Limits.TenantWait(e); wait > 0 {
		return "", &tooFrequent{wait}
	}
	if !Verify(body, p["sign"], e.Secrets) {
		return "", &protoError{csss.CodeSignature}
	}
	metrics.SetAccessCode(ctx, partner)
	switch p["version"] {
	case "", "1.0", "2.0", "3.0":
	default:
		return "", &protoError{csss.CodeVersion}
	}
	ms, err := strconv.ParseInt(p["tradeTime"], 10, 64)
	if err != nil {
		return "", &protoError{csss.CodeTimestamp}
	}
	t := time.UnixMilli(ms)
	if len(p["tradeTime"]) < 13 {
		t = time.Unix(ms, 0)
	}
	if d := s.Clock.Now().Sub(t); s.Window > 0 && (d > s.Window || d < -s.Window) {
		return "", &protoError{csss.CodeTimestamp}
	}
	// Only a fresh request spends the tenant's budget: a stale copy of one
	// of its requests, replayed by someone who saw it, cannot empty it.
	if wait := s.Limits.TenantTake(e); wait > 0 {
		return "", &tooFrequent{wait}
	}
	if tt := p["tradeType"]; tt != "" && tt != tradeType {
		return "", opencube.MustBe("tradeType", tradeType)
	}
	return partner, nil
}

func (s *Server) run(w http.ResponseWriter, r *http.Request, rt *Route) (any, error) {
	// A source that spent its budget of failures is refused first; every
	// failure to authenticate spends from it (throttle.Guard).
	if wait := s.Limits.SourceWait(r.RemoteAddr); wait > 0 {
		return nil, &tooFrequent{wait}
	}
	if rt.Stripe {
		return s.runStripe(w, r, rt)
	}
	var body []byte
	if r.Method == http.MethodGet {
		body = QueryBody(r.URL.Query())
	} else {
		var err error
		if body, err = shopwire.ReadBody(w, r, rt.bodyLimit()); err != nil {
			s.Limits.Failed(r.RemoteAddr)
			return nil, opencube.Invalid("body", "the body cannot be read or is larger than %d bytes", rt.bodyLimit())
		}
	}
	p, err := ParseParams(body)
	if err != nil {
		s.Limits.Failed(r.RemoteAddr)
		return nil, err
	}
	partner, err := s.Authenticate(r.Context(), body, p, rt.TradeType)
	if err != nil {
		if code, _ := ErrorMessage(err, csss.LangEN); code == csss.CodeAccessCode || code == csss.CodeSignature {
			s.Limits.Failed(r.RemoteAddr)
		}
		return nil, err
	}
	if rt.Writes && p["tradeType"] == "" {
		return nil, opencube.MustBe("tradeType", rt.TradeType) // required on a request that changes state
	}
	return rt.handle(s, &call{ctx: opencube.NewContext(r.Context(), partner), params: p, partner: partner,
		lang: csss.ParseLang(r.Header.Get("Accept-Language"))})
}

// writeEnvelope writes e as the whole answer (shopwire.WriteJSON).
func writeEnvelope(w http.ResponseWriter, status int, e Envelope) {
	metrics.SetCode(w, e.Code)
	shopwire.WriteJSON(w, status, e)
}

// verifyData is the answer of singleVerify.
type verifyData struct {
	DeviceCode  string `json:"deviceCode"`
	PartnerCode string `json:"partnerCode"`
	IMSI        string `json:"imsi"`
	MSISDN      string `json:"msisdn"`
	Status      string `json:"status"`
}

func (s *Server) verify(c *call) (any, error) {
	iccid, err := c.params.Require("deviceCode")
	if err != nil {
		return nil, err
	}
	sim, err := s.Svc.Verify(c.ctx, iccid)
	if err != nil {
		return nil, err
	}
	return verifyData{DeviceCode: sim.ICCID, PartnerCode: c.partner, IMSI: sim.IMSI, MSISDN: sim.MSISDN, Status: string(sim.Status)}, nil
}

// planItem is one plan of singleServicePlanPage.
type planItem struct {
	ServicePlanCode     string `json:"servicePlanCode"`
	ServicePlanShowName string `json:"servicePlanShowName"`
	PackageCode         string `json:"packageCode"`
	PackageType         string `json:"packageType"`
	Flow                string `json:"flow"` // MB (D19)
	Price               string `json:"price"`
	Currency            string `json:"currency"`
	Area                string `json:"area"`
}

func (s *Server) plans(c *call) (any, error) {
	iccid, err := c.params.Require("deviceCode")
	if err != nil {
		return nil, err
	}
	ps, err := s.Svc.Plans(c.ctx, iccid, c.params["area"])
	if err != nil {
		return nil, err
	}
	list := []planItem{}
	for _, p := range ps {
		list = append(list, planItem{ServicePlanCode: p.Code, ServicePlanShowName: p.Name, PackageCode: p.Code,
			PackageType: strconv.Itoa(int(p.Type)), Flow: csss.FormatMB(p.VolumeBytes), Price: money.Format(p.PriceMinor),
			Currency: p.Currency, Area: strings.Join(p.Countries, ",")})
	}
	return map[string]any{"deviceCode": iccid, "total": len(list), "list": list}, nil
}

// orderData is the answer of singleOrder and SynOrderInfo.
type orderData struct {
	DeviceCode  string `json:"deviceCode"`
	OrderNo     string `json:"orderNo"`
	PartnerCode string `json:"partnerCode"`
	PayID       string `json:"payId"`
	// OrderID and OrderStatus are the SIM order the Mall order became.
	OrderID     string `json:"orderId,omitempty"`
	OrderStatus int    `json:"orderStatus,omitempty"`
	PayStatus   string `json:"payStatus"` // 1 paid, 0 pending, 2 failed
	// ClientSecret is the Stripe payment intent's client secret (payId
	// is the intent) that the buyer's page confirms the card with.
	ClientSecret string `json:"clientSecret,omitempty"`
}

// payStatus is a Mall order's payStatus: 1 paid, 2 failed, 0 pending.
func payStatus(m *shop.MallOrder) string {
	switch {
	case m.Paid:
		return "1"
	case m.PayFailed:
		return "2"
	}
	return "0"
}

func (s *Server) orderRequest(c *call) (opencube.MallOrderRequest, error) {
	var r opencube.MallOrderRequest
	f, err := c.params.RequireAll("orderNo", "deviceCode", "packageCode", "payCurrency")
	if err != nil {
		return r, err
	}
	r.OrderNo, r.ICCID, r.PackageCode, r.PayCurrency = f[0], f[1], f[2], f[3]
	if sp := c.params["servicePlanCode"]; sp != "" && sp != r.PackageCode {
		return r, opencube.Invalid("servicePlanCode", "servicePlanCode must name packageCode's plan").Because(opencube.CauseServicePlan)
	}
	period, err := strconv.Atoi(c.params["orderPeriod"])
	if c.params["orderPeriod"] == "" {
		period, err = 1, nil
	}
	if err != nil || period < 1 || period > opencube.MaxMallPeriods {
		return r, opencube.OutOfRange("orderPeriod", 1, opencube.MaxMallPeriods)
	}
	amount, ok := csss.ParseAmount(c.params["payAmount"])
	if !ok {
		return r, opencube.MustBe("payAmount", PayAmountRange)
	}
	switch c.params["autoRenewal"] {
	case "", "0", "false":
	case "1", "true":
		r.AutoRenewal = true
	default:
		return r, opencube.MustBe("autoRenewal", "0 or 1")
	}
	r.OrderPeriod, r.PayAmountMinor, r.PayID, r.PayType = period, amount, c.params["payId"], c.params["payType"]
	return r, nil
}

func (s *Server) place(c *call, r opencube.MallOrderRequest) (any, error) {
	m, o, err := s.Svc.Order(c.ctx, r)
	if err != nil {
		return nil, err
	}
	d := orderData{DeviceCode: m.ICCID, OrderNo: m.OrderNo, PartnerCode: c.partner, PayID: m.PayID, PayStatus: payStatus(m),
		OrderID: m.OrderID, ClientSecret: m.ClientSecret}
	if o != nil {
		d.OrderStatus = int(o.Status)
	}
	return d, nil
}

// order is the Mall's cashier: the order waits for its payment, which
// only Stripe's signed webhook (or confirmPayResult asking Stripe) makes
// paid; payId, when given, is kept as the client's reference.
func (s *Server) order(c *call) (any, error) {
	r, err := s.orderRequest(c)
	if err != nil {
		return nil, err
	}
	r.Paid = false
	return s.place(c, r)
}

func (s *Server) synOrder(c *call) (any, error) {
	r, err := s.orderRequest(c)
	if err != nil {
		return nil, err
	}
	rst, st := c.params["payRst"], c.params["payStatus"]
	if st != "" && st != "0" && st != "1" {
		return nil, opencube.MustBe("payStatus", "0 or 1")
	}
	switch {
	case strings.EqualFold(rst, "SUCCESS") && (st == "" || st == "1"):
		r.Paid = true
	case rst == "" && st == "1":
		r.Paid = true
	case rst == "" && st == "", strings.EqualFold(rst, "PENDING"), st == "0":
	default:
		return nil, opencube.MustBe("payRst", "SUCCESS, PENDING or empty")
	}
	return s.place(c, r)
}

// orderItem is one order of queryActivePendingOrder.
type orderItem struct {
	OrderID     string `json:"orderId"`
	PackageCode string `json:"packageCode"`
	PackageName string `json:"packageName"`
	OrderStatus int    `json:"orderStatus"`
	StartTime   string `json:"startTime"`
	EndTime     string `json:"endTime"`
}

func orderItems(os []*opencube.Order) []orderItem {
	out := []orderItem{}
	for _, o := range os {
		it := orderItem{OrderID: o.ID, PackageCode: o.PlanCode, PackageName: o.PlanName, OrderStatus: int(o.Status)}
		if o.StartedAt != nil {
			it.StartTime = o.StartedAt.In(opencube.BusinessZone).Format("2006-01-02 15:04:05")
		}
		if o.ExpiresAt != nil {
			it.EndTime = o.ExpiresAt.In(opencube.BusinessZone).Format("2006-01-02 15:04:05")
		}
		out = append(out, it)
	}
	return out
}

// mallItem is one Mall order in an answer.
type mallItem struct {
	OrderNo     string `json:"orderNo"`
	DeviceCode  string `json:"deviceCode"`
	PackageCode string `json:"packageCode"`
	OrderPeriod int    `json:"orderPeriod"`
	PayAmount   string `json:"payAmount"`
	PayCurrency string `json:"payCurrency"`
	PayStatus   string `json:"payStatus"` // 1 paid, 0 pending, 2 failed
	AutoRenewal string `json:"autoRenewal"`
	OrderID     string `json:"orderId"`
	CreateTime  string `json:"createTime"`
	PayID       string `json:"payId"`
	PayProvider string `json:"payProvider"` // stripe, partner, or empty while unpaid
	// SubscriptionID is the Stripe subscription renewing it; Renewals the
	// periods it paid; RenewalStopped why auto-renewal ended.
	SubscriptionID string `json:"subscriptionId"`
	Renewals       int    `json:"renewals"`
	RenewalStopped string `json:"renewalStopped"`
}

func mallItems(ms []*shop.MallOrder) []mallItem {
	out := []mallItem{}
	for _, m := range ms {
		it := mallItem{OrderNo: m.OrderNo, DeviceCode: m.ICCID, PackageCode: m.PackageCode, OrderPeriod: m.OrderPeriod,
			PayAmount: money.Format(m.PayAmountMinor), PayCurrency: m.PayCurrency, PayStatus: payStatus(m), AutoRenewal: "0",
			OrderID: m.OrderID, CreateTime: m.CreatedAt.In(opencube.BusinessZone).Format("2006-01-02 15:04:05"),
			PayID: m.PayID, PayProvider: m.PayProvider, SubscriptionID: m.SubscriptionID, Renewals: m.Renewals, RenewalStopped: m.RenewalStopped}
		if m.AutoRenewal {
			it.AutoRenewal = "1"
		}
		out = append(out, it)
	}
	return out
}

func (s *Server) orders(c *call) (any, error) {
	iccid, err := c.params.Require("deviceCode")
	if err != nil {
		return nil, err
	}
	active, pending, unpaid, err := s.Svc.SIMOrders(c.ctx, iccid)
	if err != nil {
		return nil, err
	}
	return map[string]any{"deviceCode": iccid, "activeOrders": orderItems(active), "pendingOrders": orderItems(pending),
		"unpaidOrders": mallItems(unpaid)}, nil
}

func (s *Server) autoRenewals(c *call) (any, error) {
	iccid, err := c.params.Require("deviceCode")
	if err != nil {
		return nil, err
	}
	ms, err := s.Svc.AutoRenewals(c.ctx, iccid)
	if err != nil {
		return nil, err
	}
	return map[string]any{"deviceCode": iccid, "list": mallItems(ms)}, nil
}

func (s *Server) cancelAutoRenewal(c *call) (any, error) {
	iccid, err := c.params.Require("deviceCode")
	if err != nil {
		return nil, err
	}
	ms, err := s.Svc.CancelAutoRenewal(c.ctx, iccid, c.params["orderNo"])
	if err != nil {
		return nil, err
	}
	return map[string]any{"deviceCode": iccid, "list": mallItems(ms)}, nil
}

func (s *Server) payResult(c *call) (any, error) {
	no, err := c.params.Require("orderNo")
	if err != nil {
		return nil, err
	}
	ms, err := s.Svc.FindOrders(c.ctx, shop.MallOrderFilter{OrderNo: no})
	if err != nil {
		return nil, err
	}
	if len(ms) == 0 {
		return nil, opencube.Errorf(opencube.KindOrderNotFound, "Mall order %s not found", no)
	}
	return mallItems(ms)[0], nil
}

func (s *Server) confirmPayResult(c *call) (any, error) {
	no, err := c.params.Require("orderNo")
	if err != nil {
		return nil, err
	}
	m, err := s.Svc.ConfirmPayment(c.ctx, no)
	if err != nil {
		return nil, err
	}
	return mallItems([]*shop.MallOrder{m})[0], nil
}

// authorizeData is the answer of stripeAuthorization.
type authorizeData struct {
	OrderNo      string `json:"orderNo"`
	PayID        string `json:"payId"`        // the Stripe payment intent
	ClientSecret string `json:"clientSecret"` // for Stripe.js to confirm the card
	CustomerID   string `json:"customerId"`   // with autoRenewal: the customer keeping the card
	PayAmount    string `json:"payAmount"`
	PayCurrency  string `json:"payCurrency"`
}

func (s *Server) authorize(c *call) (any, error) {
	no, err := c.params.Require("orderNo")
	if err != nil {
		return nil, err
	}
	m, err := s.Svc.Authorize(c.ctx, no)
	if err != nil {
		return nil, err
	}
	return authorizeData{OrderNo: m.OrderNo, PayID: m.PayID, ClientSecret: m.ClientSecret, CustomerID: m.CustomerID,
		PayAmount: money.Format(m.PayAmountMinor), PayCurrency: m.PayCurrency}, nil
}

func (s *Server) createSubscription(c *call) (any, error) {
	no, err := c.params.Require("orderNo")
	if err != nil {
		return nil, err
	}
	m, err := s.Svc.CreateSubscription(c.ctx, no, c.params["paymentMethod"])
	if err != nil {
		return nil, err
	}
	return mallItems([]*shop.MallOrder{m})[0], nil
}

// detailData is the answer of /topup/order/detail: the Mall order and the
// SIM order it became (absent while unpaid).
type detailData struct {
	mallItem
	Order *orderItem `json:"order"`
}

func (s *Server) orderDetail(c *call) (any, error) {
	no, err := c.params.Require("orderNo")
	if err != nil {
		return nil, err
	}
	m, o, err := s.Svc.OrderDetail(c.ctx, no)
	if err != nil {
		return nil, err
	}
	d := detailData{mallItem: mallItems([]*shop.MallOrder{m})[0]}
	if o != nil {
		d.Order = &orderItems([]*opencube.Order{o})[0]
	}
	return d, nil
}

// groupResultData is the answer of a bundle-group operation and of its
// result: pending (finished false, every SIM pending, code empty) until
// its job has run, then each SIM with its code (0000 done, 2001 not a SIM
// of the partner, 1001 in another group, 2002 the base plan cannot be
// ordered for it, 2003 not in the group).
type groupResultData struct {
	RequestID string          `json:"requestId"`
	GroupID   string          `json:"groupId"`
	Operation string          `json:"operation"`       // add or remove
	Status    string          `json:"operationStatus"` // pending or finished
	Finished  bool            `json:"finished"`        // true: the operation ran in full
	Items     []groupItemData `json:"items"`
}

type groupItemData struct {
	DeviceCode string `json:"deviceCode"`
	Code       string `json:"code"`   // empty while pending
	Result     string `json:"result"` // pending, added, removed, unknown_sim, in_other_group, not_orderable, not_in_group
	// OrderID is the order of the group's base plan that adding the SIM
	// made (none when the SIM had an order in use or waiting).
	OrderID string `json:"orderId,omitempty"`
	// Reason says, in the answer's language, why the base plan could not
	// be ordered (not_orderable).
	Reason string `json:"reason,omitempty"`
}

var groupCodes = map[string]string{shop.GroupAdded: csss.CodeOK, shop.GroupRemoved: csss.CodeOK, shop.GroupUnknownSIM: csss.CodeDeviceNotFound,
	shop.GroupInOtherGroup: csss.CodeInvalid, shop.GroupNotInGroup: csss.CodeOrderNotFound, shop.GroupNotOrderable: csss.CodePlanNotOrderable}

func groupResultOf(r *shop.GroupResult, lang csss.Lang) groupResultData {
	d := groupResultData{RequestID: r.ID, GroupID: r.GroupID, Operation: r.Operation, Status: "pending", Finished: r.Finished(), Items: []groupItemData{}}
	if d.Finished {
		d.Status = "finished"
	}
	for _, it := range r.Items {
		d.Items = append(d.Items, groupItemData{DeviceCode: it.ICCID, Code: groupCodes[it.Result], Result: it.Result, OrderID: it.OrderID,
			Reason: groupReason(it, lang)})
	}
	return d
}

// groupReason states why a SIM is not_orderable, in lang: the text of
// its cause; a result kept before causes were, its English message.
func groupReason(it shop.GroupItem, lang csss.Lang) string {
	if it.Cause == "" {
		return it.Message
	}
	return csss.Cause(&opencube.Error{Kind: opencube.KindPlanNotOrderable, Cause: it.Cause, Args: it.Args}, lang)
}

// deviceCodes reads the comma-separated deviceCodes of a group operation.
func deviceCodes(p shopwire.Params) ([]string, error) {
	raw, err := p.Require("deviceCodes")
	if err != nil {
		return nil, err
	}
	var out []string
	for _, s := range strings.Split(raw, ",") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out, nil
}

func (s *Server) addGroupSIMs(c *call) (any, error) {
	g, err := c.params.Require("groupId")
	if err != nil {
		return nil, err
	}
	ids, err := deviceCodes(c.params)
	if err != nil {
		return nil, err
	}
	r, err := s.Svc.AddGroupSIMs(c.ctx, g, c.params["groupName"], c.params["basePlan"], ids)
	if err != nil {
		return nil, err
	}
	return groupResultOf(r, c.lang), nil
}

func (s *Server) removeGroupSIMs(c *call) (any, error) {
	g, err := c.params.Require("groupId")
	if err != nil {
		return nil, err
	}
	ids, err := deviceCodes(c.params)
	if err != nil {
		return nil, err
	}
	r, err := s.Svc.RemoveGroupSIMs(c.ctx, g, ids)
	if err != nil {
		return nil, err
	}
	return groupResultOf(r, c.lang), nil
}

// groupSIMItem is one SIM of groupSims.
type groupSIMItem struct {
	DeviceCode string `json:"deviceCode"`
	AddTime    string `json:"addTime"`
}

func (s *Server) groupSIMs(c *call) (any, error) {
	g, err := c.params.Require("groupId")
	if err != nil {
		return nil, err
	}
	sims, err := s.Svc.GroupSIMs(c.ctx, g)
	if err != nil {
		return nil, err
	}
	list := []groupSIMItem{}
	for _, x := range sims {
		list = append(list, groupSIMItem{DeviceCode: x.ICCID, AddTime: x.AddedAt.In(opencube.BusinessZone).Format("2006-01-02 15:04:05")})
	}
	return map[string]any{"groupId": g, "total": len(list), "list": list}, nil
}

// groupItem is one group of groupList.
type groupItem struct {
	GroupID      string `json:"groupId"`
	GroupName    string `json:"groupName"`
	BasePlan     string `json:"basePlan"`
	BasePlanName string `json:"basePlanName"`
	SIMCount     int    `json:"simCount"`
	CreateTime   string `json:"createTime"`
}

func (s *Server) groups(c *call) (any, error) {
	gs, plans, err := s.Svc.Groups(c.ctx)
	if err != nil {
		return nil, err
	}
	list := []groupItem{}
	for _, g := range gs {
		it := groupItem{GroupID: g.ID, GroupName: g.Name, BasePlan: g.BasePlan, SIMCount: g.SIMs,
			CreateTime: g.CreatedAt.In(opencube.BusinessZone).Format("2006-01-02 15:04:05")}
		if p := plans[g.BasePlan]; p != nil {
			it.BasePlanName = p.Name
		}
		list = append(list, it)
	}
	return map[string]any{"total": len(list), "list": list}, nil
}

func (s *Server) groupResult(c *call) (any, error) {
	id, err := c.params.Require("requestId")
	if err != nil {
		return nil, err
	}
	r, err := s.Svc.GroupResult(c.ctx, id)
	if err != nil {
		return nil, err
	}
	return groupResultOf(r, c.lang), nil
}

// stripeWebhookData is the answer to a Stripe event.
type stripeWebhookData struct {
	EventID   string `json:"eventId"`
	Type      string `json:"type"`
	OrderNo   string `json:"orderNo,omitempty"`   // the Mall order it acted on
	OrderID   string `json:"orderId,omitempty"`   // the eSIM order it settled
	PayStatus string `json:"payStatus,omitempty"` // the order's payStatus after it
	Ignored   bool   `json:"ignored,omitempty"`   // an event of no order
}

// runStripe verifies a Stripe event (Stripe-Signature, with the
// endpoint secret, by Stripe's library) and acts on it: nothing is
// written for an event that does not verify (1002).
func (s *Server) runStripe(w http.ResponseWriter, r *http.Request, rt *Route) (any, error) {
	body, err := shopwire.ReadBody(w, r, rt.bodyLimit())
	if err != nil {
		return nil, opencube.Invalid("body", "the body cannot be read or is larger than %d bytes", rt.bodyLimit())
	}
	ev, err := s.Stripe.Verify(body, r.Header.Get("Stripe-Signature"))
	if errors.Is(err, stripepay.ErrSignature) || errors.Is(err, stripepay.ErrNoSecret) {
		s.Limits.Failed(r.RemoteAddr)
		return nil, &protoError{csss.CodeSignature}
	}
	if err != nil {
		return nil, err
	}
	out := stripeWebhookData{EventID: ev.ID, Type: ev.Type}
	meta := ev.Metadata()
	if meta[stripepay.MetaShop] == stripepay.MetaShopESIM && ev.Intent != nil && s.ESIM != nil &&
		(ev.Type == stripepay.PaymentSucceeded || ev.Type == stripepay.PaymentFailed) {
		o, err := s.ESIM.Pay(r.Context(), shop.Payment{AccessCode: meta[stripepay.MetaPartner], OrderID: meta[stripepay.MetaOrder],
			Succeeded: ev.Type == stripepay.PaymentSucceeded, AmountMinor: ev.Intent.AmountMinor, Currency: ev.Intent.Currency,
			Provider: "stripe", Reference: ev.Intent.ID})
		if err != nil {
			return nil, err
		}
		out.OrderID, out.PayStatus = o.ID, strconv.Itoa(int(o.Status))
		return out, nil
	}
	m, err := s.Svc.StripeEvent(r.Context(), ev)
	if err != nil {
		return nil, err
	}
	if m == nil {
		out.Ignored = true
	} else {
		out.OrderNo, out.PayStatus = m.OrderNo, payStatus(m)
	}
	return out, nil
}

// Service is the consumer Mall's business, acting for the enterprise
// carried by ctx: what the Mall's handlers call (service.Mall).
type Service interface {
	// Verify is the card login: the SIM must be the enterprise's and able
	// to order (not suspended or terminated).
	Verify(ctx context.Context, iccid string) (*opencube.SIM, error)
	// Plans lists the plans the SIM can order that carry a price.
	Plans(ctx context.Context, iccid, area string) ([]*opencube.Plan, error)
	// Order records a purchase; a paid one becomes an order on the SIM in
	// the same transaction. The same order number again returns the first
	// outcome.
	Order(ctx context.Context, r opencube.MallOrderRequest) (*shop.MallOrder, *opencube.Order, error)
	// SIMOrders returns the SIM's active and pending orders, and its Mall
	// orders awaiting payment.
	SIMOrders(ctx context.Context, iccid string) (active, pending []*opencube.Order, unpaid []*shop.MallOrder, err error)
	// FindOrders lists the enterprise's Mall orders.
	FindOrders(ctx context.Context, f shop.MallOrderFilter) ([]*shop.MallOrder, error)
	// AutoRenewals returns the SIM's Mall orders with auto-renewal on.
	AutoRenewals(ctx context.Context, iccid string) ([]*shop.MallOrder, error)
	// CancelAutoRenewal turns auto-renewal off for one of the SIM's Mall
	// orders (all of them when orderNo is empty) and returns those changed.
	CancelAutoRenewal(ctx context.Context, iccid, orderNo string) ([]*shop.MallOrder, error)
	// StripeEvent acts on a verified Stripe event of the Mall: payments,
	// renewal invoices. Nil, nil for an event of no Mall order.
	StripeEvent(ctx context.Context, ev *stripepay.Event) (*shop.MallOrder, error)
	// ConfirmPayment asks Stripe for the outcome of the order's payment.
	ConfirmPayment(ctx context.Context, orderNo string) (*shop.MallOrder, error)
	// Authorize returns (making it if needed) the order's payment intent.
	Authorize(ctx context.Context, orderNo string) (*shop.MallOrder, error)
	// CreateSubscription starts the subscription renewing the order.
	CreateSubscription(ctx context.Context, orderNo, paymentMethod string) (*shop.MallOrder, error)
	// OrderDetail returns a Mall order and the SIM order it became (nil
	// while unpaid).
	OrderDetail(ctx context.Context, orderNo string) (*shop.MallOrder, *opencube.Order, error)
	// AddGroupSIMs asks for SIMs to be put in a bundle group (made with
	// its base plan when new); RemoveGroupSIMs for SIMs to be taken out;
	// both answer the pending operation its job completes.
	AddGroupSIMs(ctx context.Context, groupID, name, basePlan string, iccids []string) (*shop.GroupResult, error)
	RemoveGroupSIMs(ctx context.Context, groupID string, iccids []string) (*shop.GroupResult, error)
	// GroupSIMs lists a group's SIMs; Groups the groups and the plans.
	GroupSIMs(ctx context.Context, groupID string) ([]shop.GroupSIM, error)
	Groups(ctx context.Context) ([]*shop.BundleGroup, map[string]*opencube.Plan, error)
	// GroupResult returns a group operation's result.
	GroupResult(ctx context.Context, id string) (*shop.GroupResult, error)
}

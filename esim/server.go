package esim

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"sort"
	"strconv"
	"strings"

	"github.com/opencube/opencube"
	"github.com/opencube/opencube/metrics"
	"github.com/opencube/opencube/money"
	"github.com/opencube/opencube/shop"
	"github.com/opencube/opencube/shopwire"
	"github.com/opencube/opencube/stripepay"
)

// Prefix is where the eSIM QR Mall is served (D21).
const Prefix = "/fms"

// Body caps (Route.MaxBody): FMS requests are flat objects of a few short
// fields; a Stripe event carries the payment object, a few KiB.
const (
	// MaxBody is the largest request body of a route that sets none.
	MaxBody = 16 << 10
	// MaxWebhookBody is the cap of the Stripe webhook.
	MaxWebhookBody = 64 << 10
)

// Route is one endpoint of the eSIM QR Mall.
type Route struct {
	// Method and Path (under Prefix) of the endpoint.
	Method, Path string
	Summary      string
	// Auth says the call needs a consumer's x-access-token.
	Auth bool
	// Webhook says a payment provider calls it, signing the body its own
	// way (the handler's PaymentProvider verifies the sign): a failure of
	// ours answers HTTP 500, so that the provider sends it again.
	Webhook bool
	// Raw says the body is not FMS parameters (a provider's own format).
	Raw bool
	// MaxBody caps the request body in bytes; 0 is MaxBody. A larger body
	// is refused (code 2, body) before it is parsed.
	MaxBody int64
	handle  func(s *Server, c *call) (any, error)
}

// bodyLimit is the route's body cap.
func (rt *Route) bodyLimit() int64 {
	if rt.MaxBody > 0 {
		return rt.MaxBody
	}
	return MaxBody
}

// Pattern is the route's ServeMux pattern (shopwire.Route).
func (rt Route) Pattern() string { return rt.Method + " " + Prefix + rt.Path }

// Routes is the route table of the eSIM QR Mall: every endpoint, in one
// place. Paths are FMS's; the v1.1 forms and the older ones share handlers.
var Routes = []Route{
	{Method: "POST", Path: "/user/emailVerificationCode", Summary: "Send an e-mail verification code", handle: (*Server).sendCode},
	{Method: "POST", Path: "/user/emailRegister", Summary: "Register a consumer (passwd = MD5 of the password); returns x-access-token", handle: (*Server).register},
	{Method: "POST", Path: "/user/login", Summary: "Log a consumer in; returns x-access-token", handle: (*Server).login},
	{Method: "POST", Path: "/package/queryCountry", Summary: "Countries with plans", handle: (*Server).queryCountry},
	{Method: "POST", Path: "/package/countryPackageList", Summary: "Plans of a country (countryCode = MCC; type 1 covering, 2 only)", handle: (*Server).packageList},
	{Method: "POST", Path: "/package/packageList", Summary: "Plans of a country or region", handle: (*Server).packageList},
	{Method: "POST", Path: "/v1.1/package/packageList", Summary: "Plans of a country or region", handle: (*Server).packageList},
	{Method: "POST", Path: "/package/selectContinentsCode", Summary: "Continents with plans", handle: (*Server).continents},
	{Method: "POST", Path: "/package/selectPackageByContinents", Summary: "Plans of a continent (continentsCode)", handle: (*Server).packageList},
	{Method: "POST", Path: "/package/selectHotPackage", Summary: "Hot plans", handle: (*Server).hotPackages},
	{Method: "POST", Path: "/package/detail", Summary: "Plan detail with prices per currency", handle: (*Server).detail},
	{Method: "POST", Path: "/v1.1/package/detail", Summary: "Plan detail with prices per currency", handle: (*Server).detail},
	{Method: "POST", Path: "/v1.1/package/preOrderPackage", Summary: "Pre-order: reserve an eSIM profile until paid", Auth: true, handle: (*Server).preOrder},
	{Method: "POST", Path: "/package/preOrderPackage", Summary: "Pre-order: reserve an eSIM profile until paid", Auth: true, handle: (*Server).preOrder},
	{Method: "POST", Path: "/v1.2/package/preOrderPackage", Summary: "Pre-order v1.2: reserve a profile and get the Stripe payment intent to pay it with", Auth: true, handle: (*Server).preOrderV12},
	{Method: "POST", Path: "/package/topUpOrder", Summary: "Top-up order for an eSIM bought before (iccid)", Auth: true, handle: (*Server).topUp},
	{Method: "POST", Path: "/package/selectTopUpList", Summary: "Plans that can top up an eSIM (iccid): those covering its countries", Auth: true, handle: (*Server).topUpList},
	{Method: "POST", Path: "/payment/webhook", Summary: "Payment result, signed as a CSSS request (D22)", Webhook: true, handle: (*Server).webhook},
	{Method: "POST", Path: "/v1.1/payment/webhook", Summary: "Payment result, signed as a CSSS request (D22)", Webhook: true, handle: (*Server).webhook},
	{Method: "POST", Path: "/payment/stripe/webhook", Summary: "Stripe-style payment webhook (Stripe-Signature)", Webhook: true, Raw: true, MaxBody: MaxWebhookBody, handle: (*Server).stripeWebhook},
	{Method: "POST", Path: "/package/queryOrdStatusAndEmail", Summary: "Order payment status; qrCode once paid", Auth: true, handle: (*Server).orderStatus},
	{Method: "POST", Path: "/v1.1/order/myEsimDetail", Summary: "ICCID, SM-DP+ address, matching ID, activation code", Auth: true, handle: (*Server).myEsimDetail},
	{Method: "GET", Path: "/v1.1/order/qrCode", Summary: "The activation code as a QR PNG (orderId query parameter)", Auth: true, handle: (*Server).qrCode},
}

// call is one request as a handler sees it.
type call struct {
	ctx    context.Context
	r      *http.Request
	w      http.ResponseWriter
	body   []byte
	params shopwire.Params
	sess   *shop.Session // with Auth
	raw    bool          // the handler wrote the response itself
}

// Server serves the eSIM QR Mall over a Service.
type Server struct {
	Svc Service
	// Enterprises finds the partners whose secrets sign requests.
	Enterprises opencube.EnterpriseFinder
	// Clock dates outgoing mail: the real clock, also in sandbox mode
	// (D27); the service's order times take the sandbox clock.
	Clock opencube.Clock
	// Mailer sends verification codes and install mail; nil sends none.
	Mailer *Mailer
	// Sandbox and Stripe are the payment providers of the two webhooks.
	Sandbox PaymentProvider
	Stripe  PaymentProvider
	Logger  *slog.Logger
}

// NewServer returns a server over svc with both payment providers, on
// clock (the real clock); Stripe events verify with stripe's webhook
// secret (none verifies when stripe is nil).
func NewServer(svc Service, enterprises opencube.EnterpriseFinder, clock opencube.Clock, stripe *stripepay.Client) *Server {
	return &Server{Svc: svc, Enterprises: enterprises, Clock: clock, Sandbox: Sandbox{}, Stripe: &Stripe{Client: stripe}, Logger: slog.Default()}
}

// Envelope is the body of every answer: FMS's integer code, without the
// Mall's success flag.
type Envelope struct {
	Code    int    `json:"code"`
	Data    any    `json:"data"`
	Message string `json:"message"`
	// MessageSourceHandler is FMS's message-source object: always {},
	// opencube's messages come localised in message itself.
	MessageSourceHandler struct{} `json:"messageSourceHandler"`
}

// Handler returns the handler of every route, and of every other path
// under Prefix.
func (s *Server) Handler() http.Handler {
	return shopwire.NewMux(Routes, s.serve, noRoute, Prefix)
}

// noRoute answers a path with no route: HTTP 404 with code 2, naming the
// method and path.
func noRoute(w http.ResponseWriter, r *http.Request) {
	metrics.SetRoute(w, metrics.ProtocolFMS, metrics.Unmatched)
	writeEnvelope(w, http.StatusNotFound, Envelope{Code: CodeBadParams, Message: "no such API: " + r.Method + " " + r.URL.Path})
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request, rt *Route) {
	metrics.SetRoute(w, metrics.ProtocolFMS, Prefix+rt.Path)
	c := &call{ctx: r.Context(), r: r, w: w}
	data, err := s.run(c, rt)
	if c.raw && err == nil {
		return
	}
	if err != nil {
		code, msg := ErrorCode(err)
		level := slog.LevelInfo
		if code == CodeError {
			level = slog.LevelError
		}
		s.Logger.Log(r.Context(), level, "eSIM error answer", "path", r.URL.Path, "code", code, "cause", msg, "err", err)
		status := http.StatusOK
		var e *opencube.Error
		switch {
		case errors.As(err, &e) && e.Field == "sign":
			status = http.StatusBadRequest // a webhook that does not verify
		case code == CodeError && rt.Webhook:
			// A payment provider takes any 2xx as delivered: a failure of
			// ours must make it send the webhook again.
			status = http.StatusInternalServerError
		}
		writeEnvelope(w, status, Envelope{Code: code, Message: msg})
		return
	}
	writeEnvelope(w, http.StatusOK, Envelope{Code: CodeOK, Data: data, Message: "success"})
}

func (s *Server) run(c *call, rt *Route) (any, error) {
	body, err := shopwire.ReadBody(c.w, c.r, rt.bodyLimit())
	if err != nil {
		return nil, opencube.Invalid("body", "cannot read the body: %v", err)
	}
	c.body = body
	if c.r.Method == http.MethodGet {
		c.params = shopwire.QueryParams(c.r.URL.Query())
	} else if rt.Raw {
		c.params = shopwire.Params{}
	} else if c.params, err = ParseParams(body); err != nil {
		return nil, err
	}
	if rt.Auth {
		if c.sess, err = s.Svc.Authenticate(c.ctx, c.r.Header.Get("x-access-token")); err != nil {
			return nil, err
		}
		metrics.SetAccessCode(c.ctx, c.sess.EnterpriseCode)
	}
	return rt.handle(s, c)
}

// writeEnvelope writes e as the whole answer (shopwire.WriteJSON).
func writeEnvelope(w http.ResponseWriter, status int, e Envelope) {
	metrics.SetCode(w, strconv.Itoa(e.Code))
	shopwire.WriteJSON(w, status, e)
}

// partner returns the request's partnerCode, or the session's.
func (c *call) partner() (string, error) {
	if p := c.params["partnerCode"]; p != "" {
		if c.sess != nil && c.sess.EnterpriseCode != p {
			return "", opencube.Invalid("partnerCode", "partnerCode is not the logged-in user's").Because(opencube.CausePartnerNotUser)
		}
		return p, nil
	}
	if c.sess != nil {
		return c.sess.EnterpriseCode, nil
	}
	return "", opencube.Invalid("partnerCode", "partnerCode is required")
}

func (s *Server) sendCode(c *call) (any, error) {
	partner, err := c.partner()
	if err != nil {
		return nil, err
	}
	email, err := c.params.Require("email")
	if err != nil {
		return nil, err
	}
	if _, err := s.Enterprises.FindEnterprise(c.ctx, partner); opencube.ErrorKind(err) == opencube.KindUnauthenticated {
		return nil, opencube.Invalid("partnerCode", "unknown partnerCode").Because(opencube.CausePartnerUnknown)
	} else if err != nil {
		return nil, err // the store failed: a system error, not the caller's
	}
	v, err := s.Svc.SendVerificationCode(c.ctx, partner, email)
	if err != nil {
		return nil, err
	}
	if s.Mailer != nil {
		if err := s.Mailer.Send(v.Email, CodeMail(s.Mailer.From, v.Email, v.Code, s.Clock.Now())); err != nil {
			return nil, err
		}
	}
	return nil, nil
}

// userData is the answer of register and login.
type userData struct {
	UserID string `json:"userId"`
	Email  string `json:"email"`
	Token  string `json:"token"`
}

func (s *Server) register(c *call) (any, error) {
	partner, err := c.partner()
	if err != nil {
		return nil, err
	}
	f, err := c.params.RequireAll("email", "passwd", "verifyCode")
	if err != nil {
		return nil, err
	}
	if ut := c.params["userType"]; ut != "" && ut != "4" {
		return nil, opencube.MustBe("userType", "4") // consumers register with userType 4
	}
	u, token, err := s.Svc.Register(c.ctx, partner, f[0], f[1], f[2])
	if err != nil {
		return nil, err
	}
	c.w.Header().Set("x-access-token", token)
	return userData{UserID: u.ID, Email: u.Email, Token: token}, nil
}

func (s *Server) login(c *call) (any, error) {
	partner, err := c.partner()
	if err != nil {
		return nil, err
	}
	f, err := c.params.RequireAll("email", "passwd")
	if err != nil {
		return nil, err
	}
	u, token, err := s.Svc.Login(c.ctx, partner, f[0], f[1])
	if err != nil {
		return nil, err
	}
	c.w.Header().Set("x-access-token", token)
	return userData{UserID: u.ID, Email: u.Email, Token: token}, nil
}

// currencyInfo is one price of a plan (FMS currencyInfos).
type currencyInfo struct {
	Currency
	Price string `json:"price"`
	Unit  string `json:"unit"`
}

// The values of a plan's periodUnit, buyType and priceType: opencube's
// eSIM plans count days, are bought new or as a top-up, and cost their
// price per period.
const (
	PeriodUnitDay  = 1 // period is a number of days
	BuyNewOrTopUp  = 1 // a new eSIM (pre-order) or a top-up of one (topUpOrder)
	PricePerPeriod = 1 // the price is per period: money = price × periodNum
)

// planData is a plan as FMS lists and details it.
type planData struct {
	ID               int64  `json:"id"`
	PackageID        int64  `json:"packageId"`
	PackageCode      string `json:"packageCode"`
	PackageShowName  string `json:"packageShowName"`
	PackageDesc      string `json:"packageDesc"`
	PackageShortDesc string `json:"packageShortDesc"`
	PackageType      int    `json:"packageType"` // 1 country, 2 region
	PackageFlow      int64  `json:"packageFlow"` // MB
	Period           int    `json:"period"`
	PeriodUnit       int    `json:"periodUnit"` // PeriodUnitDay: the period is days
	BuyType          int    `json:"buyType"`    // BuyNewOrTopUp
	PriceType        int    `json:"priceType"`  // PricePerPeriod
	ConfigFlag       int    `json:"configFlag"` // 1: the phone must be set to apn
	APN              string `json:"apn,omitempty"`
	Logo             string `json:"logo"`
	SaleCount        int    `json:"saleCount"` // paid orders of the plan
	// SurplusFlow is MB left: of a plan as such, its whole volume (what an
	// order of it has when bought); for a particular eSIM (selectTopUpList
	// or detail with iccid), what that eSIM's current order has left.
	SurplusFlow    int64          `json:"surplusFlow"`
	MinOrderPeriod int            `json:"minOrderPeriod"`
	MaxOrderPeriod int            `json:"maxOrderPeriod"`
	CoverCountrys  []Country      `json:"coverCountrys"`
	ContinentsCode string         `json:"continentsCode"`
	Hot            bool           `json:"hot"`
	CurrencyIDs    string         `json:"currencyIds"`
	CurrencyInfos  []currencyInfo `json:"currencyInfos"`
	UpdateTime     string         `json:"updateTime"`
}

func toPlanData(p *shop.ESIMPlan) planData {
	d := planData{
		ID: p.ID, PackageID: p.ID, PackageCode: p.PackageCode, PackageShowName: p.Name, PackageDesc: p.Description,
		PackageShortDesc: p.Name, PackageType: 1, PackageFlow: p.VolumeBytes / opencube.MB, Period: p.PeriodDays,
		PeriodUnit: PeriodUnitDay, BuyType: BuyNewOrTopUp, PriceType: PricePerPeriod, ContinentsCode: p.Continent,
		Logo: p.Logo, SaleCount: p.SaleCount, SurplusFlow: p.VolumeBytes / opencube.MB,
		Hot: p.Hot, UpdateTime: p.CreatedAt.In(opencube.BusinessZone).Format("2006-01-02 15:04:05"),
	}
	if p.Region {
		d.PackageType = 2
	}
	d.MinOrderPeriod, d.MaxOrderPeriod = p.Periods()
	if p.APN != "" {
		d.ConfigFlag, d.APN = 1, p.APN
	}
	for _, m := range p.MCCs {
		d.CoverCountrys = append(d.CoverCountrys, countryOf(m))
	}
	var ids []string
	for _, pr := range p.Prices {
		cur, ok := Currencies[pr.Currency]
		if !ok {
			cur = Currency{Abbr: pr.Currency, Digits: 2}
		}
		ids = append(ids, strconv.Itoa(cur.ID))
		d.CurrencyInfos = append(d.CurrencyInfos, currencyInfo{Currency: cur, Price: money.Format(pr.AmountMinor), Unit: cur.Symbol})
	}
	d.CurrencyIDs = strings.Join(ids, ",")
	return d
}

func plansData(ps []*shop.ESIMPlan) []planData {
	out := make([]planData, 0, len(ps))
	for _, p := range ps {
		out = append(out, toPlanData(p))
	}
	return out
}

// partnerPlans returns the plans f selects among those of the request's
// partner (call.partner).
func (s *Server) partnerPlans(c *call, f shop.ESIMPlanFilter) ([]*shop.ESIMPlan, error) {
	partner, err := c.partner()
	if err != nil {
		return nil, err
	}
	f.Enterprise = partner
	return s.Svc.FindPlans(c.ctx, f)
}

func (s *Server) queryCountry(c *call) (any, error) {
	ps, err := s.partnerPlans(c, shop.ESIMPlanFilter{})
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	out := []Country{}
	for _, p := range ps {
		for _, m := range p.MCCs {
			if !seen[m] {
				seen[m] = true
				out = append(out, countryOf(m))
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].MCC < out[j].MCC })
	return out, nil
}

// packageList serves the list endpoints: by country (countryCode, MCC,
// winning over isoCountryName; type 1 every plan covering it, 2 plans of
// that country alone) or by continent (continentsCode).
func (s *Server) packageList(c *call) (any, error) {
	partner, err := c.partner()
	if err != nil {
		return nil, err
	}
	f := shop.ESIMPlanFilter{Enterprise: partner, Continent: strings.ToUpper(c.params["continentsCode"])}
	mcc := c.params["countryCode"]
	if mcc == "" && c.params["isoCountryName"] != "" {
		if mcc = countryByISO(c.params["isoCountryName"]); mcc == "" {
			return []planData{}, nil
		}
	}
	if mcc != "" {
		if strings.Trim(mcc, "0123456789") != "" || len(mcc) != 3 {
			return nil, opencube.MustBe("countryCode", "3 digits (an MCC)")
		}
		f.MCC = mcc
	}
	typ := c.params["type"]
	if typ != "" && typ != "1" && typ != "2" {
		return nil, opencube.MustBe("type", "1 or 2")
	}
	ps, err := s.Svc.FindPlans(c.ctx, f)
	if err != nil {
		return nil, err
	}
	var out []*shop.ESIMPlan
	for _, p := range ps {
		switch {
		case mcc != "" && typ == "2" && len(p.MCCs) != 1: // that country alone
		case mcc == "" && f.Continent == "" && typ == "1" && p.Region: // countries only
		case mcc == "" && f.Continent == "" && typ == "2" && !p.Region: // regions only
		default:
			out = append(out, p)
		}
	}
	return plansData(out), nil
}

func (s *Server) continents(c *call) (any, error) {
	ps, err := s.partnerPlans(c, shop.ESIMPlanFilter{})
	if err != nil {
		return nil, err
	}
	type continent struct {
		Code string `json:"continentsCode"`
		Name string `json:"continentsName"`
	}
	seen := map[string]bool{}
	out := []continent{}
	for _, p := range ps {
		if p.Continent != "" && !seen[p.Continent] {
			seen[p.Continent] = true
			out = append(out, continent{p.Continent, Continents[p.Continent]})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Code < out[j].Code })
	return out, nil
}

func (s *Server) hotPackages(c *call) (any, error) {
	ps, err := s.partnerPlans(c, shop.ESIMPlanFilter{HotOnly: true})
	if err != nil {
		return nil, err
	}
	return plansData(ps), nil
}

// detail answers one plan. With iccid (and the consumer's
// x-access-token), its surplusFlow is what the current order of that
// eSIM, one the consumer bought, has left, as selectTopUpList with iccid
// answers it; without, the plan's whole volume.
func (s *Server) detail(c *call) (any, error) {
	iccid := c.params["iccid"]
	if iccid != "" {
		sess, err := s.Svc.Authenticate(c.ctx, c.r.Header.Get("x-access-token"))
		if err != nil {
			return nil, err
		}
		c.sess = sess
		metrics.SetAccessCode(c.ctx, sess.EnterpriseCode)
	}
	partner, err := c.partner()
	if err != nil {
		return nil, err
	}
	id, err := planID(c.params)
	if err != nil {
		return nil, err
	}
	p, err := s.Svc.Plan(c.ctx, partner, id)
	if err != nil {
		return nil, err
	}
	d := toPlanData(p)
	if iccid != "" {
		left, err := s.Svc.Remaining(c.ctx, c.sess, iccid)
		if err != nil {
			return nil, err
		}
		d.SurplusFlow = left / opencube.MB
	}
	return d, nil
}

// planID reads a request's plan id: an integer 1-opencube.MaxCatalogID.
func planID(p shopwire.Params) (int64, error) {
	id, err := p.Int("id", 0)
	if err != nil || id < 1 || id > opencube.MaxCatalogID {
		return 0, opencube.OutOfRange("id", 1, opencube.MaxCatalogID)
	}
	return id, nil
}

// preOrderData is the answer of a pre-order or top-up order.
type preOrderData struct {
	OrderID     string `json:"orderId"`
	PackageCode string `json:"packageCode"`
	Money       string `json:"money"`
	Currency    string `json:"currency"`
	ExpireTime  int64  `json:"expireTime"` // epoch ms: pay before
}

func (s *Server) preOrderRequest(c *call) (shop.PreOrderRequest, error) {
	var r shop.PreOrderRequest
	if _, err := c.partner(); err != nil {
		return r, err
	}
	id, err := planID(c.params)
	if err != nil {
		return r, err
	}
	cur, ok := currencyOf(c.params["currency"], c.params["currencyId"])
	if !ok {
		return r, opencube.MustBe("currency", CurrencyRange)
	}
	money, ok := ParseMoney(c.params["money"])
	if !ok {
		return r, opencube.MustBe("money", MoneyRange)
	}
	period, err := c.params.Int("periodNum", 1)
	if err != nil || period < 1 || period > opencube.MaxESIMPeriods {
		return r, opencube.OutOfRange("periodNum", 1, opencube.MaxESIMPeriods)
	}
	if dt := c.params["deviceType"]; dt != "" && dt != "10" {
		return r, opencube.MustBe("deviceType", "10")
	}
	return shop.PreOrderRequest{PlanID: id, PackageCode: c.params["packageCode"], Currency: cur.Abbr,
		AmountMinor: money, PeriodNum: int(period)}, nil
}

// place places a pre-order or a top-up order and answers it.
func (s *Server) place(c *call, r shop.PreOrderRequest) (any, error) {
	o, err := s.Svc.PreOrder(c.ctx, c.sess, r)
	if err != nil {
		return nil, err
	}
	return preOrderData{OrderID: o.ID, PackageCode: o.PackageCode, Money: money.Format(o.AmountMinor), Currency: o.Currency,
		ExpireTime: o.ExpiresAt.UnixMilli()}, nil
}

func (s *Server) preOrder(c *call) (any, error) {
	r, err := s.preOrderRequest(c)
	if err != nil {
		return nil, err
	}
	return s.place(c, r)
}

// preOrderV12Data is the answer of Pre-order v1.2: the pre-order and
// the Stripe payment intent that pays it (empty without a Stripe account).
type preOrderV12Data struct {
	preOrderData
	PaymentIntentID string `json:"paymentIntentId"`
	ClientSecret    string `json:"clientSecret"`
}

func (s *Server) preOrderV12(c *call) (any, error) {
	r, err := s.preOrderRequest(c)
	if err != nil {
		return nil, err
	}
	o, in, err := s.Svc.PreOrderIntent(c.ctx, c.sess, r)
	if err != nil {
		return nil, err
	}
	d := preOrderV12Data{preOrderData: preOrderData{OrderID: o.ID, PackageCode: o.PackageCode, Money: money.Format(o.AmountMinor),
		Currency: o.Currency, ExpireTime: o.ExpiresAt.UnixMilli()}}
	if in != nil {
		d.PaymentIntentID, d.ClientSecret = in.ID, in.ClientSecret
	}
	return d, nil
}

func (s *Server) topUp(c *call) (any, error) {
	r, err := s.preOrderRequest(c)
	if err != nil {
		return nil, err
	}
	if r.ICCID, err = c.params.Require("iccid"); err != nil {
		return nil, err
	}
	return s.place(c, r)
}

func (s *Server) topUpList(c *call) (any, error) {
	iccid := c.params["iccid"]
	ps, err := s.Svc.TopUpPlans(c.ctx, c.sess, iccid)
	if err != nil {
		return nil, err
	}
	out := plansData(ps)
	if iccid != "" {
		// For a particular eSIM: what its current order has left.
		left, err := s.Svc.Remaining(c.ctx, c.sess, iccid)
		if err != nil {
			return nil, err
		}
		for i := range out {
			out[i].SurplusFlow = left / opencube.MB
		}
	}
	return out, nil
}

func (s *Server) secrets(ctx context.Context, accessCode string) ([]string, error) {
	e, err := s.Enterprises.FindEnterprise(ctx, accessCode)
	if err != nil {
		return nil, err
	}
	return e.Secrets, nil
}

// webhookData is the answer of a webhook.
type webhookData struct {
	OrderID        string `json:"orderId"`
	OrderPayStatus int    `json:"orderPayStatus"`
}

func (s *Server) pay(c *call, p PaymentProvider) (any, error) {
	pay, err := p.Payment(c.ctx, c.r.Header, c.body, s.secrets)
	if err != nil {
		return nil, err
	}
	o, err := s.Svc.Pay(c.ctx, pay)
	if err != nil {
		return nil, err
	}
	return webhookData{OrderID: o.ID, OrderPayStatus: int(o.Status)}, nil
}

func (s *Server) webhook(c *call) (any, error)       { return s.pay(c, s.Sandbox) }
func (s *Server) stripeWebhook(c *call) (any, error) { return s.pay(c, s.Stripe) }

// statusData is the answer of queryOrdStatusAndEmail.
type statusData struct {
	OrderID        string `json:"orderId"`
	OrderPayStatus int    `json:"orderPayStatus"`
	OrderStatus    int    `json:"orderStatus"`
	QRCode         string `json:"qrCode,omitempty"`
	Email          string `json:"email"`
}

func (s *Server) order(c *call) (*shop.ESIMOrder, *shop.Profile, error) {
	id, err := c.params.Require("orderId")
	if err != nil {
		return nil, nil, err
	}
	return s.Svc.Order(c.ctx, c.sess, id)
}

// paidOrder returns the request's order (orderId) with its profile and
// activation code; KindNoQRCode when the order is not paid.
func (s *Server) paidOrder(c *call) (*shop.ESIMOrder, *shop.Profile, string, error) {
	o, p, err := s.order(c)
	if err != nil {
		return nil, nil, "", err
	}
	code, err := installCode(o, p)
	return o, p, code, err
}

func (s *Server) orderStatus(c *call) (any, error) {
	o, p, err := s.order(c)
	if err != nil {
		return nil, err
	}
	d := statusData{OrderID: o.ID, OrderPayStatus: int(o.Status), OrderStatus: int(o.Status), Email: o.Email}
	if code, err := installCode(o, p); err == nil {
		d.QRCode = code
	}
	return d, nil
}

// esimDetail is the answer of myEsimDetail (docs/esim.md,
// with the install material).
type esimDetail struct {
	OrderID          string `json:"orderId"`
	ICCID            string `json:"iccid"`
	QRCode           string `json:"qrCode"`
	SMDPAddress      string `json:"smdpAddress"`
	MatchingID       string `json:"matchingId"`
	ConfirmationCode string `json:"confirmationCode,omitempty"`
	PackageCode      string `json:"packageCode"`
	PackageShowName  string `json:"packageShowName"`
	OrderStatus      int    `json:"orderStatus"`
	ProfileState     string `json:"profileState"`
	StartTime        string `json:"startTime"`
	EndTime          string `json:"endTime"`
	AppleInstallURL  string `json:"appleInstallUrl"`
	QRCodeURL        string `json:"qrCodeUrl"`
}

func (s *Server) myEsimDetail(c *call) (any, error) {
	o, p, code, err := s.paidOrder(c)
	if err != nil {
		return nil, err
	}
	d := esimDetail{OrderID: o.ID, ICCID: p.ICCID, QRCode: code, SMDPAddress: p.SMDPAddress, MatchingID: p.MatchingID,
		ConfirmationCode: p.ConfirmationCode, PackageCode: o.PackageCode, PackageShowName: o.PlanName,
		OrderStatus: int(o.Status), ProfileState: string(p.State), AppleInstallURL: AppleInstallURL(code),
		QRCodeURL: Prefix + "/v1.1/order/qrCode?orderId=" + o.ID}
	if o.PaidAt != nil {
		d.StartTime = o.PaidAt.In(opencube.BusinessZone).Format("2006-01-02 15:04:05")
	}
	// The eSIM's validity is that of the SIM order the payment made or
	// renewed: it ends when that order expires (renewals included), and
	// has no end yet while the order waits for its first data session.
	so, err := s.Svc.SIMOrder(c.ctx, o)
	if err != nil {
		return nil, err
	}
	if so != nil && so.ExpiresAt != nil {
		d.EndTime = so.ExpiresAt.In(opencube.BusinessZone).Format("2006-01-02 15:04:05")
	}
	return d, nil
}

func (s *Server) qrCode(c *call) (any, error) {
	_, _, code, err := s.paidOrder(c)
	if err != nil {
		return nil, err
	}
	png, err := QRPNG(code, 320)
	if err != nil {
		return nil, err
	}
	c.raw = true
	c.w.Header().Set("Content-Type", "image/png")
	c.w.Header().Set("Cache-Control", "private, no-store")
	c.w.Write(png)
	return nil, nil
}

// SendInstallMail is the opencube.JobESIMInstallMail handler: it e-mails
// the paid order's install material to the buyer. Without a Mailer it
// does nothing.
func (s *Server) SendInstallMail(ctx context.Context, j *opencube.Job) error {
	if s.Mailer == nil {
		return nil
	}
	o, p, err := s.Svc.FindOrder(ctx, j.Key)
	if opencube.ErrorKind(err) == opencube.KindOrderNotFound {
		return nil
	}
	if err != nil {
		return err
	}
	code, err := installCode(o, p)
	if err != nil {
		return nil // not paid: nothing to send
	}
	png, err := QRPNG(code, 320)
	if err != nil {
		return err
	}
	msg := InstallMail(s.Mailer.From, o.Email, o.ID, o.PlanName, p.ICCID, p.SMDPAddress, p.MatchingID, code, png, s.Clock.Now())
	return s.Mailer.Send(o.Email, msg)
}

// Service is the eSIM QR Mall's business for consumers: accounts,
// the catalog, pre-orders, payments and the orders bought.
type Service interface {
	// SendVerificationCode makes a new e-mail verification code.
	SendVerificationCode(ctx context.Context, accessCode, email string) (*shop.VerificationCode, error)
	// Register creates a consumer account and a session, and answers its token.
	Register(ctx context.Context, accessCode, email, passwdMD5, code string) (*shop.ShopUser, string, error)
	// Login opens a session, and answers its token.
	Login(ctx context.Context, accessCode, email, passwdMD5 string) (*shop.ShopUser, string, error)
	// Authenticate returns the session of a token.
	Authenticate(ctx context.Context, token string) (*shop.Session, error)
	// FindPlans lists the catalog.
	FindPlans(ctx context.Context, f shop.ESIMPlanFilter) ([]*shop.ESIMPlan, error)
	// Plan returns one plan of the catalog.
	Plan(ctx context.Context, accessCode string, id int64) (*shop.ESIMPlan, error)
	// PreOrderIntent is PreOrder with the order's Stripe payment intent
	// (nil without a Stripe account).
	PreOrderIntent(ctx context.Context, sess *shop.Session, r shop.PreOrderRequest) (*shop.ESIMOrder, *stripepay.Intent, error)
	// TopUpPlans lists the plans that can top up the consumer's eSIM
	// iccid (every sellable plan when iccid is empty).
	TopUpPlans(ctx context.Context, sess *shop.Session, iccid string) ([]*shop.ESIMPlan, error)
	// Remaining returns the volume the current order of the consumer's
	// eSIM iccid has left (0 with none); KindDeviceNotFound when iccid is
	// not an eSIM the consumer bought.
	Remaining(ctx context.Context, sess *shop.Session, iccid string) (int64, error)
	// SIMOrder returns the SIM order a paid eSIM order made or renewed,
	// as it is now (nil when the order made none).
	SIMOrder(ctx context.Context, o *shop.ESIMOrder) (*opencube.Order, error)
	// PreOrder reserves a profile for a plan at a price until paid.
	PreOrder(ctx context.Context, sess *shop.Session, r shop.PreOrderRequest) (*shop.ESIMOrder, error)
	// Pay records a verified payment of an order.
	Pay(ctx context.Context, p shop.Payment) (*shop.ESIMOrder, error)
	// Order returns one of the session's orders and its profile.
	Order(ctx context.Context, sess *shop.Session, id string) (*shop.ESIMOrder, *shop.Profile, error)
	// FindOrder returns any order and its profile (for background work).
	FindOrder(ctx context.Context, id string) (*shop.ESIMOrder, *shop.Profile, error)
}

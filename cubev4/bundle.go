package cubev4

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"

	"github.com/opencube/opencube"
	"github.com/opencube/opencube/addon"
	"github.com/opencube/opencube/operator"
)

// Bundle types of POST /sims/{sim_id}/bundle.
const (
	BundleTypeBasic = 10
	BundleTypeAddOn = 11
)

// AddBundleRequest is POST /sims/{sim_id}/bundle's body.
type AddBundleRequest struct {
	// BundleID is the code of an opencube plan granted to the enterprise.
	BundleID   string `json:"bundle_id"`
	BundleType int    `json:"bundle_type"`
	// Cycles is the number of periods, 1-1200 (D26); 1 when absent.
	Cycles *int `json:"cycles,omitempty"`
	// Activate starts the bundle at once, asynchronously: the answer's
	// request_id tells when it is done.
	Activate bool `json:"activate,omitempty"`
}

// AddBundleAnswer is POST /sims/{sim_id}/bundle's data.
type AddBundleAnswer struct {
	OrderID   string  `json:"order_id"`
	RequestID *string `json:"request_id"`
}

// decodeBody decodes a JSON object body into v (unknown members are
// ignored, as clients send timestamp and nonce there too).
func decodeBody(r *request, v any) error {
	if len(r.body) == 0 {
		return fail(CodeMissing, "a JSON body is required")
	}
	if err := json.Unmarshal(r.body, v); err != nil {
		return fail(CodeInvalid, "the body does not fit the API: %v", err)
	}
	return nil
}

// addBundle is POST /sims/{sim_id}/bundle: an order of the plan for the
// SIM, not enabled; with activate, enabled by an asynchronous request.
func (s *Server) addBundle(r *request) (*answer, error) {
	var req AddBundleRequest
	if err := decodeBody(r, &req); err != nil {
		return nil, err
	}
	switch {
	case req.BundleID == "":
		return nil, fail(CodeMissing, "bundle_id is required")
	case req.BundleType == 0:
		return nil, fail(CodeMissing, "bundle_type is required")
	case req.BundleType == BundleTypeAddOn:
		return s.addAddOn(r, req)
	case req.BundleType != BundleTypeBasic:
		return nil, opencube.MustBe("bundle_type", "10 (basic) or 11 (add-on)")
	}
	cycles := 1
	if req.Cycles != nil {
		cycles = *req.Cycles
	}
	if cycles < 1 || cycles > opencube.MaxPeriods {
		return nil, opencube.OutOfRange("cycles", 1, opencube.MaxPeriods)
	}
	d, err := s.device(r)
	if err != nil {
		return nil, err
	}
	if d.SIM.Status == opencube.SIMTerminated {
		return nil, opencube.Errorf(opencube.KindSIMState, "the SIM is terminated").Because(opencube.CauseSIMTerminated)
	}
	plans, _, err := s.Plans.FindPlans(r.ctx, opencube.PlanFilter{Code: req.BundleID, Page: opencube.Page{Limit: 1}})
	if err != nil {
		return nil, err
	}
	if len(plans) == 0 {
		return nil, opencube.Errorf(opencube.KindPlanNotOrderable, "no plan %s", req.BundleID).Because(opencube.CausePlanUnknown)
	}
	p := plans[0]
	if req.Activate {
		if locked, err := s.pending(r.ctx, d.SIM.ICCID); err != nil {
			return nil, err
		} else if locked {
			return nil, opencube.Errorf(opencube.KindSIMState, "an operation on the SIM is pending").Because(opencube.CauseSIMLocked)
		}
	}
	or := opencube.OrderRequest{ICCID: d.SIM.ICCID, PlanCode: p.Code, PlanName: p.Name, PlanType: p.Type,
		OrderPeriod: cycles, PayAmountMinor: p.PriceMinor * int64(cycles), PayRst: "1", PayType: "v4"}
	render := func(requestID *string) func(o *opencube.Order) []byte {
		return func(o *opencube.Order) []byte {
			return recorded(http.StatusOK, encode(r.data(AddBundleAnswer{OrderID: o.ID, RequestID: requestID}), nil, CodeOK, r.lang, ""))
		}
	}
	if !req.Activate {
		if r.claim != nil {
			r.claim.RenderOrder = render(nil)
		}
		o, err := s.plans(r).OrderPlan(r.ctx, or)
		if err != nil {
			return nil, err
		}
		return &answer{data: AddBundleAnswer{OrderID: o.ID}}, nil
	}
	// The order and the request that starts it are written in one
	// transaction, with the replay entry (D28).
	if s.Requests == nil {
		return nil, fail(CodeBusy, "asynchronous operations are not served")
	}
	id := newRequestID()
	o, err := s.Requests.OrderAndStart(r.ctx, or, &operator.SIMRequest{ID: id, ICCID: d.SIM.ICCID, Operation: OpActivate}, r.claim, render(&id))
	if err != nil {
		return nil, err
	}
	return &answer{data: AddBundleAnswer{OrderID: o.ID, RequestID: &id}}, nil
}

// AddOns adds and finds add-on bundles (service.AddOns).
type AddOns interface {
	Add(ctx context.Context, iccid, planCode string, claim *opencube.ReplayClaim, render func(*addon.AddOn) []byte) (*addon.AddOn, error)
	Find(ctx context.Context, iccid string) ([]*addon.AddOn, error)
}

// addAddOn is POST /sims/{sim_id}/bundle with bundle_type 11: an add-on of
// the plan on the SIM's bundle in use, started at once until the end of
// that bundle's current cycle; cycles and activate are ignored. The
// add-on, its event and the replay entry commit together (D28).
func (s *Server) addAddOn(r *request, req AddBundleRequest) (*answer, error) {
	if s.AddOns == nil {
		return nil, fail(CodeBundleRule, "add-on bundles (bundle_type 11) are not offered: order a basic bundle (10)")
	}
	d, err := s.device(r)
	if err != nil {
		return nil, err
	}
	render := func(a *addon.AddOn) []byte {
		return recorded(http.StatusOK, encode(r.data(AddBundleAnswer{OrderID: a.ID}), nil, CodeOK, r.lang, ""))
	}
	a, err := s.AddOns.Add(r.ctx, d.SIM.ICCID, req.BundleID, r.claim, render)
	if err != nil {
		return nil, err
	}
	return &answer{data: AddBundleAnswer{OrderID: a.ID}}, nil
}

// CatalogueBundle is one bundle of GET /bundles: a plan granted to the
// enterprise, as add bundle and renewal orders name it.
type CatalogueBundle struct {
	ID   string `json:"id"` // the plan code
	Name string `json:"name"`
	Type int    `json:"type"` // 1: basic, 2: add-on
	// DataLimit is the volume of a period in bytes; for an unlimited daily
	// plan the high-speed volume of a day, throttled beyond.
	DataLimit    int64    `json:"data_limit"`
	PeriodUnit   int      `json:"period_unit"` // 1 day, 2 month
	PeriodNumber int      `json:"period_number"`
	Coverage     []string `json:"coverage"` // ISO 3166 alpha-2
	// OveragePolicy is what happens past DataLimit (overagePolicy).
	OveragePolicy string `json:"overage_policy"`
	// AllowAddOn says the basic bundle takes add-ons (bundle_type 11).
	AllowAddOn bool `json:"allow_add_on"`
	// Price is the price of one period, and Currency its currency
	// (opencube's additions).
	Price    string `json:"price"`
	Currency string `json:"currency"`
	OTA      bool   `json:"ota"`
}

// Overage policies of the catalogue (the portal's names).
const (
	OverageStop     = "stop"
	OverageThrottle = "throttle"
)

// catalogueOf returns the catalogue entry of a plan.
func catalogueOf(p *opencube.Plan) CatalogueBundle {
	b := CatalogueBundle{ID: p.Code, Name: p.Name, Type: bundleTypeBasic, DataLimit: p.VolumeBytes, PeriodUnit: periodDay, PeriodNumber: 1,
		Coverage: p.Countries, OveragePolicy: OverageStop, Price: minor(p.PriceMinor), Currency: p.Currency, OTA: p.OTA,
		AllowAddOn: p.AllowAddOn}
	if p.AddOn {
		b.Type = bundleTypeAddOn
	}
	if m := p.Type.Months(); m > 0 {
		b.PeriodUnit, b.PeriodNumber = periodMonth, m
	}
	if p.ThrottleKbps > 0 {
		b.OveragePolicy = OverageThrottle + " " + strconv.Itoa(p.ThrottleKbps) + " kbps"
	}
	if b.Coverage == nil {
		b.Coverage = []string{}
	}
	return b
}

// listCatalogue is GET /bundles: the plans granted to the enterprise, in
// code order.
func (s *Server) listCatalogue(r *request) (*answer, error) {
	page, err := pageOf(r.URL.Query(), 10, 100)
	if err != nil {
		return nil, err
	}
	ps, total, err := s.Plans.FindPlans(r.ctx, opencube.PlanFilter{Page: page})
	if err != nil {
		return nil, err
	}
	out := make([]CatalogueBundle, 0, len(ps))
	for _, p := range ps {
		out = append(out, catalogueOf(p))
	}
	return &answer{data: out, total: &total}, nil
}

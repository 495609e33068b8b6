package cubev4

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/opencube/opencube"
	"github.com/opencube/opencube/operator"
	"github.com/opencube/opencube/service"
)

// Renewals runs online renewal orders (service.Renewals).
type Renewals interface {
	NewID() string
	Place(ctx context.Context, o *operator.ServiceOrder, items []service.RenewalItem, claim *opencube.ReplayClaim, render service.RenderRenewal) error
	Find(ctx context.Context, id string) (*operator.ServiceOrder, error)
}

// RenewalRequest is POST /orders/service's body.
type RenewalRequest struct {
	Items []RenewalItem `json:"items"`
	Extra *OrderExtra   `json:"extra,omitempty"`
}

// RenewalItem is one item of a renewal order: ID names an opencube plan
// (the reference's CP- product), Quantity the periods to add (1-1200).
type RenewalItem struct {
	ID       string   `json:"id"`
	Quantity int      `json:"quantity"`
	SIMIDs   []string `json:"sim_ids"`
	// Price is the item's amount for its SIMs that succeeded (answers).
	Price string `json:"price,omitempty"`
}

// OrderExtra is the customer's own references of an order.
type OrderExtra struct {
	PO      string `json:"po"`
	Remarks string `json:"remarks"`
}

// RenewalAnswer is POST /orders/service's data.
type RenewalAnswer struct {
	Status    int    `json:"status"`
	CreatedAt int64  `json:"created_at"`
	OrderID   string `json:"order_id"`
}

// ServiceOrder is GET /orders/{order_id}/service's data.
type ServiceOrder struct {
	ID         string        `json:"id"`
	Type       int           `json:"type"`   // 2: renewal
	Status     int           `json:"status"` // 1: done
	Items      []RenewalItem `json:"items"`
	Accounting Accounting    `json:"accounting"`
	Extra      *OrderExtra   `json:"extra"`
	CreatedAt  string        `json:"created_at"` // epoch ms, a string as documented
	Abnormal   []Abnormal    `json:"abnormal"`
}

// Accounting is what an order costs.
type Accounting struct {
	Currency    string `json:"currency"`
	PayChannel  int    `json:"pay_channel"`
	TotalAmount string `json:"total_amount"`
}

// Abnormal is a SIM of an order that failed, and why.
type Abnormal struct {
	SIMID   string `json:"sim_id"`
	Code    string `json:"code"`
	Message string `json:"message"`
}

// renewalIdempotency is how long identical renewal orders are one.
const renewalIdempotency = 10 * time.Second

// createRenewal is POST /orders/service: every SIM of every item renewed
// (or ordered) on its own; identical parameters within 10 seconds answer
// the first order.
func (s *Server) createRenewal(r *request) (*answer, error) {
	if s.Renewals == nil {
		return nil, fail(CodeBusy, "renewal orders are not served")
	}
	var req RenewalRequest
	if err := decodeBody(r, &req); err != nil {
		return nil, err
	}
	if len(req.Items) == 0 {
		return nil, fail(CodeMissing, "items is required")
	}
	items := make([]service.RenewalItem, len(req.Items))
	n := 0
	for i, it := range req.Items {
		items[i] = service.RenewalItem{PlanCode: it.ID, Quantity: it.Quantity, ICCIDs: it.SIMIDs}
		n += len(it.SIMIDs)
	}
	if n > 1000 {
		return nil, opencube.OutOfRange("items.sim_ids", 1, 1000)
	}
	now := s.businessNow()
	out := RenewalAnswer{Status: 1, CreatedAt: now.UnixMilli(), OrderID: s.Renewals.NewID()}
	// Identical parameters within 10 s are one order: an entry keyed by
	// the canonical body, recorded with the order's changes and answer
	// beside the sign's own (D28).
	canon, err := StringToSign(Signed{Body: r.body})
	if err != nil {
		return nil, fail(CodeInvalid, "the body must be a JSON object")
	}
	sum := sha256.Sum256(canon)
	claim := r.claim
	if claim == nil {
		claim = &opencube.ReplayClaim{Now: s.Clock.Now()}
	}
	e := &opencube.Replay{AccessCode: r.enterprise, Key: "v4-renewal " + r.keyID + " " + hex.EncodeToString(sum[:]),
		Fingerprint: r.Method + " " + r.URL.Path, ExpiresAt: s.Clock.Now().Add(renewalIdempotency)}
	claim.Replays = append(claim.Replays, e)
	render := func(results []service.RenewalResult) ([]byte, []byte, error) {
		b, err := json.Marshal(s.renewalDocument(r, &req, out, results))
		return b, recorded(http.StatusOK, encode(out, nil, CodeOK, r.lang, "")), err
	}
	if err := s.Renewals.Place(r.ctx, &operator.ServiceOrder{ID: out.OrderID, CreatedAt: now}, items, claim, render); err != nil {
		return nil, err
	}
	return &answer{data: out}, nil
}

// renewalDocument is the document of a renewal order from its SIMs'
// results.
func (s *Server) renewalDocument(r *request, req *RenewalRequest, out RenewalAnswer, results []service.RenewalResult) ServiceOrder {
	doc := ServiceOrder{ID: out.OrderID, Type: 2, Status: 1, Extra: req.Extra, CreatedAt: strconv.FormatInt(out.CreatedAt, 10),
		Abnormal: []Abnormal{}, Accounting: Accounting{PayChannel: 1}}
	var total int64
	for _, it := range req.Items {
		got := RenewalItem{ID: it.ID, Quantity: it.Quantity, SIMIDs: []string{}}
		var price int64
		for _, res := range results {
			if res.PlanCode != it.ID || !contains(it.SIMIDs, res.ICCID) {
				continue
			}
			if res.Err != nil {
				code := CodeOf(res.Err)
				doc.Abnormal = append(doc.Abnormal, Abnormal{SIMID: res.ICCID, Code: code, Message: Message(code, r.lang)})
				continue
			}
			got.SIMIDs = append(got.SIMIDs, res.ICCID)
			if res.Plan != nil {
				price += res.Plan.PriceMinor * int64(it.Quantity)
				doc.Accounting.Currency = res.Plan.Currency
			}
		}
		got.Price = minor(price)
		total += price
		doc.Items = append(doc.Items, got)
	}
	doc.Accounting.TotalAmount = minor(total)
	return doc
}

// errRepeat is a write found to repeat an earlier one (request.claim.Prior
// is set): serve answers the earlier answer.
var errRepeat = errors.New("cubev4: a repeat")

func contains(l []string, s string) bool {
	for _, x := range l {
		if x == s {
			return true
		}
	}
	return false
}

// minor renders minor units with two decimals (D16).
func minor(n int64) string { return fmt.Sprintf("%d.%02d", n/100, n%100) }

// findRenewal is GET /orders/{order_id}/service.
func (s *Server) findRenewal(r *request) (*answer, error) {
	if s.Renewals == nil {
		return nil, fail(CodeOrderNotFound, "no such order")
	}
	o, err := s.Renewals.Find(r.ctx, r.PathValue("order_id"))
	if opencube.ErrorKind(err) == opencube.KindNotFound {
		return nil, fail(CodeOrderNotFound, "no renewal order %s", r.PathValue("order_id"))
	}
	if err != nil {
		return nil, err
	}
	return &answer{data: json.RawMessage(o.Document)}, nil
}

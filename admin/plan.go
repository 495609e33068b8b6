package admin

import (
	"net/http"
	"strings"

	"github.com/opencube/opencube"
	"github.com/opencube/opencube/money"
)

// PlanRequest is the body of POST /admin/v1/plans. The volume is given
// either in MB (volume_mb, a decimal; 1 MB = 1,048,576 bytes; rounded to
// the byte) or in bytes; the price is a decimal with at most two places
// ("12.50"), stored in minor units.
type PlanRequest struct {
	Code         string             `json:"code"`
	Name         string             `json:"name"`
	PackageType  *opencube.PlanType `json:"package_type"`
	VolumeMB     Decimal            `json:"volume_mb,omitempty"`
	VolumeBytes  *int64             `json:"volume_bytes,omitempty"`
	Price        Decimal            `json:"price"`
	Currency     string             `json:"currency,omitempty"`
	OTA          bool               `json:"ota,omitempty"`
	ThrottleKbps int                `json:"throttle_kbps,omitempty"`
	Countries    []string           `json:"countries,omitempty"`
	// AddOn makes an add-on plan (Cube v4 bundle_type 11): extra volume
	// for the rest of a basic order's period. AllowAddOn lets the orders
	// of a basic plan take add-ons.
	AddOn      bool `json:"add_on,omitempty"`
	AllowAddOn bool `json:"allow_add_on,omitempty"`
}

// DefaultCurrency is the currency of a plan created without one.
const DefaultCurrency = "CNY"

// PlanRequestOf returns the request that creates p.
func PlanRequestOf(p *opencube.Plan) PlanRequest {
	t, volume := p.Type, p.VolumeBytes
	return PlanRequest{
		Code: p.Code, Name: p.Name, PackageType: &t, VolumeBytes: &volume, Price: Decimal(money.Format(p.PriceMinor)),
		Currency: p.Currency, OTA: p.OTA, ThrottleKbps: p.ThrottleKbps, Countries: p.Countries,
		AddOn: p.AddOn, AllowAddOn: p.AllowAddOn,
	}
}

// Plan converts r into a domain plan: decimals to integers, the default
// currency filled in. The service validates the rest.
func (r *PlanRequest) Plan() (*opencube.Plan, error) {
	if r.PackageType == nil {
		return nil, opencube.Invalid("package_type", "package_type (0-5) is required")
	}
	p := &opencube.Plan{
		Code: r.Code, Name: r.Name, Type: *r.PackageType, Currency: r.Currency, OTA: r.OTA,
		ThrottleKbps: r.ThrottleKbps, Countries: r.Countries, AddOn: r.AddOn, AllowAddOn: r.AllowAddOn,
	}
	switch {
	case r.VolumeMB != "" && r.VolumeBytes != nil:
		return nil, opencube.Invalid("volume_mb", "give volume_mb or volume_bytes, not both")
	case r.VolumeBytes != nil:
		p.VolumeBytes = *r.VolumeBytes
	case r.VolumeMB != "":
		n, ok := scale(string(r.VolumeMB), opencube.MB, false)
		if !ok {
			return nil, opencube.Invalid("volume_mb", "volume_mb %q is not a non-negative decimal number of MB", r.VolumeMB)
		}
		p.VolumeBytes = n
	default:
		return nil, opencube.Invalid("volume_mb", "volume_mb or volume_bytes is required")
	}
	if r.Price == "" {
		return nil, opencube.Invalid("price", "price is required, such as \"12.50\"")
	}
	var err error
	if p.PriceMinor, err = ParsePrice(string(r.Price)); err != nil {
		return nil, err
	}
	if p.Currency == "" {
		p.Currency = DefaultCurrency
	}
	if len(p.Currency) != 3 || strings.ToUpper(p.Currency) != p.Currency || strings.Trim(p.Currency, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") != "" {
		return nil, opencube.Invalid("currency", "currency %q is not an ISO 4217 code such as CNY", p.Currency)
	}
	if p.ThrottleKbps < 0 || p.ThrottleKbps > opencube.MaxThrottleKbps {
		return nil, opencube.OutOfRange("throttle_kbps", 0, opencube.MaxThrottleKbps)
	}
	return p, nil
}

func (s *Server) createPlan(r *http.Request) (int, any, error) {
	var req PlanRequest
	if err := decode(r.Body, &req); err != nil {
		return 0, nil, err
	}
	p, err := req.Plan()
	if err != nil {
		return 0, nil, err
	}
	SetAudit(r, "plan:"+p.Code, "", "")
	if err := s.svc.CreatePlan(r.Context(), p); err != nil {
		return 0, nil, err
	}
	return http.StatusCreated, p, nil
}

package admin

import (
	"bytes"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/big"
	"mime"
	"net/http"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/opencube/opencube"
)

// Prefix is the path prefix of every admin endpoint.
const Prefix = "/admin/v1/"

// Body limits: JSON requests are small; SIM imports may be large files.
const (
	MaxBody       = 4 << 20  // bytes of a JSON request body
	MaxImportBody = 64 << 20 // bytes of a SIM import (CSV or JSON)
)

// Error kinds of the admin API itself, beside the domain kinds of
// opencube.Error. They travel in the "kind" of an error response.
const (
	KindUnauthorized opencube.Kind = "unauthorized" // 401: missing or wrong bearer token
	KindDisabled     opencube.Kind = "disabled"     // 403: the server has no admin token
	KindNoRoute      opencube.Kind = "no_route"     // 404: no such endpoint
	KindTooLarge     opencube.Kind = "too_large"    // 413: body over the limit
	KindMediaType    opencube.Kind = "media_type"   // 415: Content-Type not accepted
)

const disabledMessage = "admin API disabled: start the server with --admin-token"

// HTTPStatus is the one mapping of error kinds to HTTP statuses.
func HTTPStatus(k opencube.Kind) int {
	switch k {
	case opencube.KindInvalid:
		return http.StatusBadRequest
	// Unknown enterprises are KindUnauthenticated in the domain, and an
	// unknown plan is KindPlanNotOrderable: to an operator both are missing
	// resources.
	case opencube.KindUnauthenticated, opencube.KindDeviceNotFound, opencube.KindPlanNotOrderable,
		opencube.KindOrderNotFound, KindNoRoute, opencube.KindNotFound:
		return http.StatusNotFound
	case opencube.KindConflict, opencube.KindSIMState, opencube.KindOrderState, // a profile's state, too
		opencube.KindOTA, opencube.KindBulkRejected, opencube.KindQuota, opencube.KindSoldOut,
		opencube.KindSMSDailyLimit:
		return http.StatusConflict
	case opencube.KindSMSTooLong, opencube.KindPriceMismatch:
		return http.StatusUnprocessableEntity
	case opencube.KindSMSNotFound:
		return http.StatusNotFound
	case KindUnauthorized:
		return http.StatusUnauthorized
	case KindDisabled:
		return http.StatusForbidden
	case KindTooLarge:
		return http.StatusRequestEntityTooLarge
	case KindMediaType:
		return http.StatusUnsupportedMediaType
	}
	return http.StatusInternalServerError
}

// Route is one endpoint of the admin API.
type Route struct {
	// Pattern is the net/http pattern: method and full path.
	Pattern string
	Summary string
	// Request is a zero value of the request body's type, nil for none.
	Request any
	// MaxBody is the largest accepted body in bytes.
	MaxBody int64
	handle  func(s *Server, r *http.Request) (int, any, error)
}

// Routes is the route table of the admin API: every endpoint, in one place.
var Routes = []Route{
	{Pattern: "POST /admin/v1/enterprises", Summary: "Create an enterprise with one secret", Request: EnterpriseRequest{}, MaxBody: MaxBody, handle: (*Server).createEnterprise},
	{Pattern: "GET /admin/v1/enterprises/{code}", Summary: "Show an enterprise (secrets are counted, never shown)", MaxBody: MaxBody, handle: (*Server).findEnterprise},
	{Pattern: "POST /admin/v1/enterprises/{code}/secrets", Summary: "Rotate: add a secret, dropping the oldest beyond two", Request: SecretRequest{}, MaxBody: MaxBody, handle: (*Server).rotateSecret},
	{Pattern: "POST /admin/v1/enterprises/{code}/plans", Summary: "Grant a plan to an enterprise", Request: GrantRequest{}, MaxBody: MaxBody, handle: (*Server).grantPlan},
	{Pattern: "POST /admin/v1/sims", Summary: "Import SIMs from text/csv or a JSON array, all or nothing", Request: []SIMRequest{}, MaxBody: MaxImportBody, handle: (*Server).importSIMs},
	{Pattern: "POST /admin/v1/plans", Summary: "Add a plan to the catalog", Request: PlanRequest{}, MaxBody: MaxBody, handle: (*Server).createPlan},
	{Pattern: "POST /admin/v1/sims/{iccid}/{move}", Summary: "Move a SIM: activate, suspend or terminate (409 sim_state when refused)", MaxBody: MaxBody, handle: (*Server).moveSIM},
	{Pattern: "POST /admin/v1/sims/{iccid}/imsi", Summary: "Download a new IMSI to an OTA SIM with an order in use (event 1012)", Request: IMSIRequest{}, MaxBody: MaxBody, handle: (*Server).downloadIMSI},
	{Pattern: "POST /admin/v1/orders/{id}/reduce", Summary: "Take periods off an order, renewals first (event 1010)", Request: ReduceRequest{}, MaxBody: MaxBody, handle: (*Server).reduceOrder},
}

// Server serves the admin API over an opencube.AdminService.
type Server struct {
	// Logger receives internal errors; slog.Default() when nil.
	Logger *slog.Logger
	// ESIM serves the eSIM routes (profiles, eSIM plans, sandbox codes);
	// nil answers them 404.
	ESIM *opencube.ESIMService
	// Notify serves the webhook, delivery and alert routes; they answer
	// 404 when it is nil.
	Notify opencube.NotifyService
	// Sandbox serves the clock routes; they answer 404 when it is nil (the
	// server is not in sandbox mode).
	Sandbox Sandbox
	// SMS serves the MO injection route (sms.go); it answers 404 when nil.
	SMS SMSAdmin

	svc     opencube.AdminService
	enabled bool
	token   [sha256.Size]byte
}

// NewServer returns a server whose requests must carry token as a bearer
// token; with an empty token every request is refused with 403.
func NewServer(svc opencube.AdminService, token string) *Server {
	return &Server{svc: svc, enabled: token != "", token: sha256.Sum256([]byte(token))}
}

// Handler returns the HTTP handler of every route, at its full path under
// Prefix, behind the token check.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	for i := range Routes {
		rt := &Routes[i]
		mux.HandleFunc(rt.Pattern, func(w http.ResponseWriter, r *http.Request) { s.serve(w, r, rt) })
	}
	mux.HandleFunc(Prefix, func(w http.ResponseWriter, r *http.Request) {
		s.writeError(w, r, &opencube.Error{Kind: KindNoRoute, Message: fmt.Sprintf("no admin endpoint %s %s", r.Method, r.URL.Path)})
	})
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := s.authorize(r); err != nil {
			s.writeError(w, r, err)
			return
		}
		mux.ServeHTTP(w, r)
	})
}

// authorize checks the bearer token in constant time.
func (s *Server) authorize(r *http.Request) error {
	if !s.enabled {
		return &opencube.Error{Kind: KindDisabled, Message: disabledMessage}
	}
	scheme, token, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return &opencube.Error{Kind: KindUnauthorized, Message: "missing Authorization: Bearer <admin token>"}
	}
	sum := sha256.Sum256([]byte(strings.TrimSpace(token)))
	if subtle.ConstantTimeCompare(sum[:], s.token[:]) != 1 {
		return &opencube.Error{Kind: KindUnauthorized, Message: "wrong admin token"}
	}
	return nil
}

// serve runs one route: limit the body, call the handler, encode its answer.
func (s *Server) serve(w http.ResponseWriter, r *http.Request, rt *Route) {
	r.Body = http.MaxBytesReader(w, r.Body, rt.MaxBody)
	status, body, err := rt.handle(s, r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if body == nil {
		w.WriteHeader(status)
		return
	}
	writeJSON(w, status, body)
}

// ErrorResponse is the body of every error answer.
type ErrorResponse struct {
	Error ErrorBody `json:"error"`
}

// ErrorBody describes one error: its kind (an opencube.Kind or one of this
// package's kinds), the offending field for invalid input, and a message.
type ErrorBody struct {
	Kind    opencube.Kind `json:"kind"`
	Field   string        `json:"field,omitempty"`
	Message string        `json:"message"`
}

func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	var e *opencube.Error
	var tooLarge *http.MaxBytesError
	switch {
	case errors.As(err, &tooLarge):
		e = &opencube.Error{Kind: KindTooLarge, Message: fmt.Sprintf("request body exceeds %d bytes", tooLarge.Limit)}
	case errors.As(err, &e) && e.Kind != opencube.KindInternal && e.Kind != "":
	default:
		logger := s.Logger
		if logger == nil {
			logger = slog.Default()
		}
		logger.Error("admin request failed", "method", r.Method, "path", r.URL.Path, "err", err)
		e = &opencube.Error{Kind: opencube.KindInternal, Message: "internal error"}
	}
	if e.Kind == KindUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="opencube admin"`)
	}
	writeJSON(w, HTTPStatus(e.Kind), ErrorResponse{Error: ErrorBody{Kind: e.Kind, Field: e.Field, Message: e.Message}})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		http.Error(w, `{"error":{"kind":"internal","message":"cannot encode the answer"}}`, http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

// decode reads one JSON value into v, refusing unknown fields and trailing
// data, and names the offending field of a mistyped value.
func decode(r io.Reader, v any) error {
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	err := dec.Decode(v)
	if err == nil {
		if _, extra := dec.Token(); extra != io.EOF {
			return opencube.Invalid("body", "the body holds more than one JSON value")
		}
		return nil
	}
	var (
		syntax   *json.SyntaxError
		typ      *json.UnmarshalTypeError
		tooLarge *http.MaxBytesError
		own      *opencube.Error
	)
	switch {
	case errors.As(err, &tooLarge):
		return err
	case errors.As(err, &own):
		return own
	case errors.As(err, &syntax):
		return opencube.Invalid("body", "malformed JSON at byte %d: %v", syntax.Offset, err)
	case errors.As(err, &typ):
		field := typ.Field
		if field == "" {
			field = "body"
		}
		return opencube.Invalid(field, "%s must be a JSON %s, not a %s", field, jsonType(typ.Type), typ.Value)
	case errors.Is(err, io.EOF):
		return opencube.Invalid("body", "the body is empty: expected a JSON value")
	case errors.Is(err, io.ErrUnexpectedEOF):
		return opencube.Invalid("body", "the JSON body ends early")
	}
	if name, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		name, _ = strconv.Unquote(name)
		return opencube.Invalid(name, "unknown field %q", name)
	}
	return opencube.Invalid("body", "malformed JSON: %v", err)
}

// jsonType names the JSON type that decodes into t.
func jsonType(t reflect.Type) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Float32, reflect.Float64:
		return "number"
	case reflect.Bool:
		return "boolean"
	case reflect.Slice, reflect.Array:
		return "array"
	case reflect.Map, reflect.Struct:
		return "object"
	}
	return "string"
}

// EnterpriseRequest is the body of POST /admin/v1/enterprises.
type EnterpriseRequest struct {
	AccessCode string `json:"access_code"`
	Name       string `json:"name,omitempty"`
	Secret     string `json:"secret"`
}

// SecretRequest is the body of POST /admin/v1/enterprises/{code}/secrets.
type SecretRequest struct {
	Secret string `json:"secret"`
}

// GrantRequest is the body of POST /admin/v1/enterprises/{code}/plans.
type GrantRequest struct {
	PlanCode string `json:"plan_code"`
}

// ImportResult is the answer of POST /admin/v1/sims.
type ImportResult struct {
	Imported int `json:"imported"`
}

// Enterprise is an enterprise as the admin API shows it: its secrets are
// counted, never shown.
type Enterprise struct {
	AccessCode string    `json:"access_code"`
	Name       string    `json:"name"`
	Secrets    int       `json:"secrets"`
	CreatedAt  time.Time `json:"created_at"`
}

// EnterpriseOf returns the admin view of e.
func EnterpriseOf(e *opencube.Enterprise) *Enterprise {
	return &Enterprise{AccessCode: e.AccessCode, Name: e.Name, Secrets: len(e.Secrets), CreatedAt: e.CreatedAt}
}

// EnterprisePath is the path of one enterprise, or of one of its
// collections when sub is "secrets" or "plans".
func EnterprisePath(accessCode, sub string) string {
	p := Prefix + "enterprises/" + url.PathEscape(accessCode)
	if sub != "" {
		p += "/" + sub
	}
	return p
}

func (s *Server) createEnterprise(r *http.Request) (int, any, error) {
	var req EnterpriseRequest
	if err := decode(r.Body, &req); err != nil {
		return 0, nil, err
	}
	if req.Secret == "" {
		return 0, nil, opencube.Invalid("secret", "secret is required")
	}
	e := &opencube.Enterprise{AccessCode: req.AccessCode, Name: req.Name, Secrets: []string{req.Secret}}
	if err := s.svc.CreateEnterprise(r.Context(), e); err != nil {
		return 0, nil, err
	}
	return http.StatusCreated, EnterpriseOf(e), nil
}

func (s *Server) findEnterprise(r *http.Request) (int, any, error) {
	e, err := s.svc.FindEnterprise(r.Context(), r.PathValue("code"))
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, EnterpriseOf(e), nil
}

func (s *Server) rotateSecret(r *http.Request) (int, any, error) {
	var req SecretRequest
	if err := decode(r.Body, &req); err != nil {
		return 0, nil, err
	}
	if req.Secret == "" {
		return 0, nil, opencube.Invalid("secret", "secret is required")
	}
	e, err := s.svc.RotateSecret(r.Context(), r.PathValue("code"), req.Secret)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, EnterpriseOf(e), nil
}

func (s *Server) grantPlan(r *http.Request) (int, any, error) {
	var req GrantRequest
	if err := decode(r.Body, &req); err != nil {
		return 0, nil, err
	}
	if req.PlanCode == "" {
		return 0, nil, opencube.Invalid("plan_code", "plan_code is required")
	}
	if err := s.svc.GrantPlan(r.Context(), r.PathValue("code"), req.PlanCode); err != nil {
		return 0, nil, err
	}
	return http.StatusNoContent, nil, nil
}

// SIMRequest is one SIM of a JSON import (POST /admin/v1/sims with an
// array of them). Status is optional: the service's default applies.
type SIMRequest struct {
	ICCID      string             `json:"iccid"`
	IMSI       string             `json:"imsi"`
	MSISDN     string             `json:"msisdn,omitempty"`
	OTA        Flag               `json:"ota,omitempty"`
	Enterprise string             `json:"enterprise"`
	Status     opencube.SIMStatus `json:"status,omitempty"`
}

// SIM returns the domain SIM r describes.
func (r *SIMRequest) SIM() *opencube.SIM {
	return &opencube.SIM{ICCID: r.ICCID, IMSI: r.IMSI, MSISDN: r.MSISDN, OTA: bool(r.OTA), EnterpriseCode: r.Enterprise, Status: r.Status}
}

// SIMRequestOf returns the import form of sim.
func SIMRequestOf(sim *opencube.SIM) SIMRequest {
	return SIMRequest{ICCID: sim.ICCID, IMSI: sim.IMSI, MSISDN: sim.MSISDN, OTA: Flag(sim.OTA), Enterprise: sim.EnterpriseCode, Status: sim.Status}
}

// Flag is a yes/no value that reads JSON true/false, 1/0, and the strings
// "1", "0", "true", "false", "yes", "no" (any case); it writes true/false.
type Flag bool

// UnmarshalJSON implements json.Unmarshaler.
func (f *Flag) UnmarshalJSON(b []byte) error {
	s := string(b)
	if uq, err := strconv.Unquote(s); err == nil {
		s = uq
	}
	v, ok := ParseFlag(s)
	if !ok {
		return opencube.Invalid("ota", "%s is not a yes/no value (1/0, true/false, yes/no)", b)
	}
	*f = Flag(v)
	return nil
}

// ParseFlag reads 1/0, true/false or yes/no (any case, surrounding spaces
// ignored); an empty string is false.
func ParseFlag(s string) (value, ok bool) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "1", "true", "yes", "y":
		return true, true
	case "0", "false", "no", "n", "":
		return false, true
	}
	return false, false
}

// csvColumns are the columns a SIM CSV may hold; the header row names them
// in any order.
var csvColumns = map[string]bool{"iccid": true, "imsi": true, "msisdn": false, "ota": false, "enterprise": true, "status": false}

// errLine prefixes a domain error with the CSV line (or JSON item) it
// belongs to.
func errLine(where string, err error) error {
	var e *opencube.Error
	if !errors.As(err, &e) {
		return err
	}
	return &opencube.Error{Kind: e.Kind, Field: e.Field, Message: where + ": " + e.Message}
}

// ReadSIMsCSV reads a SIM import: a header row naming the columns (iccid,
// imsi, enterprise required; msisdn, ota, status optional), then one SIM a
// row. Each row is checked on its own, and a bad row fails the whole file
// with a KindInvalid error naming its line.
func ReadSIMsCSV(r io.Reader) ([]*opencube.SIM, error) {
	cr := csv.NewReader(r)
	cr.TrimLeadingSpace = true
	header, err := cr.Read()
	if err == io.EOF {
		return nil, opencube.Invalid("csv", "the CSV is empty: expected a header row such as iccid,imsi,msisdn,ota,enterprise")
	}
	if err != nil {
		return nil, csvError(err)
	}
	col := map[string]int{}
	for i, name := range header {
		if i == 0 {
			name = strings.TrimPrefix(name, "\uFEFF") // a byte order mark from spreadsheet exports
		}
		name = strings.ToLower(strings.TrimSpace(name))
		if _, known := csvColumns[name]; !known {
			return nil, opencube.Invalid("csv", "line 1: unknown column %q (columns: iccid, imsi, msisdn, ota, enterprise, status)", name)
		}
		if _, dup := col[name]; dup {
			return nil, opencube.Invalid("csv", "line 1: column %q appears twice", name)
		}
		col[name] = i
	}
	for name, required := range csvColumns {
		if _, ok := col[name]; required && !ok {
			return nil, opencube.Invalid("csv", "line 1: the header has no %q column", name)
		}
	}
	field := func(rec []string, name string) string {
		if i, ok := col[name]; ok {
			return strings.TrimSpace(rec[i])
		}
		return ""
	}
	var sims []*opencube.SIM
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, csvError(err)
		}
		line, _ := cr.FieldPos(0)
		where := "line " + strconv.Itoa(line)
		ota, ok := ParseFlag(field(rec, "ota"))
		if !ok {
			return nil, opencube.Invalid("ota", "%s: ota %q is not 1/0, true/false or yes/no", where, field(rec, "ota"))
		}
		sim := &opencube.SIM{
			ICCID: field(rec, "iccid"), IMSI: field(rec, "imsi"), MSISDN: field(rec, "msisdn"), OTA: ota,
			EnterpriseCode: field(rec, "enterprise"), Status: opencube.SIMStatus(field(rec, "status")),
		}
		if err := checkSIM(sim); err != nil {
			return nil, errLine(where, err)
		}
		sims = append(sims, sim)
	}
	return sims, nil
}

func csvError(err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return opencube.Invalid("csv", "line %d: %v", pe.StartLine, pe.Err)
	}
	return err
}

// checkSIM validates one SIM of an import so that its error can name the
// line; an empty status, which the service fills in, is checked as valid.
func checkSIM(sim *opencube.SIM) error {
	v := *sim
	if v.Status == "" {
		v.Status = opencube.SIMInventory
	}
	return v.Validate()
}

func (s *Server) importSIMs(r *http.Request) (int, any, error) {
	media := "application/json"
	if ct := r.Header.Get("Content-Type"); ct != "" {
		var err error
		if media, _, err = mime.ParseMediaType(ct); err != nil {
			return 0, nil, &opencube.Error{Kind: KindMediaType, Message: fmt.Sprintf("malformed Content-Type %q", ct)}
		}
	}
	var sims []*opencube.SIM
	switch media {
	case "text/csv":
		var err error
		if sims, err = ReadSIMsCSV(r.Body); err != nil {
			return 0, nil, err
		}
	case "application/json":
		var reqs []SIMRequest
		if err := decode(r.Body, &reqs); err != nil {
			return 0, nil, err
		}
		for i := range reqs {
			sim := reqs[i].SIM()
			if err := checkSIM(sim); err != nil {
				return 0, nil, errLine(fmt.Sprintf("SIM %d", i+1), err)
			}
			sims = append(sims, sim)
		}
	default:
		return 0, nil, &opencube.Error{Kind: KindMediaType, Message: fmt.Sprintf("Content-Type %s: send text/csv or application/json", media)}
	}
	if len(sims) == 0 {
		return 0, nil, opencube.Invalid("sims", "the request holds no SIMs")
	}
	if err := s.svc.ImportSIMs(r.Context(), sims); err != nil {
		return 0, nil, err
	}
	return http.StatusCreated, ImportResult{Imported: len(sims)}, nil
}

// Decimal is a non-negative decimal number such as "12.50", read from a
// JSON string or number and written as a JSON string, so that no value
// passes through a float.
type Decimal string

// UnmarshalJSON implements json.Unmarshaler.
func (d *Decimal) UnmarshalJSON(b []byte) error {
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*d = Decimal(strings.TrimSpace(s))
		return nil
	}
	if string(b) == "null" {
		return nil
	}
	*d = Decimal(b) // a JSON number, checked where it is converted
	return nil
}

// MarshalJSON implements json.Marshaler.
func (d Decimal) MarshalJSON() ([]byte, error) { return json.Marshal(string(d)) }

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
}

// DefaultCurrency is the currency of a plan created without one.
const DefaultCurrency = "CNY"

// PlanRequestOf returns the request that creates p.
func PlanRequestOf(p *opencube.Plan) PlanRequest {
	t, volume := p.Type, p.VolumeBytes
	return PlanRequest{
		Code: p.Code, Name: p.Name, PackageType: &t, VolumeBytes: &volume, Price: Decimal(opencube.FormatMinor(p.PriceMinor)),
		Currency: p.Currency, OTA: p.OTA, ThrottleKbps: p.ThrottleKbps, Countries: p.Countries,
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
		ThrottleKbps: r.ThrottleKbps, Countries: r.Countries,
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
	if p.ThrottleKbps < 0 {
		return nil, opencube.Invalid("throttle_kbps", "throttle_kbps must not be negative")
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
	if err := s.svc.CreatePlan(r.Context(), p); err != nil {
		return 0, nil, err
	}
	return http.StatusCreated, p, nil
}

// ParsePrice reads a decimal price with at most two places ("12.50", "3")
// as minor units (1250, 300): opencube.ParseMinor of at most 40
// characters, where zeros after the second decimal are allowed too
// ("12.500").
func ParsePrice(s string) (int64, error) {
	amount := s
	if whole, frac, _ := strings.Cut(s, "."); len(frac) > 2 && strings.Trim(frac[2:], "0") == "" {
		amount = whole + "." + frac[:2]
	}
	n, err := opencube.ParseMinor(amount)
	if len(s) > 40 || err != nil {
		return 0, opencube.Invalid("price", "price %q is not a non-negative amount with at most two decimals", s)
	}
	return n, nil
}

// volumeUnits are the units ParseVolume reads, binary like the CSSS MB.
var volumeUnits = []struct {
	suffix string
	bytes  int64
}{
	{"TIB", 1 << 40}, {"GIB", 1 << 30}, {"MIB", 1 << 20}, {"KIB", 1 << 10},
	{"TB", 1 << 40}, {"GB", 1 << 30}, {"MB", 1 << 20}, {"KB", 1 << 10},
	{"T", 1 << 40}, {"G", 1 << 30}, {"M", 1 << 20}, {"K", 1 << 10},
	{"B", 1},
}

// ParseVolume reads a data volume such as "20MB", "1.5GB", "512KB" or
// "1048576" (bytes) as bytes. Units are binary (1 MB = 1,048,576 bytes);
// fractions round to the nearest byte.
func ParseVolume(s string) (int64, error) {
	num, unit := strings.TrimSpace(s), int64(1)
	upper := strings.ToUpper(num)
	for _, u := range volumeUnits {
		if strings.HasSuffix(upper, u.suffix) {
			num, unit = strings.TrimSpace(num[:len(num)-len(u.suffix)]), u.bytes
			break
		}
	}
	n, ok := scale(num, unit, unit == 1)
	if !ok {
		return 0, opencube.Invalid("volume", "volume %q is not a size such as 20MB, 1GB, 512KB or a number of bytes", s)
	}
	return n, nil
}

// scale reads a non-negative decimal ("12", "0.5") and multiplies it by
// unit; exact refuses a result that is not a whole number, otherwise it is
// rounded half up. It reports false for anything else, or an overflow.
func scale(s string, unit int64, exact bool) (int64, bool) {
	whole, frac, dot := strings.Cut(s, ".")
	if len(s) > 40 || whole == "" || (dot && frac == "") || !digits(whole) || !digits(frac) {
		return 0, false
	}
	r, ok := new(big.Rat).SetString(s)
	if !ok {
		return 0, false
	}
	r.Mul(r, new(big.Rat).SetInt64(unit))
	if exact && !r.IsInt() {
		return 0, false
	}
	// floor(r + 1/2) = (2*num + den) / (2*den) for non-negative r.
	num := new(big.Int).Lsh(r.Num(), 1)
	num.Add(num, r.Denom())
	n := num.Quo(num, new(big.Int).Lsh(r.Denom(), 1))
	if !n.IsInt64() {
		return 0, false
	}
	return n.Int64(), true
}

func digits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

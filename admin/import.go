package admin

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"

	"github.com/opencube/opencube"
)

// ImportResult is the answer of POST /admin/v1/sims.
type ImportResult struct {
	Imported int `json:"imported"`
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
	// Ki, OPc (hex) and Algorithm are the SIM's authentication data for
	// the subscriber register, all optional: stored apart, sent to the
	// register, never shown.
	Ki        string `json:"ki,omitempty"`
	OPc       string `json:"opc,omitempty"`
	Algorithm string `json:"algorithm,omitempty"`
}

// SIM returns the domain SIM r describes.
func (r *SIMRequest) SIM() *opencube.SIM {
	return &opencube.SIM{ICCID: r.ICCID, IMSI: r.IMSI, MSISDN: r.MSISDN, OTA: bool(r.OTA), EnterpriseCode: r.Enterprise, Status: r.Status,
		Auth: authOf(r.Ki, r.OPc, r.Algorithm)}
}

// authOf returns the authentication data of an imported SIM, or nil when
// it has none.
func authOf(ki, opc, algorithm string) *opencube.SIMAuth {
	if ki == "" && opc == "" && algorithm == "" {
		return nil
	}
	a := &opencube.SIMAuth{Algorithm: algorithm, Ki: ki, OPc: opc}
	a.Normalize()
	return a
}

// SIMRequestOf returns the import form of sim, its authentication data
// included: a request, never an answer.
func SIMRequestOf(sim *opencube.SIM) SIMRequest {
	r := SIMRequest{ICCID: sim.ICCID, IMSI: sim.IMSI, MSISDN: sim.MSISDN, OTA: Flag(sim.OTA), Enterprise: sim.EnterpriseCode, Status: sim.Status}
	if a := sim.Auth; a != nil {
		r.Ki, r.OPc, r.Algorithm = a.Ki, a.OPc, a.Algorithm
	}
	return r
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
var csvColumns = map[string]bool{"iccid": true, "imsi": true, "msisdn": false, "ota": false, "enterprise": true, "status": false,
	"ki": false, "opc": false, "algorithm": false}

// errLine prefixes a domain error with the CSV line (or JSON item) it
// belongs to.
func errLine(where string, err error) error {
	var e *opencube.Error
	if !errors.As(err, &e) {
		return err
	}
	out := *e
	out.Message = where + ": " + e.Message
	return &out
}

// ReadSIMsCSV reads a SIM import: a header row naming the columns (iccid,
// imsi, enterprise required; msisdn, ota, status and the authentication
// data ki, opc, algorithm optional), then one SIM a
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
			return nil, opencube.Invalid("csv", "line 1: unknown column %q (columns: iccid, imsi, msisdn, ota, enterprise, status, ki, opc, algorithm)", name)
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
			Auth: authOf(field(rec, "ki"), field(rec, "opc"), field(rec, "algorithm")),
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
	if err := v.Validate(); err != nil {
		return err
	}
	if v.Auth != nil {
		return v.Auth.Validate()
	}
	return nil
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

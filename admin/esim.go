package admin

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/opencube/opencube"
	"github.com/opencube/opencube/shop"
)

// ProfileStateRequest marks a profile installed or deleted.
type ProfileStateRequest struct {
	State shop.ProfileState `json:"state"`
}

// esim returns the eSIM service, KindNoRoute when the server has none.
func (s *Server) esim() (ESIMService, error) {
	if s.ESIM == nil {
		return nil, &opencube.Error{Kind: KindNoRoute, Message: "this server has no eSIM QR Mall"}
	}
	return s.ESIM, nil
}

// ProfilesCSVColumns are the columns of an eSIM profile import.
const ProfilesCSVColumns = "iccid,smdp_address,matching_id,imsi[,msisdn[,confirmation_code]]"

// ReadProfilesCSV reads eSIM profiles of one enterprise from CSV: the
// columns iccid, smdp_address, matching_id and optional confirmation_code,
// with or without a header row.
func ReadProfilesCSV(r io.Reader, enterprise string) ([]*shop.Profile, error) {
	cr := csv.NewReader(r)
	cr.TrimLeadingSpace = true
	cr.FieldsPerRecord = -1
	var out []*shop.Profile
	for line := 1; ; line++ {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, opencube.Invalid("csv", "%v", err)
		}
		if line == 1 && len(rec) > 0 && strings.EqualFold(strings.TrimSpace(strings.TrimPrefix(rec[0], "\uFEFF")), "iccid") {
			continue
		}
		if len(rec) < 4 || len(rec) > 6 {
			return nil, opencube.Invalid("csv", "line %d: want "+ProfilesCSVColumns, line)
		}
		p := &shop.Profile{ICCID: strings.TrimSpace(rec[0]), EnterpriseCode: enterprise,
			SMDPAddress: strings.TrimSpace(rec[1]), MatchingID: strings.TrimSpace(rec[2]), IMSI: strings.TrimSpace(rec[3]),
			State: shop.ProfileAvailable}
		if len(rec) > 4 {
			p.MSISDN = strings.TrimSpace(rec[4])
		}
		if len(rec) > 5 {
			p.ConfirmationCode = strings.TrimSpace(rec[5])
		}
		if err := p.Validate(); err != nil {
			return nil, errLine(fmt.Sprintf("line %d", line), err)
		}
		out = append(out, p)
	}
	if len(out) == 0 {
		return nil, opencube.Invalid("csv", "the CSV holds no profiles")
	}
	return out, nil
}

func (s *Server) importProfiles(r *http.Request) (int, any, error) {
	svc, err := s.esim()
	if err != nil {
		return 0, nil, err
	}
	ps, err := ReadProfilesCSV(r.Body, r.PathValue("code"))
	if err != nil {
		return 0, nil, err
	}
	if err := svc.ImportProfiles(r.Context(), ps); err != nil {
		return 0, nil, err
	}
	return http.StatusCreated, ImportResult{Imported: len(ps)}, nil
}

func (s *Server) findProfiles(r *http.Request) (int, any, error) {
	svc, err := s.esim()
	if err != nil {
		return 0, nil, err
	}
	state := shop.ProfileState(r.URL.Query().Get("state"))
	if state != "" && !state.Valid() {
		return 0, nil, opencube.Invalid("state", "unknown state %q", state)
	}
	ps, err := svc.FindProfiles(r.Context(), shop.ProfileFilter{Enterprise: r.PathValue("code"), State: state})
	if err != nil {
		return 0, nil, err
	}
	if ps == nil {
		ps = []*shop.Profile{}
	}
	return http.StatusOK, ps, nil
}

func (s *Server) markProfile(r *http.Request) (int, any, error) {
	svc, err := s.esim()
	if err != nil {
		return 0, nil, err
	}
	var req ProfileStateRequest
	if err := decode(r.Body, &req); err != nil {
		return 0, nil, err
	}
	p, err := svc.MarkProfile(r.Context(), r.PathValue("code"), r.PathValue("iccid"), req.State)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, p, nil
}

func (s *Server) createESIMPlan(r *http.Request) (int, any, error) {
	svc, err := s.esim()
	if err != nil {
		return 0, nil, err
	}
	var p shop.ESIMPlan
	if err := decode(r.Body, &p); err != nil {
		return 0, nil, err
	}
	if err := svc.CreatePlan(r.Context(), &p); err != nil {
		return 0, nil, err
	}
	return http.StatusCreated, &p, nil
}

func (s *Server) verificationCode(r *http.Request) (int, any, error) {
	svc, err := s.esim()
	if err != nil {
		return 0, nil, err
	}
	if !svc.CodesReadable() {
		return 0, nil, &opencube.Error{Kind: KindNoRoute, Message: "verification codes are readable in sandbox mode only"}
	}
	v, err := svc.VerificationCode(r.Context(), r.URL.Query().Get("partnerCode"), r.URL.Query().Get("email"))
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, v, nil
}

// ESIMService is the operator's side of the eSIM QR Mall: the
// catalog and the profile inventory.
type ESIMService interface {
	// CreatePlan adds a plan to the catalog.
	CreatePlan(ctx context.Context, p *shop.ESIMPlan) error
	// ImportProfiles adds profiles to the inventory, all or nothing.
	ImportProfiles(ctx context.Context, ps []*shop.Profile) error
	// MarkProfile moves a profile to installed or deleted.
	MarkProfile(ctx context.Context, accessCode, iccid string, to shop.ProfileState) (*shop.Profile, error)
	// FindProfiles lists an enterprise's profiles.
	FindProfiles(ctx context.Context, f shop.ProfileFilter) ([]*shop.Profile, error)
	// CodesReadable reports whether verification codes may be read (D21:
	// in sandbox mode only).
	CodesReadable() bool
	// VerificationCode returns the current code of an address.
	VerificationCode(ctx context.Context, accessCode, email string) (*shop.VerificationCode, error)
}

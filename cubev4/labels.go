package cubev4

import (
	"context"
	"net/http"

	"github.com/opencube/opencube"
	"github.com/opencube/opencube/operator"
)

// Labels keeps the SIMs' tags, notes and device names (service.Labels).
type Labels interface {
	Patch(ctx context.Context, iccid string, p operator.SIMLabelPatch, claim *opencube.ReplayClaim, render func(*operator.SIMLabels) []byte) (*operator.SIMLabels, error)
	Find(ctx context.Context, iccid string) (*operator.SIMLabels, error)
	// SIMByIMEI returns the enterprise's SIM last seen in a device, ""
	// when none was.
	SIMByIMEI(ctx context.Context, imei string) (string, error)
}

// PatchSIMRequest is PATCH /sims/{sim_id}'s body: any of the labels; each
// one given replaces the SIM's.
type PatchSIMRequest struct {
	// Tags are up to 20 tags of 1-64 characters ([] removes them all).
	Tags *[]string `json:"tags,omitempty"`
	// Notes are up to 500 characters ("" removes them).
	Notes *string `json:"notes,omitempty"`
	// DeviceName is up to 100 characters ("" removes it).
	DeviceName *string `json:"device_name,omitempty"`
}

// SIMLabels is PATCH /sims/{sim_id}'s data: the SIM's labels as its
// detail shows them.
type SIMLabels struct {
	SIMID      string   `json:"sim_id"`
	Tags       []string `json:"tags"`
	Notes      *string  `json:"notes"`
	DeviceName *string  `json:"device_name"`
}

// labelsOf returns the answer of a SIM's labels.
func labelsOf(l *operator.SIMLabels) SIMLabels {
	return SIMLabels{SIMID: l.ICCID, Tags: l.Tags, Notes: optional(l.Notes), DeviceName: optional(l.DeviceName)}
}

// optional is nil for "", else v.
func optional(v string) *string {
	if v == "" {
		return nil
	}
	return &v
}

// patchSIM is PATCH /sims/{sim_id}: sets the SIM's tags, notes or device
// name; the answer is recorded with the change (D28).
func (s *Server) patchSIM(r *request) (*answer, error) {
	if s.Labels == nil {
		return nil, fail(CodeBusy, "SIM labels are not served")
	}
	var req PatchSIMRequest
	if err := decodeBody(r, &req); err != nil {
		return nil, err
	}
	if req.Tags == nil && req.Notes == nil && req.DeviceName == nil {
		return nil, fail(CodeMissing, "one of tags, notes, device_name is required")
	}
	d, err := s.device(r)
	if err != nil {
		return nil, err
	}
	render := func(l *operator.SIMLabels) []byte {
		return recorded(http.StatusOK, encode(labelsOf(l), nil, CodeOK, r.lang, ""))
	}
	l, err := s.Labels.Patch(r.ctx, d.SIM.ICCID, operator.SIMLabelPatch{Tags: req.Tags, Notes: req.Notes, DeviceName: req.DeviceName}, r.claim, render)
	if err != nil {
		return nil, err
	}
	return &answer{data: labelsOf(l)}, nil
}

// lookUpSIM is GET /sims?imei= or ?sn=: the SIM of a device, as a list of
// one. The SIM of an IMEI is the one whose latest data session with that
// IMEI (3GPP-IMEISV of RADIUS accounting) is the latest; opencube records
// no device serial numbers, so no SN is known (CB-01-0003).
func (s *Server) lookUpSIM(r *request) (*answer, error) {
	q := r.URL.Query()
	if q.Has("sn") {
		if q.Get("sn") == "" {
			return nil, fail(CodeMissing, "sn is empty")
		}
		return nil, fail(CodeSNNotFound, "no SIM is known by a device serial number")
	}
	imei := q.Get("imei")
	if !opencube.Digits(imei, 15, 15) {
		return nil, opencube.MustBe("imei", "15 digits")
	}
	iccid := ""
	if s.Labels != nil {
		var err error
		if iccid, err = s.Labels.SIMByIMEI(r.ctx, imei); err != nil {
			return nil, err
		}
	}
	if iccid == "" {
		return nil, fail(CodeIMEINotFound, "no SIM of the enterprise was seen in device %s", imei)
	}
	ds, _, err := s.SIMs.FindDevices(r.ctx, opencube.DeviceFilter{ICCIDs: []string{iccid}, Page: opencube.Page{Limit: 1}})
	if err != nil {
		return nil, err
	}
	if len(ds) == 0 {
		return nil, fail(CodeIMEINotFound, "no SIM of the enterprise was seen in device %s", imei)
	}
	st, err := s.statusOf(r.ctx, ds[0])
	if err != nil {
		return nil, err
	}
	one := 1
	return &answer{data: []SIMItem{{SIMID: iccid, Status: st, SIMService: serviceOf(ds[0])}}, total: &one}, nil
}

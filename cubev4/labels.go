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

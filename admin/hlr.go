package admin

import (
	"context"
	"net/http"

	"github.com/opencube/opencube"
	"github.com/opencube/opencube/operator"
)

// HLRAdmin is the subscriber register's provisioning as the admin API
// serves it (service.Provisioner).
type HLRAdmin interface {
	// Status returns the register's standing.
	Status(ctx context.Context) (*operator.HLRStatus, error)
	// Reconcile compares the SIMs with the register's subscribers, repairs
	// the drift and returns what it found and did.
	Reconcile(ctx context.Context, trigger string) (*operator.HLRReport, error)
}

// hlrStatus answers GET /admin/v1/hlr: with provisioning off, an empty
// register name and nothing pending.
func (s *Server) hlrStatus(r *http.Request) (int, any, error) {
	if err := newParams(r).done(); err != nil {
		return 0, nil, err
	}
	if s.HLR == nil {
		return http.StatusOK, &operator.HLRStatus{}, nil
	}
	return answer(s.HLR.Status(r.Context()))
}

// reconcileHLR answers POST /admin/v1/hlr/reconcile.
func (s *Server) reconcileHLR(r *http.Request) (int, any, error) {
	if s.HLR == nil {
		return 0, nil, opencube.Errorf(opencube.KindConflict, "provisioning is off: the server runs without --hlr")
	}
	SetAudit(r, "hlr:reconcile", "", "reconcile the register")
	return answer(s.HLR.Reconcile(r.Context(), "operator"))
}

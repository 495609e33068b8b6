package admin

import (
	"net/http"

	"github.com/opencube/opencube"
)

// ReduceRequest is the body of POST /admin/v1/orders/{id}/reduce.
type ReduceRequest struct {
	// Periods is how many periods the order loses (renewals first).
	Periods int `json:"periods"`
}

// IMSIRequest is the body of POST /admin/v1/sims/{iccid}/imsi.
type IMSIRequest struct {
	IMSI string `json:"imsi"`
}

// orderAdmin returns the service's order corrections.
func (s *Server) orderAdmin() (opencube.OrderAdminService, error) {
	if s.Orders == nil {
		return nil, opencube.Errorf(opencube.KindInternal, "the admin service cannot correct orders")
	}
	return s.Orders, nil
}

// reduceOrder shortens an order (event 1010) and answers the order.
func (s *Server) reduceOrder(r *http.Request) (int, any, error) {
	var req ReduceRequest
	if err := decode(r.Body, &req); err != nil {
		return 0, nil, err
	}
	svc, err := s.orderAdmin()
	if err != nil {
		return 0, nil, err
	}
	o, err := svc.ReduceOrder(r.Context(), r.PathValue("id"), req.Periods)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, o, nil
}

// downloadIMSI gives an OTA SIM a new IMSI (event 1012) and answers its
// order in use.
func (s *Server) downloadIMSI(r *http.Request) (int, any, error) {
	var req IMSIRequest
	if err := decode(r.Body, &req); err != nil {
		return 0, nil, err
	}
	svc, err := s.orderAdmin()
	if err != nil {
		return 0, nil, err
	}
	o, err := svc.DownloadIMSI(r.Context(), r.PathValue("iccid"), req.IMSI)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, o, nil
}

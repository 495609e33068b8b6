package admin

import (
	"net/http"

	"github.com/opencube/opencube"
)

// moveSIM moves a SIM to another state: the route's last path element
// (activate, suspend, terminate) names the move. A refused move answers 409
// with kind sim_state.
func (s *Server) moveSIM(r *http.Request) (int, any, error) {
	svc := s.SIMs
	if svc == nil {
		return 0, nil, opencube.Errorf(opencube.KindInternal, "the admin service cannot move SIMs")
	}
	move := opencube.SIMMove(r.PathValue("move"))
	sim, err := svc.MoveSIM(r.Context(), r.PathValue("iccid"), move)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, sim, nil
}

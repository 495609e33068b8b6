package cubev4

import (
	"context"

	"github.com/opencube/opencube"
)

// SIM operations of asynchronous requests.
const (
	OpActivate = "activate"
)

// pending reports whether an operation on the SIM is being processed.
func (s *Server) pending(ctx context.Context, iccid string) (bool, error) { return false, nil }

// startAsync starts an asynchronous operation on a SIM and returns its
// request id.
func (s *Server) startAsync(r *request, id, iccid, op, orderID string, keepAlive bool) error {
	return fail(CodeBundleRule, "activate is not offered yet: enable the bundle with CSSS openOrder")
}

// newRequestID returns a new request id.
func newRequestID() string { return opencube.NewUUID() }

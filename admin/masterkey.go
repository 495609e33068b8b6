package admin

import (
	"context"
	"net/http"

	"github.com/opencube/opencube"
	"github.com/opencube/opencube/seal"
)

// MasterKeysPath is the path of the master key rotation.
const MasterKeysPath = Prefix + "master-keys/rotate"

// MasterKeys re-seals the database's data keys (seal.Store).
type MasterKeys interface {
	// RotateMasterKeys re-seals the data keys under the server's first
	// master key, keeps the sealings under its other keys and drops the
	// others'.
	RotateMasterKeys(ctx context.Context) (*seal.Rotation, error)
}

// rotateMasterKeys answers POST /admin/v1/master-keys/rotate.
func (s *Server) rotateMasterKeys(r *http.Request) (int, any, error) {
	if err := newParams(r).done(); err != nil {
		return 0, nil, err
	}
	if s.MasterKeys == nil {
		return 0, nil, opencube.Errorf(KindNoRoute, "this server does not rotate master keys")
	}
	SetAudit(r, "master-keys:rotate", "", "re-seal the data keys under the first master key")
	return answer(s.MasterKeys.RotateMasterKeys(r.Context()))
}

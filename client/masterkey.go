package client

import (
	"context"
	"net/http"

	"github.com/opencube/opencube/admin"
	"github.com/opencube/opencube/seal"
)

// RotateMasterKeys re-seals the database's data keys under the server's
// first master key (POST /admin/v1/master-keys/rotate).
func (a *Admin) RotateMasterKeys(ctx context.Context) (*seal.Rotation, error) {
	var out seal.Rotation
	if err := a.send(ctx, http.MethodPost, admin.MasterKeysPath, "", nil, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

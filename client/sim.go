package client

import (
	"context"
	"net/http"
	"net/url"

	"github.com/opencube/opencube"
	"github.com/opencube/opencube/admin"
)

var _ opencube.SIMAdminService = (*Admin)(nil)

// MoveSIM implements opencube.SIMAdminService.
func (a *Admin) MoveSIM(ctx context.Context, iccid string, move opencube.SIMMove) (*opencube.SIM, error) {
	if iccid == "" {
		return nil, opencube.Invalid("iccid", "an ICCID is required")
	}
	var sim opencube.SIM
	path := admin.Prefix + "sims/" + url.PathEscape(iccid) + "/" + url.PathEscape(string(move))
	if err := a.send(ctx, http.MethodPost, path, "", nil, &sim); err != nil {
		return nil, err
	}
	return &sim, nil
}

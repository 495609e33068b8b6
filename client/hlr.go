package client

import (
	"context"
	"net/http"

	"github.com/opencube/opencube/admin"
	"github.com/opencube/opencube/operator"
)

// HLRStatus reads the subscriber register's standing (GET /admin/v1/hlr).
func (a *Admin) HLRStatus(ctx context.Context) (*operator.HLRStatus, error) {
	var out operator.HLRStatus
	if err := a.send(ctx, http.MethodGet, admin.HLRPath, "", nil, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// ReconcileHLR reconciles the register with the SIMs now and returns the
// report (POST /admin/v1/hlr/reconcile).
func (a *Admin) ReconcileHLR(ctx context.Context) (*operator.HLRReport, error) {
	var out operator.HLRReport
	if err := a.send(ctx, http.MethodPost, admin.HLRReconcile, "", nil, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

package client

import (
	"context"
	"io"
	"net/http"
	"net/url"

	"github.com/opencube/opencube/admin"
	"github.com/opencube/opencube/shop"
)

// ImportProfilesCSV imports an enterprise's eSIM profiles from CSV
// (iccid,smdp_address,matching_id,imsi[,msisdn[,confirmation_code]]; see
// admin.ReadProfilesCSV), all or nothing, and returns how many.
func (a *Admin) ImportProfilesCSV(ctx context.Context, accessCode string, r io.Reader) (int, error) {
	if err := requireCode(accessCode); err != nil {
		return 0, err
	}
	var out admin.ImportResult
	if err := a.send(ctx, http.MethodPost, admin.EnterprisePath(accessCode, "esim-profiles"), "text/csv", r, &out); err != nil {
		return 0, err
	}
	return out.Imported, nil
}

// Profiles lists an enterprise's eSIM profiles, in one state when state
// is set.
func (a *Admin) Profiles(ctx context.Context, accessCode string, state shop.ProfileState) ([]*shop.Profile, error) {
	if err := requireCode(accessCode); err != nil {
		return nil, err
	}
	p := admin.EnterprisePath(accessCode, "esim-profiles")
	if state != "" {
		p += "?state=" + url.QueryEscape(string(state))
	}
	var out []*shop.Profile
	err := a.send(ctx, http.MethodGet, p, "", nil, &out)
	return out, err
}

// MarkProfile marks an eSIM profile installed or deleted.
func (a *Admin) MarkProfile(ctx context.Context, accessCode, iccid string, state shop.ProfileState) (*shop.Profile, error) {
	if err := requireCode(accessCode); err != nil {
		return nil, err
	}
	var out shop.Profile
	err := a.send(ctx, http.MethodPost, admin.EnterprisePath(accessCode, "esim-profiles/"+url.PathEscape(iccid)+"/state"), "",
		admin.ProfileStateRequest{State: state}, &out)
	return &out, err
}

// VerificationCode returns the e-mail verification code last sent to email
// by the eSIM QR Mall, for partner accessCode (any when empty). The server
// shows codes in sandbox mode only.
func (a *Admin) VerificationCode(ctx context.Context, accessCode, email string) (*shop.VerificationCode, error) {
	q := url.Values{"email": {email}}
	if accessCode != "" {
		q.Set("partnerCode", accessCode)
	}
	var out shop.VerificationCode
	err := a.send(ctx, http.MethodGet, "/admin/v1/sandbox/verification-codes?"+q.Encode(), "", nil, &out)
	return &out, err
}

package client

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/opencube/opencube/admin"
	"github.com/opencube/opencube/operator"
)

// Me returns who the client's token is.
func (a *Admin) Me(ctx context.Context) (*admin.Me, error) {
	var me admin.Me
	if err := a.send(ctx, http.MethodGet, admin.Prefix+"me", "", nil, &me); err != nil {
		return nil, err
	}
	return &me, nil
}

// CreateUser creates a user and returns it with its first API token, shown
// this once.
func (a *Admin) CreateUser(ctx context.Context, req admin.UserRequest) (*admin.NewUser, error) {
	var u admin.NewUser
	if err := a.send(ctx, http.MethodPost, admin.Prefix+"users", "", req, &u); err != nil {
		return nil, err
	}
	return &u, nil
}

// ListUsers returns a page of users, username order.
func (a *Admin) ListUsers(ctx context.Context, q operator.UserQuery) (*operator.List[*operator.User], error) {
	v := pageValues(q.Page)
	setValue(v, "enterprise", q.Enterprise)
	var l operator.List[*operator.User]
	if err := a.send(ctx, http.MethodGet, admin.Prefix+"users"+encode(v), "", nil, &l); err != nil {
		return nil, err
	}
	return &l, nil
}

// User returns a user and its tokens (never their secrets).
func (a *Admin) User(ctx context.Context, username string) (*admin.User, error) {
	var u admin.User
	if err := a.send(ctx, http.MethodGet, admin.UserPath(username, ""), "", nil, &u); err != nil {
		return nil, err
	}
	return &u, nil
}

// CreateToken makes another API token for a user and returns it with its
// secret, shown this once.
func (a *Admin) CreateToken(ctx context.Context, username, name string) (*admin.NewToken, error) {
	var t admin.NewToken
	if err := a.send(ctx, http.MethodPost, admin.UserPath(username, "tokens"), "", admin.TokenRequest{Name: name}, &t); err != nil {
		return nil, err
	}
	return &t, nil
}

// RevokeToken revokes a user's API token.
func (a *Admin) RevokeToken(ctx context.Context, username, id string) error {
	return a.send(ctx, http.MethodDelete, admin.UserPath(username, "tokens/"+url.PathEscape(id)), "", nil, nil)
}

// DisableUser disables a user (disabled) or enables it again.
func (a *Admin) DisableUser(ctx context.Context, username string, disabled bool) (*operator.User, error) {
	verb := "enable"
	if disabled {
		verb = "disable"
	}
	var u operator.User
	if err := a.send(ctx, http.MethodPost, admin.UserPath(username, verb), "", nil, &u); err != nil {
		return nil, err
	}
	return &u, nil
}

// SetPassword sets a user's console password.
func (a *Admin) SetPassword(ctx context.Context, username, password string) error {
	return a.send(ctx, http.MethodPut, admin.UserPath(username, "password"), "", admin.PasswordRequest{Password: password}, nil)
}

// Audit returns a page of the audit trail, newest first.
func (a *Admin) Audit(ctx context.Context, q operator.AuditQuery) (*operator.List[*operator.AuditEntry], error) {
	v := pageValues(q.Page)
	setValue(v, "actor", q.Actor)
	setValue(v, "object", q.Object)
	setValue(v, "enterprise", q.Enterprise)
	if !q.Since.IsZero() {
		v.Set("since", q.Since.Format(time.RFC3339Nano))
	}
	var l operator.List[*operator.AuditEntry]
	if err := a.send(ctx, http.MethodGet, admin.Prefix+"audit"+encode(v), "", nil, &l); err != nil {
		return nil, err
	}
	return &l, nil
}

// pageValues are the query parameters of a list's page.
func pageValues(p operator.Page) url.Values {
	v := url.Values{}
	if p.Limit > 0 {
		v.Set("limit", strconv.Itoa(p.Limit))
	}
	setValue(v, "cursor", p.Cursor)
	if p.Count {
		v.Set("count", "1")
	}
	return v
}

// setValue sets a query parameter unless value is empty.
func setValue(v url.Values, name, value string) {
	if value != "" {
		v.Set(name, value)
	}
}

// encode is the query string of v, with its "?", or "" when v is empty.
func encode(v url.Values) string {
	if len(v) == 0 {
		return ""
	}
	return "?" + v.Encode()
}

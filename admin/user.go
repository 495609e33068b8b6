package admin

import (
	"context"
	"net/http"
	"net/url"

	"github.com/opencube/opencube"
	"github.com/opencube/opencube/operator"
)

// Users is the service behind the user, token and audit routes.
type Users interface {
	// CreateUser adds a user with its first API token, whose secret it
	// returns.
	CreateUser(ctx context.Context, u *operator.User, password string) (string, *operator.Token, error)
	// CreateToken makes another token of a user and returns its secret.
	CreateToken(ctx context.Context, username, name string) (string, *operator.Token, error)
	// FindUser returns a user; KindNotFound when unknown.
	FindUser(ctx context.Context, username string) (*operator.User, error)
	// ListUsers returns the users q selects.
	ListUsers(ctx context.Context, q operator.UserQuery) (*operator.List[*operator.User], error)
	// FindTokens returns a user's tokens, newest first.
	FindTokens(ctx context.Context, username string) ([]*operator.Token, error)
	// RevokeToken revokes a user's token.
	RevokeToken(ctx context.Context, username, id string) error
	// SetUser disables or enables a user (disabled not nil) and sets its
	// password (when not empty).
	SetUser(ctx context.Context, username string, disabled *bool, password string) (*operator.User, error)
	// ListAudit returns the audit entries q selects.
	ListAudit(ctx context.Context, q operator.AuditQuery) (*operator.List[*operator.AuditEntry], error)
}

// UserRequest is the body of POST /admin/v1/users. An enterprise user
// creates users of its own enterprise only, with the enterprise role.
type UserRequest struct {
	Username string        `json:"username"`
	Role     operator.Role `json:"role"`
	// Enterprise is the access code of an enterprise user's enterprise.
	Enterprise string `json:"enterprise,omitempty"`
	// Password is the console password, at least 8 characters; none: the
	// user signs in with tokens only.
	Password string `json:"password,omitempty"`
}

// NewUser is the answer to a user's creation: the user and its first API
// token, whose secret is shown this once.
type NewUser struct {
	operator.User
	Token   string `json:"token"`
	TokenID string `json:"token_id"`
}

// User is a user with its tokens (secrets never shown).
type User struct {
	operator.User
	Tokens []*operator.Token `json:"tokens"`
}

// TokenRequest is the body of POST /admin/v1/users/{username}/tokens.
type TokenRequest struct {
	Name string `json:"name,omitempty"`
}

// NewToken is a token just made, its secret shown this once.
type NewToken struct {
	operator.Token
	Secret string `json:"token"`
}

// PasswordRequest is the body of PUT /admin/v1/users/{username}/password.
type PasswordRequest struct {
	Password string `json:"password"`
}

// Me is the answer of GET /admin/v1/me: who the request's token is.
type Me struct {
	Actor      string             `json:"actor"`
	Kind       operator.ActorKind `json:"kind"`
	Role       operator.Role      `json:"role"`
	Enterprise string             `json:"enterprise,omitempty"`
	TokenID    string             `json:"token_id,omitempty"`
}

// UserPath is the path of a user, or of what it holds when sub is
// "tokens", "disable"...
func UserPath(username, sub string) string {
	p := Prefix + "users/" + url.PathEscape(username)
	if sub != "" {
		p += "/" + sub
	}
	return p
}

func (s *Server) users() (Users, error) {
	if s.Users == nil {
		return nil, &opencube.Error{Kind: KindNoRoute, Message: "this server keeps no users"}
	}
	return s.Users, nil
}

func (s *Server) me(r *http.Request) (int, any, error) {
	a := operator.ActorFrom(r.Context())
	return http.StatusOK, Me{Actor: a.Name(), Kind: a.Kind, Role: a.Role, Enterprise: a.Enterprise, TokenID: a.TokenID}, nil
}

func (s *Server) createUser(r *http.Request) (int, any, error) {
	us, err := s.users()
	if err != nil {
		return 0, nil, err
	}
	var req UserRequest
	if err := decode(r.Body, &req); err != nil {
		return 0, nil, err
	}
	if a := operator.ActorFrom(r.Context()); a.Role == operator.RoleEnterprise {
		if req.Role != operator.RoleEnterprise {
			return 0, nil, opencube.MustBe("role", "enterprise (an enterprise user creates enterprise users)")
		}
		if req.Enterprise, err = Confine(r, req.Enterprise); err != nil {
			return 0, nil, err
		}
	}
	SetAudit(r, "user:"+req.Username, req.Enterprise, "")
	u := &operator.User{Username: req.Username, Role: req.Role, Enterprise: req.Enterprise}
	secret, tok, err := us.CreateUser(r.Context(), u, req.Password)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusCreated, NewUser{User: *u, Token: secret, TokenID: tok.ID}, nil
}

func (s *Server) listUsers(r *http.Request) (int, any, error) {
	us, err := s.users()
	if err != nil {
		return 0, nil, err
	}
	p := newParams(r)
	f := operator.UserQuery{Enterprise: p.str("enterprise"), Page: p.page()}
	if err := p.done(); err != nil {
		return 0, nil, err
	}
	if f.Enterprise, err = Confine(r, f.Enterprise); err != nil {
		return 0, nil, err
	}
	l, err := us.ListUsers(r.Context(), f)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, l, nil
}

func (s *Server) findUser(r *http.Request) (int, any, error) {
	us, err := s.users()
	if err != nil {
		return 0, nil, err
	}
	u, err := us.FindUser(r.Context(), r.PathValue("username"))
	if err != nil {
		return 0, nil, err
	}
	tokens, err := us.FindTokens(r.Context(), u.Username)
	if err != nil {
		return 0, nil, err
	}
	if tokens == nil {
		tokens = []*operator.Token{}
	}
	return http.StatusOK, User{User: *u, Tokens: tokens}, nil
}

func (s *Server) createToken(r *http.Request) (int, any, error) {
	us, err := s.users()
	if err != nil {
		return 0, nil, err
	}
	var req TokenRequest
	if err := decode(r.Body, &req); err != nil {
		return 0, nil, err
	}
	secret, tok, err := us.CreateToken(r.Context(), r.PathValue("username"), req.Name)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusCreated, NewToken{Token: *tok, Secret: secret}, nil
}

func (s *Server) revokeToken(r *http.Request) (int, any, error) {
	us, err := s.users()
	if err != nil {
		return 0, nil, err
	}
	if err := us.RevokeToken(r.Context(), r.PathValue("username"), r.PathValue("id")); err != nil {
		return 0, nil, err
	}
	return http.StatusNoContent, nil, nil
}

func (s *Server) disableUser(r *http.Request) (int, any, error) { return s.setDisabled(r, true) }

func (s *Server) enableUser(r *http.Request) (int, any, error) { return s.setDisabled(r, false) }

func (s *Server) setDisabled(r *http.Request, disabled bool) (int, any, error) {
	us, err := s.users()
	if err != nil {
		return 0, nil, err
	}
	name := r.PathValue("username")
	if a := operator.ActorFrom(r.Context()); disabled && a.Username == name {
		return 0, nil, opencube.Invalid("username", "a user does not disable itself")
	}
	u, err := us.SetUser(r.Context(), name, &disabled, "")
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, u, nil
}

func (s *Server) setPassword(r *http.Request) (int, any, error) {
	us, err := s.users()
	if err != nil {
		return 0, nil, err
	}
	var req PasswordRequest
	if err := decode(r.Body, &req); err != nil {
		return 0, nil, err
	}
	if req.Password == "" {
		return 0, nil, opencube.Invalid("password", "password is required")
	}
	if _, err := us.SetUser(r.Context(), r.PathValue("username"), nil, req.Password); err != nil {
		return 0, nil, err
	}
	return http.StatusNoContent, nil, nil
}

func (s *Server) listAudit(r *http.Request) (int, any, error) {
	us, err := s.users()
	if err != nil {
		return 0, nil, err
	}
	p := newParams(r)
	f := operator.AuditQuery{Actor: p.str("actor"), Object: p.str("object"), Since: p.time("since"), Enterprise: p.str("enterprise"), Page: p.page()}
	if err := p.done(); err != nil {
		return 0, nil, err
	}
	if f.Enterprise, err = Confine(r, f.Enterprise); err != nil {
		return 0, nil, err
	}
	l, err := us.ListAudit(r.Context(), f)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, l, nil
}

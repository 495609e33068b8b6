package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/opencube/opencube"
	"github.com/opencube/opencube/admin"
	"github.com/opencube/opencube/operator"
	"github.com/opencube/opencube/service"
)

// readPassword returns the password of a user command: --password, or the
// first line of standard input with --password-stdin.
func (c *adminCLI) readPassword(flagValue string, fromStdin bool) (string, error) {
	if !fromStdin {
		return flagValue, nil
	}
	line, err := bufio.NewReader(c.stdin).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", err
	}
	return strings.TrimRight(line, "\r\n"), nil
}

func (c *adminCLI) userCreate(args []string) error {
	fs := c.flags("user create")
	var req admin.UserRequest
	fs.StringVar(&req.Username, "username", "", "the user's name (letters, digits, . - _ @)")
	fs.StringVar((*string)(&req.Role), "role", "", "operator, support or enterprise")
	fs.StringVar(&req.Enterprise, "enterprise", "", "an enterprise user's access code")
	password := fs.String("password", "", "its console password (8 characters or more); prefer --password-stdin")
	stdin := fs.Bool("password-stdin", false, "read the password from the first line of standard input")
	db := fs.String("db", "", "create the user in this database (SQLite path or postgres:// URL) directly, without a server")
	keyFile := fs.String(keyFileFlag, "", "with --db: "+keyFileUsage)
	if err := parse(fs, args, 0, "username", "role"); err != nil {
		return err
	}
	var err error
	if req.Password, err = c.readPassword(*password, *stdin); err != nil {
		return err
	}
	var u *admin.NewUser
	if *db != "" {
		u, err = createUserInDB(c.ctx, *db, *keyFile, req)
	} else {
		u, err = c.admin.CreateUser(c.ctx, req)
	}
	if err != nil {
		return err
	}
	return c.print(u, "created %s user %s%s\ntoken (shown once): %s", u.Role, u.Username, parens(u.Enterprise), u.Token)
}

// createUserInDB creates a user in a database directly: how the first
// operator comes to be without a server.
func createUserInDB(ctx context.Context, dsn, keyFile string, req admin.UserRequest) (*admin.NewUser, error) {
	store, err := openToolStore(ctx, dsn, dbOptions{}, keyFile)
	if err != nil {
		return nil, err
	}
	defer store.Close()
	access := &service.Access{Store: store, Clock: opencube.SystemClock}
	u := &operator.User{Username: req.Username, Role: req.Role, Enterprise: req.Enterprise}
	secret, tok, err := access.CreateUser(ctx, u, req.Password)
	if err != nil {
		return nil, err
	}
	return &admin.NewUser{User: *u, Token: secret, TokenID: tok.ID}, nil
}

func (c *adminCLI) userList(args []string) error {
	fs := c.flags("user list")
	ent := fs.String("access-code", "", "only this enterprise's users")
	limit, cursor := pageFlags(fs)
	if err := parse(fs, args, 0); err != nil {
		return err
	}
	l, err := c.admin.ListUsers(c.ctx, operator.UserQuery{Enterprise: *ent, Page: operator.Page{Limit: *limit, Cursor: *cursor}})
	if err != nil {
		return err
	}
	return table(c, l, "no users", "USERNAME\tROLE\tENTERPRISE\tDISABLED\tCREATED", func(u *operator.User) string {
		return fmt.Sprintf("%s\t%s\t%s\t%s\t%s", u.Username, u.Role, dash(u.Enterprise), yesNo(u.Disabled), when(u.CreatedAt))
	})
}

func (c *adminCLI) userShow(args []string) error {
	fs := c.flags("user show")
	if err := parse(fs, args, 1); err != nil {
		return err
	}
	u, err := c.admin.User(c.ctx, fs.Arg(0))
	if err != nil {
		return err
	}
	if c.structured() {
		return c.print(u, "")
	}
	fmt.Fprintf(c.stdout, "user %s: %s%s, %s, created %s\n", u.Username, u.Role, parens(u.Enterprise),
		map[bool]string{true: "disabled", false: "enabled"}[u.Disabled], when(u.CreatedAt))
	return table(c, &operator.List[*operator.Token]{Items: u.Tokens}, "no tokens", "TOKEN\tNAME\tCREATED\tLAST USED\tREVOKED",
		func(t *operator.Token) string {
			return fmt.Sprintf("%s\t%s\t%s\t%s\t%s", t.ID, dash(t.Name), when(t.CreatedAt), whenp(t.LastUsedAt), whenp(t.RevokedAt))
		})
}

func (c *adminCLI) userToken(args []string) error {
	fs := c.flags("user token")
	name := fs.String("name", "", "a name for the new token (what uses it)")
	revoke := fs.String("revoke", "", "revoke this token instead of making one")
	if err := parse(fs, args, 1); err != nil {
		return err
	}
	if *revoke != "" {
		if err := c.admin.RevokeToken(c.ctx, fs.Arg(0), *revoke); err != nil {
			return err
		}
		return c.print(map[string]string{"revoked": *revoke}, "revoked token %s of %s", *revoke, fs.Arg(0))
	}
	t, err := c.admin.CreateToken(c.ctx, fs.Arg(0), *name)
	if err != nil {
		return err
	}
	return c.print(t, "token %s of %s (shown once): %s", t.ID, t.Username, t.Secret)
}

func (c *adminCLI) userDisable(args []string) error {
	return c.userSetDisabled("user disable", args, true)
}

func (c *adminCLI) userEnable(args []string) error {
	return c.userSetDisabled("user enable", args, false)
}

func (c *adminCLI) userSetDisabled(name string, args []string, disabled bool) error {
	fs := c.flags(name)
	if err := parse(fs, args, 1); err != nil {
		return err
	}
	u, err := c.admin.DisableUser(c.ctx, fs.Arg(0), disabled)
	if err != nil {
		return err
	}
	return c.print(u, "user %s %sd", u.Username, strings.TrimPrefix(name, "user "))
}

func (c *adminCLI) userPassword(args []string) error {
	fs := c.flags("user password")
	password := fs.String("password", "", "the new password (8 characters or more); prefer --password-stdin")
	stdin := fs.Bool("password-stdin", false, "read the password from the first line of standard input")
	if err := parse(fs, args, 1); err != nil {
		return err
	}
	p, err := c.readPassword(*password, *stdin)
	if err != nil {
		return err
	}
	if p == "" {
		return badUsage(fs, errors.New("--password or --password-stdin is required"))
	}
	if err := c.admin.SetPassword(c.ctx, fs.Arg(0), p); err != nil {
		return err
	}
	return c.print(map[string]string{"username": fs.Arg(0)}, "password of %s set", fs.Arg(0))
}

func (c *adminCLI) auditList(args []string) error {
	fs := c.flags("audit list")
	var q operator.AuditQuery
	fs.StringVar(&q.Actor, "actor", "", "only this user's changes (bootstrap: the --admin-token's)")
	fs.StringVar(&q.Object, "object", "", "only changes of this object (sim:ICCID, plan:CODE...) or kind (sim)")
	fs.StringVar(&q.Enterprise, "access-code", "", "only changes of this enterprise's objects")
	since := fs.String("since", "", "only changes at or after this RFC 3339 time")
	limit, cursor := pageFlags(fs)
	if err := parse(fs, args, 0); err != nil {
		return err
	}
	q.Page = operator.Page{Limit: *limit, Cursor: *cursor}
	if *since != "" {
		t, err := time.Parse(time.RFC3339Nano, *since)
		if err != nil {
			return badUsage(fs, fmt.Errorf("--since %q is not an RFC 3339 time", *since))
		}
		q.Since = t
	}
	l, err := c.admin.Audit(c.ctx, q)
	if err != nil {
		return err
	}
	return table(c, l, "no audit entries match", "AT\tACTOR\tROUTE\tOBJECT\tSUMMARY", func(e *operator.AuditEntry) string {
		return fmt.Sprintf("%s\t%s\t%s\t%s\t%s", when(e.At), e.Actor, e.Route, e.Object, shorten(e.Summary, 60))
	})
}

// shorten cuts s to n characters, marking the cut.
func shorten(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}

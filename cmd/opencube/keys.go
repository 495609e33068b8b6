package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/opencube/opencube/seal"
	"github.com/opencube/opencube/service"
)

// masterKeyEnv holds master keys themselves (one a line, or comma-separated),
// for where a file is not at hand; --master-key-file wins.
const masterKeyEnv = "OPENCUBE_MASTER_KEY"

// givenMasters returns the master keys given to a command: the file (from
// --master-key-file or OPENCUBE_MASTER_KEY_FILE), else OPENCUBE_MASTER_KEY;
// none is not an error (ok false).
func givenMasters(file string) (m seal.Masters, ok bool, err error) {
	if file == "" {
		file = os.Getenv(envName(keyFileFlag)) // the admin commands' flags read no variables
	}
	if file != "" {
		keys, err := seal.ReadKeyFile(file)
		if err != nil {
			return seal.Masters{}, false, err
		}
		return seal.Masters{Keys: keys}, true, nil
	}
	if v, set := os.LookupEnv(masterKeyEnv); set && strings.TrimSpace(v) != "" {
		keys, err := seal.ParseKeys(strings.ReplaceAll(v, ",", "\n"))
		if err != nil {
			return seal.Masters{}, false, fmt.Errorf("%s: %w", masterKeyEnv, err)
		}
		return seal.Masters{Keys: keys}, true, nil
	}
	return seal.Masters{}, false, nil
}

// serverMasters returns the master keys of `opencube serve`: those given;
// without any, the published demo key on a --demo server (demo true), and
// an error saying how to make a key on any other.
func serverMasters(file string, demoServer bool) (m seal.Masters, demo bool, err error) {
	m, ok, err := givenMasters(file)
	switch {
	case err != nil:
		return m, false, err
	case ok:
		return m, false, nil
	case demoServer:
		return seal.Demo(), true, nil
	}
	return m, false, errNoMasterKey
}

// errNoMasterKey is the refusal of a server or a tool given no master key.
var errNoMasterKey = errors.New("no master key: the secrets of the database are sealed under a master key that only you hold.\n" +
	"Make one with `opencube keygen > /etc/opencube/master.key` (keep it safe, and out of the database's backups),\n" +
	"then give it with --master-key-file /etc/opencube/master.key or OPENCUBE_MASTER_KEY; see docs/secrets.md.\n" +
	"(`opencube serve --demo` uses the published demo key: never in production.)")

// toolMasters returns the master keys of a tool that opens a database
// (migrate, usage import, admin user create --db, admin keys rotate --db):
// those given, else the published demo key, which opens only a database a
// --demo server made and never makes one.
func toolMasters(file string) (seal.Masters, bool, error) {
	m, ok, err := givenMasters(file)
	if err != nil || ok {
		return m, false, err
	}
	return seal.Masters{Keys: []seal.Key{seal.DemoKey}, OpenOnly: true}, true, nil
}

// openToolStore opens a database for a tool: with the master keys given,
// or, without any, a demonstration database with the demo key.
func openToolStore(ctx context.Context, dsn string, o dbOptions, keyFile string) (service.Store, error) {
	m, fallback, err := toolMasters(keyFile)
	if err != nil {
		return nil, err
	}
	store, err := openStore(ctx, dsn, o, m)
	if fallback && (errors.Is(err, seal.ErrNoMasterKey) || errors.Is(err, seal.ErrWrongMasterKey)) {
		return nil, errNoMasterKey
	}
	if err != nil {
		return nil, fmt.Errorf("open database %s: %w", redact(dsn), err)
	}
	return store, nil
}

// keyFileFlag is the --master-key-file flag of the commands that open a
// database.
const keyFileFlag = "master-key-file"

// keyFileUsage is its help.
const keyFileUsage = "file of master keys, one a line (the first seals, the others only open); without it OPENCUBE_MASTER_KEY holds them (`opencube keygen` makes one)"

// runKeygen prints a new master key.
func runKeygen(args []string, stdout io.Writer) error {
	fs := newFlagSet("opencube keygen", os.Stderr)
	if err := parseArgs(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError{cmd: "keygen", err: fmt.Errorf("unexpected argument %q", fs.Arg(0))}
	}
	k, err := seal.NewKey()
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, k.String())
	return nil
}

const keygenHelp = `Usage: opencube keygen

Prints a new master key: the standard Base64 of 32 random bytes. The server
seals the secrets it stores (enterprise secrets, webhook secrets, Cube v4
notification keys, SIM authentication data) under a data key, itself
sealed under this key; give it with --master-key-file or
OPENCUBE_MASTER_KEY. A key file holds one or more keys, one a line: the
first seals, the others only open (rotation, docs/secrets.md). Lose the key
and the secrets are lost with it.

Example:
  opencube keygen > /etc/opencube/master.key
`

// keysRotate runs `opencube admin keys rotate`: through the server, or on
// the database with --db.
func (c *adminCLI) keysRotate(args []string) error {
	fs := c.flags("keys rotate")
	db := fs.String("db", "", "rotate on this database (SQLite path or postgres:// URL) directly, with the keys of --master-key-file")
	keyFile := fs.String(keyFileFlag, "", "with --db: "+keyFileUsage)
	if err := parse(fs, args, 0); err != nil {
		return err
	}
	var (
		r   *seal.Rotation
		err error
	)
	if *db != "" {
		r, err = rotateInDB(c.ctx, *db, *keyFile)
	} else {
		r, err = c.admin.RotateMasterKeys(c.ctx)
	}
	if err != nil {
		return err
	}
	return c.print(r, "data keys sealed under master key %s (%d)%s%s", r.Master, r.DataKeys,
		listed("; still sealed under", r.Kept), listed("; dropped the sealings under", r.Dropped))
}

// listed is ", label a, b" for a non-empty list.
func listed(label string, l []string) string {
	if len(l) == 0 {
		return ""
	}
	return label + " " + strings.Join(l, ", ")
}

// rotateInDB rotates the master keys of a database directly.
func rotateInDB(ctx context.Context, dsn, keyFile string) (*seal.Rotation, error) {
	m, ok, err := givenMasters(keyFile)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, errNoMasterKey
	}
	m.OpenOnly = true
	store, err := openStore(ctx, dsn, dbOptions{}, m)
	if err != nil {
		return nil, fmt.Errorf("open database %s: %w", redact(dsn), err)
	}
	defer store.Close()
	return store.RotateMasterKeys(ctx)
}

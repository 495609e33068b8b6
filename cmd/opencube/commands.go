package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"slices"
	"strings"
	"syscall"
)

// Version is the opencube release, set at build time with
// -ldflags "-X main.Version=...".
var Version = "dev"

// exitCoder is an error that chooses the process exit code.
type exitCoder interface{ ExitCode() int }

// exitCode is the process exit code of a command's error: 0 for none, the
// error's own (exitCoder) when it has one, else 1.
func exitCode(err error) int {
	var ec exitCoder
	switch {
	case err == nil:
		return 0
	case errors.As(err, &ec):
		return ec.ExitCode()
	}
	return 1
}

// command is one `opencube COMMAND`.
type command struct {
	name     string
	synopsis string // the command line, for the overview
	summary  string // what it does, for the overview
	// help is the command's help: what it does, its arguments and
	// examples; its flags follow it (flagHelp).
	help string
	run  func(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error
}

// commands is the table of opencube's commands, in the overview's order:
// every command, in one place. (The admin commands are their own table,
// adminCommands.)
var commands = []command{
	{name: "serve", synopsis: "serve [flags]", summary: "run the server: CSSS, Mall, eSIM QR Mall, admin API, RADIUS, SMS",
		help: serveHelp, run: runServe},
	{name: "migrate", synopsis: "migrate [--db PATH|URL] [--master-key-file FILE]", summary: "create or upgrade a database's schema and seal its clear secrets, without serving",
		help: migrateHelp, run: func(ctx context.Context, args []string, _ io.Reader, stdout, _ io.Writer) error {
			return runMigrate(ctx, args, stdout)
		}},
	{name: "gen", synopsis: "gen [--db PATH|URL] --sims N --usage-rows M", summary: "build the benchmark data set (a million SIMs in minutes) in a new database",
		help: genHelp, run: func(ctx context.Context, args []string, _ io.Reader, stdout, _ io.Writer) error {
			return runGen(ctx, args, stdout)
		}},
	{name: "keygen", synopsis: "keygen", summary: "print a new master key (sealing the stored secrets)",
		help: keygenHelp, run: func(_ context.Context, args []string, _ io.Reader, stdout, _ io.Writer) error {
			return runKeygen(args, stdout)
		}},
	{name: "backup", synopsis: "backup [--db PATH] --out FILE", summary: "copy a SQLite database consistently while the server runs (PostgreSQL: pg_dump)",
		help: backupHelp, run: func(ctx context.Context, args []string, _ io.Reader, stdout, _ io.Writer) error {
			return runBackup(ctx, args, stdout)
		}},
	{name: "restore", synopsis: "restore --from FILE [--db PATH] [--force]", summary: "restore a SQLite database from a backup, after checking it",
		help: restoreHelp, run: func(ctx context.Context, args []string, _ io.Reader, stdout, _ io.Writer) error {
			return runRestore(ctx, args, stdout)
		}},
	{name: "call", synopsis: "call [--mall|--esim] PATH key=value key:=json ...", summary: "sign a request (CSSS, Mall or eSIM QR Mall), send it and print the answer",
		help: callHelp, run: func(ctx context.Context, args []string, _ io.Reader, stdout, stderr io.Writer) error {
			return runCall(ctx, args, stdout, stderr)
		}},
	{name: "sign", synopsis: "sign [--mall] [--secret S] < body.json", summary: "print the canonical string and the sign of a request body",
		help: signHelp, run: func(_ context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
			return runSign(args, stdin, stdout, stderr)
		}},
	{name: "admin", synopsis: "admin [--admin-token T] GROUP VERB ...", summary: "operator work through the admin API ('opencube admin --help' lists it)",
		run: runAdmin},
	{name: "usage", synopsis: "usage import [--db PATH|URL] FILE", summary: "book usage records from CSV (idempotent by record id)",
		help: usageHelp, run: func(ctx context.Context, args []string, _ io.Reader, stdout, stderr io.Writer) error {
			return runUsage(ctx, args, stdout, stderr)
		}},
	{name: "simulate", synopsis: "simulate --server HOST:PORT --secret S [--sims N --rate R --duration D]", summary: "play RADIUS sessions as a NAS, answering Disconnect-Requests",
		help: simulateHelp, run: func(ctx context.Context, args []string, _ io.Reader, stdout, stderr io.Writer) error {
			return runSimulate(ctx, args, stdout, stderr)
		}},
	{name: "man", synopsis: "man", summary: "print the manual page opencube(1): the overview and every command's help",
		help: manHelp}, // dispatch runs it: it reads this table
	{name: "version", synopsis: "version", summary: "print the version",
		help: "Usage: opencube version\n\nPrints the version of this binary (opencube --version does too).\n",
		run: func(_ context.Context, args []string, _ io.Reader, stdout, _ io.Writer) error {
			if len(args) > 0 {
				return usageError{cmd: "version", err: fmt.Errorf("unexpected argument %q", args[0])}
			}
			fmt.Fprintln(stdout, "opencube", version())
			return nil
		}},
	{name: "help", synopsis: "help [COMMAND ...]", summary: "show this overview, or a command's help (same as COMMAND --help)",
		help: "Usage: opencube help [COMMAND [GROUP VERB]]\n\nShows the overview, or the help of a command: 'opencube help call',\n'opencube help admin sims import'.\n"},
}

// findCommand returns the command named name.
func findCommand(name string) *command {
	for i := range commands {
		if commands[i].name == name {
			return &commands[i]
		}
	}
	return nil
}

// overview writes the list of commands.
func overview(w io.Writer) {
	fmt.Fprint(w, "opencube: an open-source IoT connectivity management platform\n\nUsage:\n")
	for _, c := range commands {
		fmt.Fprintf(w, "  opencube %s\n        %s\n", c.synopsis, c.summary)
	}
	fmt.Fprint(w, `
Start here:
  opencube serve --demo --admin-token T          a sandbox with the demo data on 127.0.0.1:8080
  opencube call package/queryPackage             what the demo enterprise P000270 may order
  opencube admin --admin-token T clock show      the sandbox clock

Run 'opencube COMMAND --help' (or 'opencube help COMMAND') for a command's syntax,
flags and examples. Flags also read OPENCUBE_ and their name in capitals
(--admin-token: OPENCUBE_ADMIN_TOKEN; the server address of the clients: OPENCUBE_URL).
`)
}

// run dispatches a command line; stdout and stderr are the process's.
func run(ctx context.Context, args []string) error {
	return dispatch(ctx, args, os.Stdin, os.Stdout, os.Stderr)
}

// dispatch runs one command line. A command that was asked for its help
// (helpRequest) gets it printed on stdout, and succeeds.
func dispatch(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		overview(stderr)
		return usageError{err: errors.New("no command given")}
	}
	name, rest := args[0], args[1:]
	if isHelpFlag(name) || (name == "help" && len(rest) == 0) {
		overview(stdout)
		return nil
	}
	if name == "help" && isHelpFlag(rest[0]) {
		fmt.Fprint(stdout, findCommand("help").help)
		return nil
	}
	if name == "help" {
		return dispatch(ctx, append(slices.Clone(rest), "--help"), stdin, stdout, stderr)
	}
	if name == "--version" && len(rest) == 0 {
		name = "version"
	}
	if name == "man" && len(rest) == 0 {
		return writeMan(ctx, stdout)
	}
	c := findCommand(name)
	if c == nil {
		overview(stderr)
		return usageError{err: fmt.Errorf("unknown command %q", name)}
	}
	if c.help != "" && len(rest) > 0 && isHelpFlag(rest[0]) && !c.hasFlags() {
		fmt.Fprint(stdout, c.help)
		return nil
	}
	if c.run == nil { // man with arguments
		return usageError{cmd: name, err: fmt.Errorf("unexpected argument %q", rest[0])}
	}
	err := c.run(ctx, rest, stdin, stdout, stderr)
	var h helpRequest
	if errors.As(err, &h) {
		h.print(stdout)
		return nil
	}
	return err
}

// hasFlags reports whether the command parses flags, whose parsing then
// answers --help with the flags listed.
func (c *command) hasFlags() bool { return c.name != "version" && c.name != "man" }

// runServe is `opencube serve`: it runs until ctx ends.
func runServe(ctx context.Context, args []string, _ io.Reader, _, stderr io.Writer) error {
	m := NewMain()
	m.Stderr = stderr
	if err := m.ParseFlags(args); err != nil {
		return err
	}
	// SIGHUP reloads the TLS certificate and key (ReloadTLS).
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	if err := m.Run(ctx); err != nil {
		m.Close()
		return err
	}
	for {
		select {
		case <-ctx.Done():
			return m.Close()
		case <-hup:
			m.ReloadTLS()
		}
	}
}

func version() string {
	if Version != "dev" {
		return Version
	}
	if info, ok := debug.ReadBuildInfo(); ok && info.Main.Version != "" && info.Main.Version != "(devel)" {
		return info.Main.Version
	}
	return Version
}

// isHelpFlag reports whether arg asks for help.
func isHelpFlag(arg string) bool {
	switch arg {
	case "-h", "-help", "--help":
		return true
	}
	return false
}

// helpRequest is the error of a command line that asked for help (-h,
// --help): dispatch prints the help on stdout and succeeds.
type helpRequest struct{ print func(w io.Writer) }

func (helpRequest) Error() string { return "help requested" }

// usageError is a command line that is not understood: exit code 2.
type usageError struct {
	cmd string // the command, for the hint; empty for opencube itself
	err error
}

func (e usageError) Error() string {
	if e.cmd == "" {
		return e.err.Error() + " (see 'opencube --help')"
	}
	return fmt.Sprintf("%s: %v (see 'opencube %s --help')", e.cmd, e.err, e.cmd)
}

func (e usageError) Unwrap() error { return e.err }
func (e usageError) ExitCode() int { return 2 }

// newFlagSet returns a flag set whose flags, after defining, can take their
// defaults from OPENCUBE_* variables (see parseWithEnv). Its usage is the
// command's help (flagHelp); name is "opencube COMMAND".
func newFlagSet(name string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	help := flagSetHelp[name]
	fs.Usage = func() { flagHelp(fs.Output(), help, fs) }
	return fs
}

// flagSetHelp are the help texts of the commands' flag sets, by name.
var flagSetHelp = map[string]string{
	"opencube serve": serveHelp, "opencube migrate": migrateHelp, "opencube keygen": keygenHelp, "opencube call": callHelp,
	"opencube sign": signHelp, "opencube usage import": usageHelp, "opencube simulate": simulateHelp,
	"opencube backup": backupHelp, "opencube restore": restoreHelp, "opencube gen": genHelp,
}

// flagHelp writes a command's help and its flags.
func flagHelp(w io.Writer, help string, fs *flag.FlagSet) {
	if help == "" {
		help = "Usage: " + fs.Name() + " [flags]\n"
	}
	fmt.Fprint(w, help)
	n := 0
	fs.VisitAll(func(*flag.Flag) { n++ })
	if n == 0 {
		return
	}
	fmt.Fprint(w, "\nFlags:\n")
	out := fs.Output()
	fs.SetOutput(w)
	fs.PrintDefaults()
	fs.SetOutput(out)
}

// envName is the environment variable of a flag: OPENCUBE_ and the flag's
// name in upper case with dashes as underscores.
func envName(flagName string) string {
	return "OPENCUBE_" + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}

// parseWithEnv applies OPENCUBE_* variables to fs's flags, then parses args
// (flags on the command line win). With names, only those flags read the
// environment; without, every flag does.
func parseWithEnv(fs *flag.FlagSet, args []string, names ...string) error {
	var err error
	fs.VisitAll(func(f *flag.Flag) {
		if len(names) > 0 && !slices.Contains(names, f.Name) {
			return
		}
		if v, ok := os.LookupEnv(envName(f.Name)); ok && err == nil {
			if e := fs.Set(f.Name, v); e != nil {
				err = fmt.Errorf("%s: %w", envName(f.Name), e)
			}
		}
	})
	if err != nil {
		return err
	}
	return parseCommandLine(fs, args, fs.Name() != "opencube admin")
}

// parseArgs parses a command line whose flags may come before, among or
// after its arguments: -h or --help is a helpRequest printing fs's usage, and a flag that
// is not understood a usageError, after the usage line on fs's output.
func parseArgs(fs *flag.FlagSet, args []string) error {
	return parseCommandLine(fs, args, true)
}

// parseCommandLine is parseArgs. With interleaved, flags may also follow
// the arguments (opencube call PATH k=v --get data.x), up to a "--"; without, the arguments after the
// flags are left as they are (they are a command of their own, as the
// admin commands are).
func parseCommandLine(fs *flag.FlagSet, args []string, interleaved bool) error {
	if interleaved {
		args = flagsFirst(fs, args)
	}
	out := fs.Output()
	fs.SetOutput(io.Discard) // the flag package's own messages: ours follow
	err := fs.Parse(args)
	fs.SetOutput(out)
	switch {
	case errors.Is(err, flag.ErrHelp):
		return helpRequest{print: func(w io.Writer) {
			fs.SetOutput(w)
			fs.Usage()
			fs.SetOutput(out)
		}}
	case err != nil:
		return badUsage(fs, err)
	}
	return nil
}

// flagsFirst moves the flags among args before the other arguments, which
// follow a "--" (so that an argument beginning with a dash after it stays
// an argument). A flag's value is the next argument unless it is a boolean
// flag or has its value after "=".
func flagsFirst(fs *flag.FlagSet, args []string) []string {
	var flags, rest []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			rest = append(rest, args[i+1:]...)
			break
		}
		if len(a) < 2 || a[0] != '-' {
			rest = append(rest, a)
			continue
		}
		flags = append(flags, a)
		name, _, hasValue := strings.Cut(strings.TrimLeft(a, "-"), "=")
		f := fs.Lookup(name)
		if hasValue || f == nil || i+1 == len(args) {
			continue
		}
		if b, ok := f.Value.(interface{ IsBoolFlag() bool }); ok && b.IsBoolFlag() {
			continue
		}
		i++
		flags = append(flags, args[i])
	}
	return append(append(flags, "--"), rest...)
}

// badUsage writes the usage line of fs's command on its output and returns
// err as a usageError.
func badUsage(fs *flag.FlagSet, err error) error {
	out := fs.Output()
	var buf strings.Builder
	fs.SetOutput(&buf)
	fs.Usage()
	fs.SetOutput(out)
	line, _, _ := strings.Cut(buf.String(), "\n")
	fmt.Fprintln(out, line)
	return usageError{cmd: strings.TrimPrefix(fs.Name(), "opencube "), err: err}
}

// The commands' help texts: syntax, what the command does, examples.
const (
	serveHelp = `Usage: opencube serve [flags]

Runs the server on one address: the CSSS API, the Mall (/vshop, /payment,
/topup), the eSIM QR Mall (/fms), the admin API (/admin/v1/, with
--admin-token), /openapi.json and /healthz; with their flags, the RADIUS
listeners and the SMS gateway. It runs until interrupted.

With --tls-cert and --tls-key it speaks HTTPS (TLS 1.2 and 1.3, HTTP/2);
SIGHUP reloads the pair without dropping connections. --admin-addr moves the
admin API and the console to an address of their own. Behind a reverse
proxy, --trusted-proxies names the proxies whose X-Forwarded-For and
X-Forwarded-Proto are believed.

Every flag also reads OPENCUBE_ and its name in capitals, dashes as
underscores (--admin-token: OPENCUBE_ADMIN_TOKEN); the command line wins.

Examples:
  opencube serve --demo --admin-token T
  opencube serve --demo --admin-token T --radius-acct 127.0.0.1:1813 \
      --radius-auth 127.0.0.1:1812 --radius-secret testing123 --radius-coa-port 3799
  opencube serve --db postgres://user:pass@db:5432/opencube --addr 0.0.0.0:8080 \
      --master-key-file /etc/opencube/master.key
  opencube serve --addr 0.0.0.0:443 --tls-cert cert.pem --tls-key key.pem \
      --admin-addr 127.0.0.1:8081 --master-key-file /etc/opencube/master.key

Every server but a --demo one needs the master key that seals the stored
secrets: make one with 'opencube keygen' (docs/secrets.md).
`
	genHelp = `Usage: opencube gen [--db PATH|URL] --sims N --usage-rows M [--master-key-file FILE]

Builds the data set of the benchmarks in a new, empty database (SQLite file
or PostgreSQL), in bulk, then exits: enterprise BENCH (secret bench-secret,
sealed), plan M, N SIMs (ICCIDs 8986 and the SIM's number on 16 digits,
IMSIs 46001 and it on 10) each with an in-use order, and M rows of daily
usage from 1 March 2024, as many days for each SIM (at most 30). A million
SIMs with ten million usage rows take a few minutes. On PostgreSQL it
needs a superuser or the tables' owner (it turns triggers off while it
loads). It refuses a database that already holds enterprise BENCH. Like
migrate it needs a master key (--master-key-file or OPENCUBE_MASTER_KEY):
for a throwaway benchmark database, OPENCUBE_MASTER_KEY=$(opencube keygen).

Example:
  opencube gen --db /tmp/bench.db --sims 1000000 --usage-rows 10000000
  opencube gen --db postgres://postgres@127.0.0.1:5432/bench --sims 1000000 --usage-rows 10000000
`
	migrateHelp = `Usage: opencube migrate [--db PATH|URL] [--master-key-file FILE]

Creates the database, or upgrades its schema to this binary's, then seals
the secrets that an older version stored in clear (--seal-batch rows a
transaction: interrupted, run it again and it carries on), and exits. The
server upgrades the schema at start too; sealing is done here. It needs the
master key (--master-key-file or OPENCUBE_MASTER_KEY); without one it opens
only a database made by 'opencube serve --demo'.

Example:
  opencube migrate --db postgres://user:pass@db:5432/opencube --master-key-file /etc/opencube/master.key
`
	backupHelp = `Usage: opencube backup [--db PATH] --out FILE

Writes a consistent copy of a SQLite database to FILE (which must not
exist) while the server may be running and writing: the copy holds every
change whole or not at all, as of the moment the backup began. The copy is
checked (SQLite's integrity check, the schema version) before it is given
its name. --db also reads OPENCUBE_DB, as the server does.

For a PostgreSQL URL nothing is written: it prints the server's version and
the pg_dump command to use, and checks the pg_dump on this machine.

Examples:
  opencube backup --db /var/lib/opencube/opencube.db --out /backup/opencube-$(date +%F).db
  opencube backup --db postgres://user:pass@db:5432/opencube
`
	restoreHelp = `Usage: opencube restore --from FILE [--db PATH] [--force]

Checks that FILE is a sound opencube database (SQLite's integrity check,
the migrations table, a schema this binary knows) and copies it to the
database --db (OPENCUBE_DB). An existing database is only replaced with
--force: stop the server first. A backup from an older version is brought up
to date when the server (or opencube migrate) next opens it.

Example:
  opencube restore --from /backup/opencube-2024-01-31.db --db /var/lib/opencube/opencube.db
`
	callHelp = `Usage: opencube call [flags] PATH [key=value | key:=json ...]

Builds a request from the arguments, signs it, sends it to the server and
prints the answer, indented. The exit status is 3 when the answer's code is
not a success (it is still printed), 1 when the server cannot be reached.

Arguments:
  key=value    a string field:              device_id=89852022018041800192
  key:=json    a JSON value, sent as it is: page_no:=1  deviceList:='["a","b"]'

PATH and the fields added depend on the protocol:
  (default)    a CSSS route, such as package/queryOrder: access_code,
               timestamp (ms), version "2.0" and sign (HMAC-SHA1, base64)
  --mall       a Mall route, such as vshop/singleOrder: partnerCode,
               tradeTime (ms), version "3.0", the route's tradeType, and sign
               (HMAC-MD5, hex); /topup/order/detail is sent as a GET
  --esim       an eSIM QR Mall route, such as fms/package/detail: partnerCode;
               --token sends the x-access-token of a logged-in consumer; the
               payment webhook (fms/payment/webhook) is signed as a CSSS body
A field given on the command line wins over an added one.

The server is --url (OPENCUBE_URL, default http://127.0.0.1:8080); the
enterprise is --access-code and --secret (OPENCUBE_ACCESS_CODE,
OPENCUBE_SECRET; the demo's P000270 and opencube-demo-secret by default).

Examples:
  opencube call package/queryPackage
  opencube call --lang en-US package/queryOrder page_no:=1 page_size:=10
  opencube call flow/batchQueryDeviceFlowUsage deviceList:='["89852022018041800192"]'
  ORDER=$(opencube call --get data.package_order.0.orderId package/queryOrder page_no:=1 page_size:=1)
  opencube call --access-code QY-000001 device/queryDeviceList page_no:=1 page_size:=10
  opencube call --mall vshop/singleServicePlanPage deviceCode=89852022018041800193
  opencube call --esim fms/package/detail id:=1002
  opencube call -v package/queryPackage      # also prints the request on stderr
`
	signHelp = `Usage: opencube sign [--mall] [--secret S] < body.json

Reads a request body (a JSON object) on standard input and prints two lines:
its canonical string (the sign field left out), then its sign. Without
--mall the sign is the CSSS one (HMAC-SHA1 with the secret, base64); with
--mall the Mall's (HMAC-MD5, lowercase hex). These are the two lines the
example programs of docs/signing.md print, so their outputs can be diffed.

When the body carries a sign, standard error says whether it matches. -v
also prints the other forms the server accepts.

The secret is --secret, else OPENCUBE_SECRET, else the demo's
opencube-demo-secret.

Examples:
  echo '{"access_code":"P000270","timestamp":"1700000000","version":"2.0"}' | opencube sign
  opencube sign --secret "$SECRET" < body.json | tail -n 1        # the sign alone
  echo '{"partnerCode":"P000270","tradeTime":"1700000000000"}' | opencube sign --mall
`
	usageHelp = `Usage: opencube usage import [--db PATH|URL] FILE

Books usage records from a CSV file (- for standard input) straight into the
database: each record is a session of its own named by its id, so importing
a file again books nothing twice. The server may be running.

The CSV has a header row naming the columns, in any order:
  id            a record id, unique in the file and across imports
  imsi          the SIM's IMSI
  start, end    RFC 3339 times with their offset, such as
                2024-01-31T10:00:00+08:00 or 2024-01-31T02:00:00Z (years 2000-9999)
  input_bytes, output_bytes
                integers 0-72057594037927935

Example:
  cat > usage.csv <<'EOF'
  id,imsi,start,end,input_bytes,output_bytes
  r1,454001800000192,2024-01-31T10:00:00+08:00,2024-01-31T10:30:00+08:00,1048576,524288
  EOF
  opencube usage import --db opencube.db usage.csv
`
	simulateHelp = `Usage: opencube simulate --server HOST:PORT --secret S [flags]

Plays RADIUS accounting as a NAS would, against a server's --radius-acct:
--sims SIMs (IMSIs from --imsi-start, the demo's first SIM by default), each
in turn sending a Start, --interims Interim-Updates with growing totals and
a Stop, at --rate records a second in all. It listens for Disconnect-Requests
(RFC 5176) at --nas-ip on --coa-port, the port the server was given as
--radius-coa-port: it answers Disconnect-ACK and ends that session with an
Accounting-Stop (Disconnect-NAK for a session it does not know). When
--duration ends, or on an interrupt, it sends a Stop for every open session.

Records carry an Event-Timestamp, which usage is booked by: against a sandbox
server whose clock was moved, --admin-url and --admin-token read its time
(and follow later moves), or --time-offset adds a known offset.

Example:
  opencube simulate --server 127.0.0.1:1813 --secret testing123 --sims 10 \
      --rate 50 --duration 10s --coa-port 3799
`
)

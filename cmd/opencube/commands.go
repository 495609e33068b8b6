package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"strings"
)

// Version is the opencube release, set at build time with
// -ldflags "-X main.Version=...".
var Version = "dev"

// exitCoder is an error that chooses the process exit code.
type exitCoder interface{ ExitCode() int }

// usage lists the subcommands.
const usage = `opencube: an open-source IoT connectivity management platform

Usage:
  opencube serve   [flags]          run the server (CSSS API, admin API)
  opencube migrate [--db PATH]      create or upgrade the database schema
  opencube version                  print the version
  opencube call PATH key=value ...  sign and send a CSSS request
  opencube sign [--secret S] < body.json
                                    print the canonical string and sign of a body
  opencube admin COMMAND ...        operator work through the admin API
  opencube usage import [--db PATH] FILE
                                    book usage records from CSV (idempotent by record id)
  opencube simulate --server HOST:PORT --secret S --sims N --rate R [--duration D]
           [--admin-url URL --admin-token T | --time-offset D]
                                    play RADIUS accounting sessions against a server,
                                    stamped with a sandbox server's time

Every flag can also be set with an OPENCUBE_* environment variable
(--demo-secret is OPENCUBE_DEMO_SECRET). Run 'opencube COMMAND -h' for flags.
`

// run dispatches a command line; stdout and stderr are the process's.
func run(ctx context.Context, args []string) error {
	return dispatch(ctx, args, os.Stdin, os.Stdout, os.Stderr)
}

func dispatch(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return flag.ErrHelp
	}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "serve":
		m := NewMain()
		m.Stderr = stderr
		if err := m.ParseFlags(rest); err != nil {
			return err
		}
		if err := m.Run(ctx); err != nil {
			m.Close()
			return err
		}
		<-ctx.Done()
		return m.Close()
	case "migrate":
		return runMigrate(ctx, rest, stdout)
	case "version":
		fmt.Fprintln(stdout, "opencube", version())
		return nil
	case "call":
		return runCall(ctx, rest, stdout, stderr)
	case "sign":
		return runSign(rest, stdin, stdout)
	case "admin":
		return runAdmin(ctx, rest, stdin, stdout, stderr)
	case "usage":
		return runUsage(ctx, rest, stdout, stderr)
	case "simulate":
		return runSimulate(ctx, rest, stdout, stderr)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	fmt.Fprint(stderr, usage)
	return fmt.Errorf("unknown command %q", cmd)
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

// newFlagSet returns a flag set whose flags, after defining, can take their
// defaults from OPENCUBE_* variables (see envDefaults).
func newFlagSet(name string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	return fs
}

// envName is the environment variable of a flag: OPENCUBE_ and the flag's
// name in upper case with dashes as underscores.
func envName(flagName string) string {
	return "OPENCUBE_" + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}

// parseWithEnv applies OPENCUBE_* variables to fs's flags, then parses args
// (flags on the command line win).
func parseWithEnv(fs *flag.FlagSet, args []string) error {
	var err error
	fs.VisitAll(func(f *flag.Flag) {
		if v, ok := os.LookupEnv(envName(f.Name)); ok && err == nil {
			if e := fs.Set(f.Name, v); e != nil {
				err = fmt.Errorf("%s: %w", envName(f.Name), e)
			}
		}
	})
	if err != nil {
		return err
	}
	return fs.Parse(args)
}

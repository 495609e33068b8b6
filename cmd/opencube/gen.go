package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/opencube/opencube/gen"
)

// runGen is `opencube gen`: the benchmark data set in a new database.
func runGen(ctx context.Context, args []string, stdout io.Writer) error {
	fs := newFlagSet("opencube gen", os.Stderr)
	db := fs.String("db", "opencube.db", "database: a SQLite file path or a postgres:// URL")
	keyFile := fs.String(keyFileFlag, "", keyFileUsage)
	sims := fs.Int("sims", 0, "SIMs to make, each with an in-use order (1,000,000 for the benchmarks)")
	rows := fs.Int("usage-rows", 0, "rows of daily usage, spread evenly over the SIMs (at most 30 a SIM; 10,000,000 for the benchmarks)")
	sms := fs.Int("sms", 0, "short messages, to and from the SIMs in turn, one a second from 1 March 2024 (at most 100 a SIM)")
	deliveries := fs.Int("deliveries", 0, "webhook deliveries, one for each of the first orders, one a second from 1 March 2024; one in 10,000 pending (at most one a SIM)")
	var o dbOptions
	o.define(fs)
	if err := parseWithEnv(fs, args); err != nil {
		return err
	}
	spec := gen.Spec{SIMs: *sims, UsageRows: *rows, SMS: *sms, Deliveries: *deliveries}
	if err := spec.Check(); err != nil {
		return usageError{cmd: "gen", err: errors.New("--" + err.Error())}
	}
	store, err := openToolStore(ctx, *db, o, *keyFile)
	if err != nil {
		return err
	}
	defer store.Close()
	g, ok := store.(gen.Generator)
	if !ok {
		return fmt.Errorf("the store of %s cannot generate data", redact(*db))
	}
	start := time.Now()
	if err := g.Generate(ctx, spec); err != nil {
		return fmt.Errorf("generate in %s: %w", redact(*db), err)
	}
	fmt.Fprintf(stdout, "made %d SIMs of enterprise %s with an in-use order each, %d usage rows, %d SMS and %d deliveries in %s, in %s\n",
		spec.SIMs, gen.Enterprise, spec.UsageRows, spec.SMS, spec.Deliveries, redact(*db), time.Since(start).Round(time.Millisecond))
	return store.Close()
}

package main

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/opencube/opencube"
	"github.com/opencube/opencube/service"
)

// usageCSVColumns are the columns of `opencube usage import`, in any order
// after a header line: a record id, the SIM's IMSI, the start and end of
// the usage (RFC 3339, in years 2000-9999), and its input and output bytes
// (0 to opencube.MaxSessionBytes).
var usageCSVColumns = []string{"id", "imsi", "start", "end", "input_bytes", "output_bytes"}

// importBatch is how many records share one store transaction.
const importBatch = 1000

// runUsage implements `opencube usage import [--db PATH] FILE`.
func runUsage(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) > 0 && isHelpFlag(args[0]) {
		return helpRequest{print: func(w io.Writer) { fmt.Fprint(w, usageHelp) }}
	}
	if len(args) == 0 || args[0] != "import" {
		fmt.Fprint(stderr, usageHelp)
		return usageError{cmd: "usage", err: errors.New("unknown or missing subcommand: the one there is is import")}
	}
	fs := newFlagSet("opencube usage import", stderr)
	db := fs.String("db", "opencube.db", "database: a SQLite file path or a postgres:// URL")
	keyFile := fs.String(keyFileFlag, "", keyFileUsage)
	var o dbOptions
	o.define(fs)
	if err := parseWithEnv(fs, args[1:]); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usageError{cmd: "usage import", err: errors.New("want one FILE (- for standard input)")}
	}
	in := io.Reader(os.Stdin)
	if name := fs.Arg(0); name != "-" {
		f, err := os.Open(name)
		if err != nil {
			return err
		}
		defer f.Close()
		in = f
	}
	recs, err := ReadUsageCSV(in)
	if err != nil {
		return err
	}
	store, err := openToolStore(ctx, *db, o, *keyFile)
	if err != nil {
		return err
	}
	defer store.Close()
	n, err := ImportUsage(ctx, &service.SIMs{Store: store, Clock: opencube.SystemClock}, recs)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "imported %d records: %d bytes booked, %d records already known, %d of unknown SIMs\n", len(recs), n.bytes, n.repeats, n.unknown)
	return nil
}

// importCounts sums up an import.
type importCounts struct {
	bytes            int64
	repeats, unknown int
}

// ImportUsage books records in batches. Each record is a session of its
// own, named by its record id (NAS "import"), so importing a file again
// books nothing twice.
func ImportUsage(ctx context.Context, svc opencube.UsageService, recs []*opencube.UsageRecord) (importCounts, error) {
	var n importCounts
	for i := 0; i < len(recs); i += importBatch {
		batch := recs[i:min(i+importBatch, len(recs))]
		res, err := svc.BookUsage(ctx, batch)
		if err != nil {
			return n, fmt.Errorf("usage import: records %d-%d: %w", i+1, i+len(batch), err)
		}
		for _, r := range res {
			switch {
			case r.Unknown:
				n.unknown++
			case r.Bytes == 0:
				n.repeats++
			}
			n.bytes += r.Bytes
		}
	}
	return n, nil
}

// ReadUsageCSV reads usage records from CSV with a header naming
// usageCSVColumns.
func ReadUsageCSV(r io.Reader) ([]*opencube.UsageRecord, error) {
	cr := csv.NewReader(r)
	cr.TrimLeadingSpace = true
	header, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("usage CSV: header: %w", err)
	}
	col := map[string]int{}
	for i, h := range header {
		col[strings.ToLower(strings.TrimSpace(h))] = i
	}
	for _, c := range usageCSVColumns {
		if _, ok := col[c]; !ok {
			return nil, fmt.Errorf("usage CSV: no %q column (want %s)", c, strings.Join(usageCSVColumns, ","))
		}
	}
	var out []*opencube.UsageRecord
	seen := map[string]bool{}
	for line := 2; ; line++ {
		row, err := cr.Read()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("usage CSV: %w", err)
		}
		get := func(c string) string { return strings.TrimSpace(row[col[c]]) }
		start, err1 := time.Parse(time.RFC3339, get("start"))
		end, err2 := time.Parse(time.RFC3339, get("end"))
		in, err3 := strconv.ParseInt(get("input_bytes"), 10, 64)
		outb, err4 := strconv.ParseInt(get("output_bytes"), 10, 64)
		id, imsi := get("id"), get("imsi")
		switch {
		case id == "" || imsi == "":
			return nil, fmt.Errorf("usage CSV line %d: id and imsi are required", line)
		case seen[id]:
			return nil, fmt.Errorf("usage CSV line %d: record id %s appears twice", line, id)
		case errors.Join(err1, err2) != nil || end.Before(start):
			return nil, fmt.Errorf("usage CSV line %d: start and end must be RFC 3339 times, start not after end", line)
		case !opencube.StorableTime(start) || !opencube.StorableTime(end):
			return nil, fmt.Errorf("usage CSV line %d: start and end must lie in years %d-%d", line, opencube.MinYear, opencube.MaxYear)
		case !start.Add(end.Sub(start)).Equal(end):
			return nil, fmt.Errorf("usage CSV line %d: start and end are further apart than a session can last", line)
		case err3 != nil || err4 != nil || in < 0 || outb < 0 || in > opencube.MaxSessionBytes || outb > opencube.MaxSessionBytes:
			return nil, fmt.Errorf("usage CSV line %d: input_bytes and output_bytes must be integers %s", line, opencube.RangeText(0, opencube.MaxSessionBytes))
		}
		seen[id] = true
		rec := &opencube.UsageRecord{
			Type: opencube.AcctStop, IMSI: imsi, NAS: "import", SessionID: id,
			InputBytes: in, OutputBytes: outb, Time: end.UTC(), SessionTime: end.Sub(start),
		}
		if err := rec.Validate(); err != nil {
			return nil, fmt.Errorf("usage CSV line %d: %w", line, err)
		}
		out = append(out, rec)
	}
}

package sqlite

import (
	"context"
	"database/sql"
	"math"
)

// A deep page of a list paged by offset in time order, newest first (CSSS's
// queryOrder and querySms), starts at its place through counts of the
// list's rows in time buckets (order_time_counts, sms_time_counts;
// migration 00025), instead of skipping every index entry before it.
// A bucket is a row's time in Unix microseconds shifted right by one of
// timeShifts, widest first; each bucket holds 64 of the next width. The
// page sums the widest buckets newest first to find the one holding its
// first row, then that bucket's narrower ones, and so on, and reads from
// the end of one narrowest bucket (2^22 µs, 4.2 s), skipping only the rows
// of that bucket before its own. The counts and the rows are read in one
// read transaction, so in one snapshot: the page is the one the plain
// offset query gives.
var timeShifts = [...]int{40, 34, 28, 22}

// timeSeek is how a list finds where a deep page starts: its counts, its
// time column, and the conditions of its filter on the counts' columns.
type timeSeek struct {
	counts     string // the table of counts in time buckets
	column     string // the list's time column (Unix microseconds)
	enterprise string
	conds      string // " AND c.status = ?"..., on the counts' columns
	args       []any
}

// and adds a condition on the counts' columns with its argument.
func (s *timeSeek) and(cond string, arg any) {
	s.conds += " AND c." + cond
	s.args = append(s.args, arg)
}

// find finds, in tx, the narrowest bucket holding the list's row at
// offset: it returns the end of that bucket (the rows of the list before
// it in time, newest first) and the row's offset among the rows before that
// end. ok is false when offset is past the last row.
func (s *timeSeek) find(ctx context.Context, tx *sql.Tx, offset int) (end int64, rem int64, ok bool, err error) {
	lo, hi := int64(math.MinInt64), int64(math.MaxInt64)
	rem = int64(offset)
	var bucket int64
	for i, shift := range timeShifts {
		if i > 0 {
			width := timeShifts[i-1] - shift
			lo, hi = bucket<<width, (bucket+1)<<width-1
		}
		rows, err := tx.QueryContext(ctx, "SELECT bucket, sum(n) FROM "+s.counts+" c WHERE enterprise_code = ? AND shift = ? AND bucket BETWEEN ? AND ?"+
			s.conds+" GROUP BY bucket ORDER BY bucket DESC", append([]any{s.enterprise, shift, lo, hi}, s.args...)...)
		if err != nil {
			return 0, 0, false, err
		}
		found := false
		for rows.Next() {
			var n int64
			if err := rows.Scan(&bucket, &n); err != nil {
				rows.Close()
				return 0, 0, false, err
			}
			if rem < n {
				found = true
				break
			}
			rem -= n
		}
		err = rows.Err()
		rows.Close()
		if err != nil || !found {
			return 0, 0, false, err
		}
	}
	return (bucket + 1) << timeShifts[len(timeShifts)-1], rem, true, nil
}

package postgres

import (
	"strconv"
	"strings"
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
// statement, so in one snapshot: the page is the one the plain offset query
// gives.
var timeShifts = [...]int{40, 34, 28, 22}

// timeSeek is how a list finds where a deep page starts: its counts, its
// time column, and its filter on the counts' columns.
type timeSeek struct {
	counts     string // the table of counts in time buckets
	column     string // the list's time column (timestamptz)
	enterprise string
	conds      []string // "status", ..., on the counts' columns
	args       []any
}

// and adds a filter on a column of the counts: column = arg.
func (s *timeSeek) and(column string, arg any) {
	s.conds = append(s.conds, column)
	s.args = append(s.args, arg)
}

// with returns the WITH clause that finds the narrowest bucket holding the
// row at offset, as the last sN (bucket, rem): rem is the row's offset among the
// rows at or before that bucket's end; it is empty when offset is past the
// last row. Its arguments are added to q.
func (s *timeSeek) with(q *query, offset int) string {
	ent := q.arg(s.enterprise)
	var conds strings.Builder
	for i, c := range s.conds {
		conds.WriteString(" AND c." + c + " = " + q.arg(s.args[i]))
	}
	var b strings.Builder
	b.WriteString("WITH ")
	for i, shift := range timeShifts {
		l, sel := "l"+strconv.Itoa(i+1), "s"+strconv.Itoa(i+1)
		sh := strconv.Itoa(shift)
		if i == 0 {
			b.WriteString(l + " AS (SELECT c.bucket, sum(c.n)::bigint AS n FROM " + s.counts + " c WHERE c.enterprise_code = " + ent + " AND c.shift = " + sh +
				conds.String() + " GROUP BY c.bucket), ")
			b.WriteString(sel + " AS (SELECT bucket, rem FROM (SELECT bucket, n, " + q.arg(int64(offset)) +
				"::bigint - ((sum(n) OVER (ORDER BY bucket DESC))::bigint - n) AS rem FROM " + l + ") x WHERE rem >= 0 AND rem < n)")
			continue
		}
		prev := "(SELECT bucket FROM s" + strconv.Itoa(i) + ")"
		width := strconv.Itoa(timeShifts[i-1] - shift)
		b.WriteString(", " + l + " AS (SELECT c.bucket, sum(c.n)::bigint AS n FROM " + s.counts + " c WHERE c.enterprise_code = " + ent +
			" AND c.shift = " + sh + " AND c.bucket BETWEEN " + prev + " << " + width + " AND ((" + prev + " + 1) << " + width + ") - 1" +
			conds.String() + " GROUP BY c.bucket), ")
		b.WriteString(sel + " AS (SELECT bucket, rem FROM (SELECT bucket, n, (SELECT rem FROM s" + strconv.Itoa(i) +
			") - ((sum(n) OVER (ORDER BY bucket DESC))::bigint - n) AS rem FROM " + l + ") x WHERE rem >= 0 AND rem < n)")
	}
	return b.String()
}

// bound is the condition of the rows at or before the end of the bucket
// that with finds (none when it finds none). The end is made of whole
// seconds and microseconds, so that it is exact.
func (s *timeSeek) bound() string {
	last := len(timeShifts)
	end := "((bucket + 1) << " + strconv.Itoa(timeShifts[last-1]) + ")"
	return " AND " + s.column + " < (SELECT timestamptz 'epoch' + (" + end + " / 1000000) * interval '1 second' + (" + end +
		" % 1000000) * interval '1 microsecond' FROM s" + strconv.Itoa(last) + ")"
}

// offset is the page's offset among the rows that bound leaves.
func (s *timeSeek) offset() string {
	return "COALESCE((SELECT rem FROM s" + strconv.Itoa(len(timeShifts)) + "), 0)"
}

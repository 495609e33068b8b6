package main

import (
	"strings"
	"testing"
)

// TestReadUsageCSVBounds sends the edges of a usage CSV's times and octets
// (D26): start and end in years 2000-9999, octets 0 to 2^56-1. A line out
// of bounds fails the import with its line number, before anything is
// booked.
func TestReadUsageCSVBounds(t *testing.T) {
	const header = "id,imsi,start,end,input_bytes,output_bytes\n"
	for _, tt := range []struct {
		name, line string
		err        string // "" when the line is read
	}{
		{"from 2000-01-01", "r1,454001234567890,2000-01-01T00:00:00Z,2000-01-01T01:00:00Z,1,2", ""},
		{"until 9999-12-31 23:59:59 UTC+8", "r1,454001234567890,9999-12-31T00:00:00+08:00,9999-12-31T23:59:59+08:00,1,2", ""},
		{"start in 1999", "r1,454001234567890,1999-12-31T23:59:59Z,2000-01-01T01:00:00Z,1,2", "line 2: start and end must lie in years 2000-9999"},
		{"both in 1970", "r1,454001234567890,1970-01-01T00:00:00Z,1970-01-01T00:00:01Z,1,2", "line 2: start and end must lie in years 2000-9999"},
		{"end past 9999 in UTC+8", "r1,454001234567890,9999-12-31T00:00:00+08:00,9999-12-31T16:00:00Z,1,2", "line 2: start and end must lie in years 2000-9999"},
		{"octets 0", "r1,454001234567890,2024-01-01T00:00:00Z,2024-01-01T01:00:00Z,0,0", ""},
		{"octets 2^56-1", "r1,454001234567890,2024-01-01T00:00:00Z,2024-01-01T01:00:00Z,72057594037927935,72057594037927935", ""},
		{"input octets 2^56", "r1,454001234567890,2024-01-01T00:00:00Z,2024-01-01T01:00:00Z,72057594037927936,0", "line 2: input_bytes and output_bytes must be integers 0-72057594037927935"},
		{"output octets -1", "r1,454001234567890,2024-01-01T00:00:00Z,2024-01-01T01:00:00Z,0,-1", "line 2: input_bytes and output_bytes must be integers 0-72057594037927935"},
		{"longer than a duration", "r1,454001234567890,2000-01-01T00:00:00Z,9999-01-01T00:00:00Z,0,0", "line 2: start and end are further apart than a session can last"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			recs, err := ReadUsageCSV(strings.NewReader(header + tt.line + "\n"))
			if tt.err == "" {
				if err != nil || len(recs) != 1 {
					t.Fatalf("ReadUsageCSV = %v, %v", recs, err)
				}
				if err := recs[0].Validate(); err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Fatalf("err = %v, want %q", err, tt.err)
			}
		})
	}
}

package hlr

import (
	"strings"
	"testing"
)

// FuzzParseVTYList checks that no VTY output makes the subscriber list
// reader panic, and that what it returns has IMSIs from the table.
func FuzzParseVTYList(f *testing.F) {
	f.Add("ID     MSISDN        IMSI              IMEI              NAM\r\n" +
		"-----  ------------  ----------------  ----------------  -----\r\n" +
		"1      none          901700000000001    -------------    CSPS  \r\n" +
		"2      4915100001    901700000000002    -------------    \r\n" +
		" Subscribers Shown: 2\r\n")
	f.Add("OsmoHLR> ")
	f.Fuzz(func(t *testing.T, in string) {
		subs, err := parseVTYList(strings.NewReader(in))
		if err != nil && subs != nil {
			t.Fatalf("an error with subscribers: %v", err)
		}
		for _, s := range subs {
			if s.IMSI == "" || !strings.Contains(in, s.IMSI) {
				t.Fatalf("subscriber %+v not from the input", s)
			}
		}
	})
}

func TestParseVTYList(t *testing.T) {
	subs, err := parseVTYList(strings.NewReader("\xff\xfb\x01OsmoHLR> enable\r\nOsmoHLR# show subscribers all\r\n" +
		"ID     MSISDN        IMSI              IMEI              NAM\r\n" +
		"-----  ------------  ----------------  ----------------  -----\r\n" +
		"1      none          901700000000001    -------------    CSPS  \r\n" +
		"2      4915100001    901700000000002    -------------    PS\r\n" +
		" Subscribers Shown: 2\r\n"))
	if err != nil || len(subs) != 2 {
		t.Fatalf("= %v, %v", subs, err)
	}
	if s := subs[0]; s.IMSI != "901700000000001" || s.MSISDN != "" || !s.CS || !s.PS {
		t.Errorf("first = %+v", s)
	}
	if s := subs[1]; s.IMSI != "901700000000002" || s.MSISDN != "4915100001" || s.CS || !s.PS {
		t.Errorf("second = %+v", s)
	}
	if _, err := parseVTYList(strings.NewReader("OsmoHLR# ")); err == nil {
		t.Error("a list cut short read as complete")
	}
}

package radius

import (
	"net"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"layeh.com/radius"
	"layeh.com/radius/rfc2865"
	"layeh.com/radius/rfc2866"
	"layeh.com/radius/rfc2869"

	"github.com/opencube/opencube"
)

var (
	testSecret = []byte("secret")
	testFrom   = &net.UDPAddr{IP: net.IPv4(192, 0, 2, 7), Port: 40000}
	testNow    = time.Date(2024, 3, 1, 15, 0, 0, 0, time.UTC)
)

// acctPacket returns an Accounting-Request with the usual attributes.
func acctPacket(t testing.TB, typ rfc2866.AcctStatusType) *radius.Packet {
	t.Helper()
	p := radius.New(radius.CodeAccountingRequest, testSecret)
	rfc2866.AcctStatusType_Set(p, typ)
	rfc2866.AcctSessionID_SetString(p, "sess-9")
	rfc2865.UserName_SetString(p, "user@apn")
	rfc2865.NASIPAddress_Set(p, net.IPv4(10, 1, 2, 3))
	a, err := New3GPPAttribute(attr3GPPIMSI, "460011234567890")
	if err != nil {
		t.Fatal(err)
	}
	p.Add(rfc2865.VendorSpecific_Type, a)
	return p
}

func TestParseAccounting(t *testing.T) {
	tests := []struct {
		name string
		make func(t *testing.T) *radius.Packet
		want *opencube.UsageRecord
		err  bool
	}{
		{"start", func(t *testing.T) *radius.Packet { return acctPacket(t, rfc2866.AcctStatusType_Value_Start) },
			&opencube.UsageRecord{Type: opencube.AcctStart, IMSI: "460011234567890", UserName: "user@apn", NAS: "10.1.2.3", NASAddr: "10.1.2.3", SessionID: "sess-9", Time: testNow}, false},
		{"interim with gigawords, timestamp, delay and network", func(t *testing.T) *radius.Packet {
			p := acctPacket(t, rfc2866.AcctStatusType_Value_InterimUpdate)
			rfc2866.AcctInputOctets_Set(p, 5)
			rfc2869.AcctInputGigawords_Set(p, 2)
			rfc2866.AcctOutputOctets_Set(p, 0xffffffff)
			rfc2866.AcctSessionTime_Set(p, 600)
			rfc2869.EventTimestamp_Set(p, testNow.Add(-time.Minute))
			a, _ := New3GPPAttribute(attr3GPPSGSNMCCMNC, "46001")
			p.Add(rfc2865.VendorSpecific_Type, a)
			return p
		}, &opencube.UsageRecord{Type: opencube.AcctInterim, IMSI: "460011234567890", UserName: "user@apn", NAS: "10.1.2.3", NASAddr: "10.1.2.3",
			SessionID: "sess-9", InputBytes: 2<<32 + 5, OutputBytes: 0xffffffff, SessionTime: 10 * time.Minute, Network: "46001", Time: testNow.Add(-time.Minute)}, false},
		{"stop identified by User-Name from a NAS-Identifier", func(t *testing.T) *radius.Packet {
			p := radius.New(radius.CodeAccountingRequest, testSecret)
			rfc2866.AcctStatusType_Set(p, rfc2866.AcctStatusType_Value_Stop)
			rfc2866.AcctSessionID_SetString(p, "x")
			rfc2865.UserName_SetString(p, "460010000000001")
			rfc2865.NASIdentifier_SetString(p, "pgw-1")
			rfc2866.AcctDelayTime_Set(p, 30)
			rfc2865.CalledStationID_SetString(p, "iot.apn")
			return p
		}, &opencube.UsageRecord{Type: opencube.AcctStop, IMSI: "460010000000001", UserName: "460010000000001", NAS: "pgw-1", NASAddr: "192.0.2.7",
			SessionID: "x", Network: "iot.apn", Time: testNow.Add(-30 * time.Second)}, false},
		{"accounting-on is not a record", func(t *testing.T) *radius.Packet {
			p := radius.New(radius.CodeAccountingRequest, testSecret)
			rfc2866.AcctStatusType_Set(p, rfc2866.AcctStatusType_Value_AccountingOn)
			return p
		}, nil, true},
		{"no session id", func(t *testing.T) *radius.Packet {
			p := acctPacket(t, rfc2866.AcctStatusType_Value_Start)
			p.Del(rfc2866.AcctSessionID_Type)
			return p
		}, nil, true},
		{"no subscriber", func(t *testing.T) *radius.Packet {
			p := radius.New(radius.CodeAccountingRequest, testSecret)
			rfc2866.AcctStatusType_Set(p, rfc2866.AcctStatusType_Value_Start)
			rfc2866.AcctSessionID_SetString(p, "x")
			return p
		}, nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// Through the wire, as a NAS would send it.
			raw, err := tt.make(t).Encode()
			if err != nil {
				t.Fatal(err)
			}
			p, err := radius.Parse(raw, testSecret)
			if err != nil {
				t.Fatal(err)
			}
			got, err := ParseAccounting(p, testFrom, testNow)
			if (err != nil) != tt.err {
				t.Fatalf("err = %v, want error %v", err, tt.err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestReply(t *testing.T) {
	req := radius.New(radius.CodeAccessRequest, testSecret)
	r := reply(req, &opencube.AuthDecision{Reason: "data quota used up"})
	if r.Code != radius.CodeAccessReject || rfc2865.ReplyMessage_GetString(r) != "data quota used up" {
		t.Errorf("reject = %v %q", r.Code, rfc2865.ReplyMessage_GetString(r))
	}
	r = reply(req, &opencube.AuthDecision{Accept: true, ThrottleKbps: 128})
	if r.Code != radius.CodeAccessAccept || rfc2865.FilterID_GetString(r) != "throttle=128kbps" {
		t.Errorf("throttled accept = %v %q", r.Code, rfc2865.FilterID_GetString(r))
	}
	r = reply(req, &opencube.AuthDecision{Accept: true})
	if r.Code != radius.CodeAccessAccept || len(r.Attributes) != 0 {
		t.Errorf("accept = %v %v", r.Code, r.Attributes)
	}
}

// FuzzParseAccounting feeds arbitrary bytes through what the accounting
// server does with a datagram: authenticate, parse the packet, read the
// record. Nothing may panic, and a record read must be well formed.
func FuzzParseAccounting(f *testing.F) {
	for _, typ := range []rfc2866.AcctStatusType{rfc2866.AcctStatusType_Value_Start, rfc2866.AcctStatusType_Value_InterimUpdate, rfc2866.AcctStatusType_Value_Stop} {
		p := acctPacket(f, typ)
		rfc2866.AcctInputOctets_Set(p, 1000)
		rfc2869.AcctOutputGigawords_Set(p, 1)
		raw, err := p.Encode()
		if err != nil {
			f.Fatal(err)
		}
		f.Add(raw)
	}
	f.Add([]byte{4, 1, 0, 20, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0})
	f.Fuzz(func(t *testing.T, raw []byte) {
		radius.IsAuthenticRequest(raw, testSecret)
		p, err := radius.Parse(raw, testSecret)
		if err != nil {
			return
		}
		IMSI(p)
		reply(p, &opencube.AuthDecision{Accept: true, ThrottleKbps: 1})
		r, err := ParseAccounting(p, testFrom, testNow)
		if err != nil {
			return
		}
		if r.IMSI == "" || r.SessionID == "" || r.InputBytes < 0 || r.OutputBytes < 0 || r.Time.IsZero() {
			t.Errorf("malformed record %+v", r)
		}
	})
}

// TestParseAccountingBounds sends the edges of the numbers that date a
// record and count its octets (D26): a record is dated in years 2000-9999,
// its session starts there too, and Gigawords are below 2^24. Out of
// bounds, it is refused (the server drops it with a warning) rather than
// booked to a day it cannot be.
func TestParseAccountingBounds(t *testing.T) {
	y2000 := time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, tt := range []struct {
		name string
		set  func(p *radius.Packet)
		ok   bool
	}{
		{"Event-Timestamp 2000-01-01", func(p *radius.Packet) { rfc2869.EventTimestamp_Set(p, y2000) }, true},
		{"Event-Timestamp 1999-12-31 23:59:59", func(p *radius.Packet) { rfc2869.EventTimestamp_Set(p, y2000.Add(-time.Second)) }, false},
		{"Event-Timestamp 1970-01-01 00:00:01", func(p *radius.Packet) { rfc2869.EventTimestamp_Set(p, time.Unix(1, 0)) }, false},
		{"Event-Timestamp 2106 (the largest)", func(p *radius.Packet) { rfc2869.EventTimestamp_Set(p, time.Unix(1<<32-1, 0)) }, true},
		{"Acct-Delay-Time back to 2000", func(p *radius.Packet) {
			rfc2866.AcctDelayTime_Set(p, rfc2866.AcctDelayTime(testNow.Sub(y2000)/time.Second))
		}, true},
		{"Acct-Delay-Time back before 2000", func(p *radius.Packet) {
			rfc2866.AcctDelayTime_Set(p, rfc2866.AcctDelayTime(testNow.Sub(y2000)/time.Second+1))
		}, false},
		{"Acct-Session-Time from 2000", func(p *radius.Packet) {
			rfc2866.AcctSessionTime_Set(p, rfc2866.AcctSessionTime(testNow.Sub(y2000)/time.Second))
		}, true},
		{"Acct-Session-Time from before 2000", func(p *radius.Packet) {
			rfc2866.AcctSessionTime_Set(p, rfc2866.AcctSessionTime(testNow.Sub(y2000)/time.Second+1))
		}, false},
		{"Acct-Input-Gigawords 2^24-1", func(p *radius.Packet) {
			rfc2869.AcctInputGigawords_Set(p, 1<<24-1)
			rfc2866.AcctInputOctets_Set(p, 0xffffffff)
		}, true},
		{"Acct-Input-Gigawords 2^24", func(p *radius.Packet) { rfc2869.AcctInputGigawords_Set(p, 1<<24) }, false},
		{"Acct-Output-Gigawords 2^24-1", func(p *radius.Packet) {
			rfc2869.AcctOutputGigawords_Set(p, 1<<24-1)
			rfc2866.AcctOutputOctets_Set(p, 0xffffffff)
		}, true},
		{"Acct-Output-Gigawords 2^24", func(p *radius.Packet) { rfc2869.AcctOutputGigawords_Set(p, 1<<24) }, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p := acctPacket(t, rfc2866.AcctStatusType_Value_InterimUpdate)
			tt.set(p)
			r, err := ParseAccounting(p, testFrom, testNow)
			if (err == nil) != tt.ok {
				t.Fatalf("ParseAccounting = %+v, %v; want ok %v", r, err, tt.ok)
			}
			if err == nil && (r.Validate() != nil || r.InputBytes > opencube.MaxSessionBytes || r.OutputBytes > opencube.MaxSessionBytes) {
				t.Fatalf("a record out of bounds: %+v", r)
			}
		})
	}
}

// TestDeviceAttributes: the IMEI of 3GPP-IMEISV (with its check digit),
// the RAT type, the MCC and MNC of 3GPP-User-Location-Info and
// Framed-IP-Address reach the usage record.
func TestDeviceAttributes(t *testing.T) {
	p := radius.New(radius.CodeAccountingRequest, []byte("secret"))
	rfc2866.AcctStatusType_Set(p, rfc2866.AcctStatusType_Value_Start)
	rfc2866.AcctSessionID_SetString(p, "s1")
	rfc2865.UserName_SetString(p, "454008041800192")
	rfc2865.FramedIPAddress_Set(p, net.ParseIP("10.1.2.3"))
	for _, a := range []struct {
		typ byte
		v   string
	}{{20, "4901542032375101"}, {21, "\x06"}, {22, "\x82\x64\xf0\x10\x00\x01\x00\x00\x00\x01\x02\x03\x04"}} {
		attr, err := New3GPPAttribute(a.typ, a.v)
		if err != nil {
			t.Fatal(err)
		}
		p.Add(rfc2865.VendorSpecific_Type, attr)
	}
	r, err := ParseAccounting(p, nil, time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	if r.IMEI != "490154203237518" || r.RAT != "eutran" || r.Location != "46001" || r.IP != "10.1.2.3" {
		t.Errorf("IMEI %q RAT %q location %q IP %q", r.IMEI, r.RAT, r.Location, r.IP)
	}
	for in, want := range map[string]string{"49015420323751": "490154203237518", "490154203237518": "490154203237518", "12": "", "4901542032375x01": ""} {
		if got := IMEI(in); got != want {
			t.Errorf("IMEI(%q) = %q, want %q", in, got, want)
		}
	}
	if got := uliMCCMNC("\x82\x54\x04\x04"); got != "454400" {
		t.Errorf("three-digit MNC: %q", got)
	}
}

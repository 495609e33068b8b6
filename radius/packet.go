package radius

import (
	"errors"
	"fmt"
	"net"
	"strconv"
	"time"

	"layeh.com/radius"
	"layeh.com/radius/rfc2865"
	"layeh.com/radius/rfc2866"
	"layeh.com/radius/rfc2869"

	"github.com/opencube/opencube"
)

// Vendor3GPP is the IANA enterprise number of 3GPP, the vendor of the
// TS 29.061 attributes.
const Vendor3GPP = 10415

// 3GPP vendor attribute types (TS 29.061 §16.4.7).
const (
	attr3GPPIMSI       = 1
	attr3GPPSGSNMCCMNC = 18
	attr3GPPIMEISV     = 20
	attr3GPPRATType    = 21
	attr3GPPULI        = 22
)

// ratTypes is the one mapping of 3GPP-RAT-Type values (TS 29.061) to the
// names a session keeps.
var ratTypes = map[byte]string{
	1: "utran", 2: "geran", 3: "wlan", 4: "gan", 5: "hspa", 6: "eutran", 7: "virtual",
	8: "nb-iot", 9: "lte-m", 10: "nr",
}

// accessIMEI returns the IMEI an Access-Request's 3GPP-IMEISV names, ""
// when it names none.
func accessIMEI(p *radius.Packet) string {
	if v, ok := vendorAttr(p, attr3GPPIMEISV); ok {
		return IMEI(v)
	}
	return ""
}

// accessNetwork returns the MCC and MNC of an Access-Request's
// 3GPP-SGSN-MCC-MNC, "" when it has none.
func accessNetwork(p *radius.Packet) string {
	v, _ := vendorAttr(p, attr3GPPSGSNMCCMNC)
	return v
}

// IMEI returns the IMEI of a 3GPP-IMEISV value: 16 digits (IMEISV: TAC,
// serial, software version) or 14-15 (IMEI), as 15 digits with the Luhn
// check digit; "" for anything else.
func IMEI(v string) string {
	if !opencube.Digits(v, 14, 16) {
		return ""
	}
	if len(v) == 15 {
		return v
	}
	body := v[:14]
	sum := 0
	for i := 0; i < 14; i++ {
		d := int(body[13-i] - '0')
		if i%2 == 0 { // doubled from the rightmost digit of the body
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
	}
	return body + strconv.Itoa((10-sum%10)%10)
}

// uliMCCMNC returns the MCC and MNC of a 3GPP-User-Location-Info value:
// its type octet, then the MCC and MNC in BCD (TS 29.061 §16.4.7.2).
func uliMCCMNC(v string) string {
	if len(v) < 4 {
		return ""
	}
	b := []byte(v[1:4])
	digits := []byte{b[0] & 0xf, b[0] >> 4, b[1] & 0xf, b[2] & 0xf, b[2] >> 4, b[1] >> 4}
	out := make([]byte, 0, 6)
	for i, d := range digits {
		if d == 0xf && i == 5 {
			break // a two-digit MNC
		}
		if d > 9 {
			return ""
		}
		out = append(out, '0'+d)
	}
	return string(out)
}

// vendorAttr returns the first 3GPP vendor attribute of type typ in p.
func vendorAttr(p *radius.Packet, typ byte) (string, bool) {
	for _, avp := range p.Attributes {
		if avp.Type != rfc2865.VendorSpecific_Type {
			continue
		}
		vendor, v, err := radius.VendorSpecific(avp.Attribute)
		if err != nil || vendor != Vendor3GPP {
			continue
		}
		for len(v) >= 2 {
			n := int(v[1])
			if n < 2 || n > len(v) {
				break
			}
			if v[0] == typ {
				return string(v[2:n]), true
			}
			v = v[n:]
		}
	}
	return "", false
}

// New3GPPAttribute returns a 3GPP Vendor-Specific attribute of type typ.
func New3GPPAttribute(typ byte, value string) (radius.Attribute, error) {
	if len(value) > 247 {
		return nil, errors.New("radius: 3GPP attribute value too long")
	}
	inner := append([]byte{typ, byte(len(value) + 2)}, value...)
	return radius.NewVendorSpecific(Vendor3GPP, inner)
}

// IMSI returns the subscriber of a request: 3GPP-IMSI, else User-Name.
func IMSI(p *radius.Packet) string {
	if imsi, ok := vendorAttr(p, attr3GPPIMSI); ok && imsi != "" {
		return imsi
	}
	return rfc2865.UserName_GetString(p)
}

// nas returns the identity of the NAS that sent p, and the address to send
// it Disconnect-Requests (host only).
func nas(p *radius.Packet, from net.Addr) (id, addr string) {
	var src string
	if ua, ok := from.(*net.UDPAddr); ok {
		src = ua.IP.String()
	} else if from != nil {
		src, _, _ = net.SplitHostPort(from.String())
	}
	ip, err := rfc2865.NASIPAddress_Lookup(p)
	if err == nil && !ip.IsUnspecified() {
		return ip.String(), ip.String()
	}
	if ident := rfc2865.NASIdentifier_GetString(p); ident != "" {
		return ident, src
	}
	return src, src
}

// maxGigawords bounds Acct-{Input,Output}-Gigawords: they are below 2^24
// (64 PiB with the octets), so that octet totals never overflow int64 and
// stay within opencube.MaxSessionBytes.
const maxGigawords = 1 << 24

// ErrNotAccounting is returned by ParseAccounting for a packet that is not
// an Accounting-Request with a known Acct-Status-Type.
var ErrNotAccounting = errors.New("radius: not a Start, Interim-Update or Stop Accounting-Request")

// ParseAccounting reads the usage record of an Accounting-Request received
// from from at now. Accounting-On/Off and unknown types give
// ErrNotAccounting (they are acknowledged and ignored).
func ParseAccounting(p *radius.Packet, from net.Addr, now time.Time) (*opencube.UsageRecord, error) {
	if p.Code != radius.CodeAccountingRequest {
		return nil, ErrNotAccounting
	}
	var typ opencube.AcctType
	switch rfc2866.AcctStatusType_Get(p) {
	case rfc2866.AcctStatusType_Value_Start:
		typ = opencube.AcctStart
	case rfc2866.AcctStatusType_Value_Stop:
		typ = opencube.AcctStop
	case rfc2866.AcctStatusType_Value_InterimUpdate:
		typ = opencube.AcctInterim
	default:
		return nil, ErrNotAccounting
	}
	r := &opencube.UsageRecord{Type: typ, IMSI: IMSI(p), UserName: rfc2865.UserName_GetString(p)}
	if r.IMSI == "" {
		return nil, errors.New("radius: no 3GPP-IMSI and no User-Name")
	}
	sid, err := rfc2866.AcctSessionID_LookupString(p)
	if err != nil || sid == "" {
		return nil, errors.New("radius: no Acct-Session-Id")
	}
	r.SessionID = sid
	r.NAS, r.NASAddr = nas(p, from)
	inGiga, outGiga := rfc2869.AcctInputGigawords_Get(p), rfc2869.AcctOutputGigawords_Get(p)
	if inGiga >= maxGigawords || outGiga >= maxGigawords {
		return nil, errors.New("radius: Acct-Gigawords beyond any real session")
	}
	r.InputBytes = int64(inGiga)<<32 | int64(rfc2866.AcctInputOctets_Get(p))
	r.OutputBytes = int64(outGiga)<<32 | int64(rfc2866.AcctOutputOctets_Get(p))
	r.SessionTime = time.Duration(rfc2866.AcctSessionTime_Get(p)) * time.Second
	r.Time = now.Add(-time.Duration(rfc2866.AcctDelayTime_Get(p)) * time.Second)
	if ts, err := rfc2869.EventTimestamp_Lookup(p); err == nil && !ts.IsZero() {
		r.Time = ts
	}
	r.Time = r.Time.UTC()
	if err := r.Validate(); err != nil {
		// A record dated before 2000 (a NAS clock never set, a delay or
		// session time beyond any real one) or after 9999 is refused
		// rather than booked to a day it cannot be (D26).
		return nil, fmt.Errorf("radius: Event-Timestamp, Acct-Delay-Time or Acct-Session-Time out of bounds: %w", err)
	}
	if mccmnc, ok := vendorAttr(p, attr3GPPSGSNMCCMNC); ok {
		r.Network = mccmnc
	} else {
		r.Network = rfc2865.CalledStationID_GetString(p)
	}
	if v, ok := vendorAttr(p, attr3GPPIMEISV); ok {
		r.IMEI = IMEI(v)
	}
	if v, ok := vendorAttr(p, attr3GPPRATType); ok && len(v) == 1 {
		r.RAT = ratTypes[v[0]]
	}
	if v, ok := vendorAttr(p, attr3GPPULI); ok {
		r.Location = uliMCCMNC(v)
	}
	if ip, err := rfc2865.FramedIPAddress_Lookup(p); err == nil && !ip.IsUnspecified() {
		r.IP = ip.String()
	}
	return r, nil
}

// throttleFilter is the Filter-Id of a throttled session.
func throttleFilter(kbps int) string { return "throttle=" + strconv.Itoa(kbps) + "kbps" }

// reply builds the answer to an Access-Request from a decision.
func reply(req *radius.Packet, d *opencube.AuthDecision) *radius.Packet {
	if !d.Accept {
		resp := req.Response(radius.CodeAccessReject)
		rfc2865.ReplyMessage_SetString(resp, d.Reason)
		return resp
	}
	resp := req.Response(radius.CodeAccessAccept)
	if d.ThrottleKbps > 0 {
		rfc2865.FilterID_SetString(resp, throttleFilter(d.ThrottleKbps))
		rfc2865.ReplyMessage_SetString(resp, fmt.Sprintf("daily high-speed volume used: throttled to %d kbps", d.ThrottleKbps))
	}
	return resp
}

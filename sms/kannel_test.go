package sms_test

import (
	"net"
	"net/url"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/opencube/opencube"
	"github.com/opencube/opencube/gsm"
	"github.com/opencube/opencube/sms"
)

func TestKannelQuery(t *testing.T) {
	k := &sms.Kannel{User: "u", Password: "p", CallbackURL: "http://oc:8080/", Token: "tok"}
	for _, c := range []struct {
		name    string
		m       opencube.SMS
		coding  string
		text    string
		charset string
	}{
		{"GSM", opencube.SMS{ID: "SMS_1", MSISDN: "861", Content: "hi €"}, "0", "hi €", "UTF-8"},
		{"UCS-2", opencube.SMS{ID: "SMS_2", MSISDN: "861", Content: "你好"}, "2", "你好", "UTF-8"},
		{"binary", opencube.SMS{ID: "SMS_3", MSISDN: "861", Content: "00ff", Type: opencube.SMSBinary}, "1", "\x00\xff", ""},
	} {
		q, err := k.Query(&c.m)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if q.Get("coding") != c.coding || q.Get("text") != c.text || q.Get("charset") != c.charset || q.Get("to") != "861" ||
			q.Get("dlr-mask") != "31" || q.Get("dlr-url") != "http://oc:8080/kannel/dlr?token=tok&id="+c.m.ID+"&type=%d" {
			t.Errorf("%s: %v", c.name, q)
		}
	}
	if _, err := k.Query(&opencube.SMS{ID: "SMS_4", Content: "x"}); err == nil {
		t.Error("a SIM without MSISDN was accepted")
	}
	if !sms.ValidToken("abcdefghijklmnop") || sms.ValidToken("short") || sms.ValidToken("abcdefghijklmnop%2F") {
		t.Error("ValidToken")
	}
}

func TestMOFromQuery(t *testing.T) {
	for _, c := range []struct {
		q    string
		want opencube.MORequest
	}{
		{"from=861&text=hi+there&coding=0", opencube.MORequest{From: "861", Content: "hi there"}},
		{"from=861&bin=%CA%FE&coding=1", opencube.MORequest{From: "861", Content: "cafe", Type: opencube.SMSBinary}},
		{"from=861&bin=O%60Y%7D+%AC&coding=2", opencube.MORequest{From: "861", Content: "你好€"}},
	} {
		q, _ := url.ParseQuery(c.q)
		if got := sms.MOFromQuery(q); got != c.want {
			t.Errorf("%s: %+v, want %+v", c.q, got, c.want)
		}
	}
}

// FuzzMOFromQuery: any callback query reads without panicking, into
// valid UTF-8 (UCS-2) or hex (binary).
func FuzzMOFromQuery(f *testing.F) {
	f.Add("from=861&bin=O%60Y%7D+%AC&coding=2")
	f.Add("bin=%CA&coding=2")
	f.Add("coding=1&bin=%00")
	f.Fuzz(func(t *testing.T, raw string) {
		q, err := url.ParseQuery(raw)
		if err != nil {
			return
		}
		r := sms.MOFromQuery(q)
		if q.Get("coding") == "2" && !utf8.ValidString(r.Content) {
			t.Fatalf("UCS-2 content %q is not UTF-8", r.Content)
		}
		if r.Type == opencube.SMSBinary {
			if _, ok := gsm.DecodeHex(r.Content); !ok && r.Content != "" {
				t.Fatalf("binary content %q is not hex", r.Content)
			}
		}
	})
}

// TestKannelErrorsHideCredentials: a failed hand-over's error, which is
// stored with the message and logged, never carries the query of the
// sendsms URL: the account's password and the callback token.
func TestKannelErrorsHideCredentials(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing listens: the dial fails
	k := &sms.Kannel{URL: "http://" + addr + "/cgi-bin/sendsms", User: "u", Password: "SECRET-PASSWORD",
		CallbackURL: "http://oc:8080/", Token: "SECRET-TOKEN-123456"}
	m := &opencube.SMS{ID: "SMS_1", ICCID: "89860000000000000001", MSISDN: "8613800000001", Type: opencube.SMSText, Content: "hi"}
	_, err = k.Send(t.Context(), m)
	if err == nil {
		t.Fatal("a hand-over to nothing succeeded")
	}
	for _, secret := range []string{"SECRET-PASSWORD", "SECRET-TOKEN-123456", "password="} {
		if strings.Contains(err.Error(), secret) {
			t.Errorf("error %q carries %q", err, secret)
		}
	}
}

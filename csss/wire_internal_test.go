package csss

import (
	"encoding/json"
	"testing"
)

// TestParamsStr: a string member reads as encoding/json reads it, whether
// it takes the fast path (no escapes, valid UTF-8) or not; numbers read as
// their literal; null and missing as ""; other types are refused.
func TestParamsStr(t *testing.T) {
	body := []byte(`{"plain":"C_M_0_P_中国20M","escaped":"a\"b\\c\n\u00e9","bad":"` + "\xff\xfe" + `","num":12.50,"null":null,"obj":{"a":1},"empty":""}`)
	p, ok := decodeParams(body)
	if !ok {
		t.Fatal("decodeParams refused a JSON object")
	}
	var want map[string]any
	if err := json.Unmarshal(body, &want); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"plain", "escaped", "bad", "empty"} {
		got, ok := p.str(name)
		if !ok || got != want[name].(string) {
			t.Errorf("str(%s) = %q, %v; want %q", name, got, ok, want[name])
		}
	}
	for name, wantS := range map[string]string{"num": "12.50", "null": "", "missing": ""} {
		if got, ok := p.str(name); !ok || got != wantS {
			t.Errorf("str(%s) = %q, %v; want %q", name, got, ok, wantS)
		}
	}
	if _, ok := p.str("obj"); ok {
		t.Error("str of an object succeeded")
	}
	for _, bad := range []string{`{"a":1} {"b":2}`, `{"a":1}x`, `[1]`, `null`, `{"a":`} {
		if _, ok := decodeParams([]byte(bad)); ok {
			t.Errorf("decodeParams(%s) accepted", bad)
		}
	}
	if _, ok := decodeParams([]byte("{\"a\":1}\n  ")); !ok {
		t.Error("decodeParams refused trailing white space")
	}
}

// BenchmarkDecodeParams decodes an orderPackage body and reads each of its
// members as the handlers do.
func BenchmarkDecodeParams(b *testing.B) {
	body := []byte(`{"access_code":"P000270","device_id":"89852022018041800192","global_order":"0","is_open":"0","order_period":"1","package_code":"DP20190726001274","package_name":"C_M_0_P_中国20M不限速月套餐","package_type":"2","pay_amount":"0","pay_rst":"1","pay_type":"2","test_flow":"0","test_flow_flag":"0","timestamp":"1732665600000","version":"2.0","sign":"abcdefghijklmnopqrstuvwxyz0="}`)
	keys := []string{"access_code", "device_id", "global_order", "is_open", "order_period", "package_code", "package_name",
		"package_type", "pay_amount", "pay_rst", "pay_type", "test_flow", "test_flow_flag", "timestamp", "version", "sign"}
	b.ReportAllocs()
	for b.Loop() {
		p, _ := decodeParams(body)
		for _, k := range keys {
			p.str(k)
		}
	}
}

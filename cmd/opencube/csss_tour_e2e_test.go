package main

// A golden transcript of every Plan endpoint and every error code: request
// and whole response, byte for byte. The fake clock and a fresh database
// make it deterministic; run `go test -run TestCSSSTour -update` to rewrite
// testdata/csss-tour.golden after a meant change, and read the diff.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/opencube/opencube/client"
)

// transcript records requests and their answers.
type transcript struct {
	s   *e2eServer
	buf bytes.Buffer
}

// call signs params for c, sends them and records both.
func (tr *transcript) call(t *testing.T, title string, c *client.Client, path string, params map[string]any, header http.Header) *client.Response {
	t.Helper()
	tr.s.clock.Advance(time.Millisecond)
	body, err := c.Body(params)
	if err != nil {
		t.Fatal(err)
	}
	return tr.send(t, title, c, path, body, header)
}

// send sends body as it is and records it with its answer.
func (tr *transcript) send(t *testing.T, title string, c *client.Client, path string, body []byte, header http.Header) *client.Response {
	t.Helper()
	resp, err := c.Post(t.Context(), path, body, header)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(&tr.buf, "### %s\nPOST %s", title, path)
	for _, h := range []string{"Accept-Language", "Idempotency-Key"} {
		if v := header.Get(h); v != "" {
			fmt.Fprintf(&tr.buf, " (%s: %s)", h, v)
		}
	}
	fmt.Fprintf(&tr.buf, "\n%s\n--> HTTP %d %s\n%s\n\n", body, resp.Status, resp.Header.Get("Content-Language"), indent(resp.Body))
	return resp
}

func indent(b []byte) []byte {
	var out bytes.Buffer
	if json.Indent(&out, b, "", "  ") != nil {
		return b
	}
	return out.Bytes()
}

func TestCSSSTour(t *testing.T) {
	s := startServer(t)
	tr := &transcript{s: s}
	en := http.Header{"Accept-Language": {"en-US"}}
	id := func(resp *client.Response) string {
		var d struct {
			OrderID string `json:"order_id"`
		}
		json.Unmarshal(resp.Data, &d)
		return d.OrderID
	}

	tr.call(t, "queryPackage", s.p, "/package/queryPackage", nil, nil)
	tr.call(t, "queryPackage, a page", s.p, "/cube/v4/package/queryPackage", map[string]any{"page_no": 2, "page_size": 2}, en)
	tr.call(t, "queryDevicePackages", s.q, "/package/queryDevicePackages", map[string]any{"deviceList": []string{simQ(0), simQ(1)}, "page_no": 1, "page_size": 10}, nil)
	a := id(tr.call(t, "orderPackage, not enabled", s.p, "/package/orderPackage", planMonthly.order(simP(0), false), nil))
	b := id(tr.call(t, "orderPackage, is_open=1", s.p, "/package/orderPackage", planMonthly.order(simP(1), true), en))
	tr.call(t, "batchOrderPackages", s.p, "/package/batchOrderPackages",
		withParams(planDaily.order("", false), "device_id", nil, "deviceList", []string{simP(0), simP(2)}, "order_period", "3"), nil)
	o := id(tr.call(t, "createOtaOrder", s.q, "/package/createOtaOrder", planOTA.ota(simQ(0)), nil))
	s.clock.Advance(time.Hour)
	tr.call(t, "openOrder", s.p, "/package/openOrder", map[string]any{"order_id": a}, nil)
	tr.call(t, "openOrder, OTA", s.q, "/package/openOrder", map[string]any{"order_id": o, "device_id": simQ(0)}, nil)
	tr.call(t, "renewPackage", s.p, "/package/renewPackage", map[string]any{"order_id": b, "renew_period": 1}, en)
	tr.call(t, "pauseService", s.p, "/device/pauseService", map[string]any{"device_id": simP(1)}, nil)
	tr.call(t, "resumeService", s.p, "/device/resumeService", map[string]any{"device_id": simP(1), "order_id": b}, nil)
	s.clock.Advance(24 * time.Hour)
	tr.call(t, "endOrder, keep_alive=1", s.p, "/package/endOrder", map[string]any{"order_id": a, "keep_alive": "1"}, nil)
	tr.call(t, "queryOrder", s.p, "/package/queryOrder", map[string]any{"device_id": simP(0), "page_no": 1, "page_size": 2}, nil)
	tr.call(t, "queryOrder, not enabled, page 2", s.p, "/package/queryOrder", map[string]any{"order_status": "1", "page_no": 2, "page_size": 1}, en)
	tr.call(t, "cancelOrder", s.p, "/package/cancelOrder", map[string]any{"order_id": id(tr.call(t, "orderPackage to cancel", s.p, "/package/orderPackage", planUnlimited.order(simP(3), false), nil))}, nil)

	tr.send(t, "1001 not JSON", s.p, "/package/orderPackage", []byte("{"), en)
	tr.call(t, "1001 page_size 101", s.p, "/package/queryOrder", map[string]any{"page_no": 1, "page_size": 101}, nil)
	tr.call(t, "1002 wrong sign", s.client(entP, "not-the-secret"), "/package/queryPackage", nil, nil)
	tr.call(t, "1003 stale timestamp", s.p, "/package/queryPackage", map[string]any{"timestamp": "1643253530"}, en)
	tr.call(t, "1004 unknown access_code", s.client("P999999", demoSecret), "/package/queryPackage", nil, nil)
	tr.call(t, "1005 version", s.p, "/package/queryPackage", map[string]any{"version": "1.0"}, en)
	tr.call(t, "1007 unknown path", s.p, "/package/queryPackages", nil, en)
	tr.call(t, "2001 another enterprise's SIM", s.q, "/package/orderPackage", planOTA.order(simP(4), false), nil)
	tr.call(t, "2002 name mismatch", s.p, "/package/orderPackage", withParams(planMonthly.order(simP(4), false), "package_name", planDaily.name), en)
	tr.call(t, "2003 another enterprise's order", s.q, "/package/cancelOrder", map[string]any{"order_id": b}, nil)
	tr.call(t, "2004 enable while in use", s.p, "/package/openOrder", map[string]any{"order_id": b}, en)
	tr.call(t, "2005 is_open=1 on an OTA SIM", s.q, "/package/orderPackage", planOTA.order(simQ(1), true), nil)
	tr.call(t, "2006 bulk with a foreign SIM", s.p, "/package/batchOrderPackages",
		withParams(planDaily.order("", false), "device_id", nil, "deviceList", []string{simP(5), simQ(5), simP(6)}), nil)
	tr.call(t, "2006 bulk with a foreign SIM, in English", s.p, "/package/batchOrderPackages",
		withParams(planDaily.order("", false), "device_id", nil, "deviceList", []string{simP(5), simQ(5), simP(6)}), en)
	key := http.Header{"Idempotency-Key": {"tour-1"}}
	tr.call(t, "Idempotency-Key, first", s.p, "/package/orderPackage", planDaily.order(simP(7), false), key)
	tr.call(t, "Idempotency-Key, retry with a new timestamp", s.p, "/package/orderPackage", planDaily.order(simP(7), false), key)
	tr.call(t, "1008 Idempotency-Key with another body", s.p, "/package/orderPackage", planDaily.order(simP(8), false), key)

	checkGolden(t, "csss-tour.golden", tr.buf.Bytes())
}

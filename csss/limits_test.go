package csss_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/opencube/opencube"
	"github.com/opencube/opencube/csss"
	"github.com/opencube/opencube/service"
	"github.com/opencube/opencube/sms"
	"github.com/opencube/opencube/storetest"
)

// limitsNow is the server clock of the body limit tests and benchmarks.
var limitsNow = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)

// limitsServer is a CSSS server over SQLite with the demo data, whose
// enterprise P000270 holds two secrets (a rotation: every refused sign is
// tried against both).
func limitsServer(tb testing.TB) *csss.Server {
	tb.Helper()
	ctx := context.Background()
	clock := opencube.ClockFunc(func() time.Time { return limitsNow })
	store, svc := storetest.Demo(tb, clock)
	if _, err := svc.Admin.RotateSecret(ctx, "P000270", "the-next-secret"); err != nil {
		tb.Fatal(err)
	}
	srv := csss.NewServer(svc.Orders, svc.SIMs, svc.Admin, store)
	srv.Clock = clock
	srv.SMS = service.NewSMS(store, clock, sms.NewSandbox(clock))
	return srv
}

// signed adds the globals to fields (a millisecond timestamp ms after
// limitsNow) and signs the body with secret.
func signed(tb testing.TB, fields map[string]any, ms int, secret string) []byte {
	tb.Helper()
	p := map[string]any{"access_code": "P000270", "timestamp": strconv.FormatInt(limitsNow.UnixMilli()+int64(ms), 10), "version": "2.0"}
	for k, v := range fields {
		p[k] = v
	}
	raw, err := json.Marshal(p)
	if err != nil {
		tb.Fatal(err)
	}
	c, err := csss.Canonical(raw)
	if err != nil {
		tb.Fatal(err)
	}
	p["sign"] = csss.Sign(c, secret)
	body, _ := json.Marshal(p)
	return body
}

// bulkOrderFields is a normal orderPackage request for a demo SIM.
func bulkOrderFields(sim int) map[string]any {
	return map[string]any{
		"device_id": fmt.Sprintf("898520220180418%05d", 192+sim), "global_order": "0", "is_open": "0", "order_period": "1",
		"package_code": "DP20190726001274", "package_name": "C_M_0_P_中国20M不限速月套餐", "package_type": "2",
		"pay_amount": "0", "pay_rst": "1", "pay_type": "2", "test_flow": "0", "test_flow_flag": "0",
	}
}

// wrongSign is a well-formed sign that verifies nothing.
const wrongSign = "AAAAAAAAAAAAAAAAAAAAAAAAAAA="

// manyKeys returns a body of exactly size bytes for the demo enterprise,
// with a fresh timestamp and sign: the globals, then as many distinct keys
// as fit, in random order (so that sorting them is work), with numbers
// and non-ASCII text (so that every fallback form of D3 is built). It is
// the costliest body to refuse for its size: the most members for the
// parser and the sort, every form canonicalised and MACed with every
// secret.
func manyKeys(tb testing.TB, size int, sign string) []byte {
	tb.Helper()
	head := `{"access_code":"P000270","timestamp":"` + strconv.FormatInt(limitsNow.UnixMilli(), 10) + `","version":"2.0","sign":"` + sign + `","z":"é"`
	n := (size - len(head) - 1) / 8 // ,"kNNN":1 is about 8 bytes at these counts
	keys := make([]string, 0, n)
	for i := range n {
		keys = append(keys, strconv.FormatInt(int64(i), 36))
	}
	rand.New(rand.NewPCG(1, 2)).Shuffle(len(keys), func(i, j int) { keys[i], keys[j] = keys[j], keys[i] })
	var b bytes.Buffer
	b.WriteString(head)
	for _, k := range keys {
		m := `,"` + k + `":1`
		if b.Len()+len(m)+1 > size {
			break
		}
		b.WriteString(m)
	}
	for b.Len()+1 < size {
		b.WriteByte(' ')
	}
	b.WriteByte('}')
	if b.Len() != size {
		tb.Fatalf("body of %d bytes, want %d", b.Len(), size)
	}
	return b.Bytes()
}

// route returns the route at path.
func route(tb testing.TB, path string) *csss.Route {
	for i := range csss.Routes {
		if csss.Routes[i].Path == path {
			return &csss.Routes[i]
		}
	}
	tb.Fatalf("no route %s", path)
	return nil
}

// post sends body to path through h and returns the answer's code.
func post(h http.Handler, path string, body []byte) (*httptest.ResponseRecorder, string) {
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, path, bytes.NewReader(body)))
	var env struct{ Code string }
	json.Unmarshal(rec.Body.Bytes(), &env)
	return rec, env.Code
}

// TestBodyLimits: every route's cap is what its largest request needs, and
// a body over it is refused (1001, body) without being read to its end,
// with the connection closed; a body of exactly the cap is read.
func TestBodyLimits(t *testing.T) {
	srv := limitsServer(t)
	h := srv.Handler()
	bulk := route(t, "/package/batchOrderPackages")
	if got, want := srv.BodyLimit(bulk), int64(csss.BulkBaseBody+csss.DeviceBytes*1000); got != want {
		t.Errorf("batchOrderPackages cap %d, want %d", got, want)
	}
	srv.MaxBulk = 10
	if got, want := srv.BodyLimit(bulk), int64(csss.BulkBaseBody+csss.DeviceBytes*10); got != want {
		t.Errorf("batchOrderPackages cap with MaxBulk 10: %d, want %d", got, want)
	}
	srv.MaxBulk = 1000
	for _, path := range []string{"/package/orderPackage", "/flow/batchQueryDeviceFlowUsage", "/device/queryDeviceInfo"} {
		if got := srv.BodyLimit(route(t, path)); got != csss.DefaultMaxBody {
			t.Errorf("%s cap %d, want %d", path, got, csss.DefaultMaxBody)
		}
	}

	t.Run("a bulk order of MaxBulk devices fits", func(t *testing.T) {
		// The longest ICCIDs (22 digits), pretty-printed: the largest
		// legitimate bulk order.
		devices := make([]string, 1000)
		for i := range devices {
			devices[i] = fmt.Sprintf("8985202201804180%06d", i)
		}
		f := bulkOrderFields(0)
		delete(f, "device_id")
		f["deviceList"] = devices
		compact := signed(t, f, 0, service.DemoSecret)
		var pretty bytes.Buffer
		json.Indent(&pretty, compact, "", "    ")
		if int64(pretty.Len()) > srv.BodyLimit(bulk) {
			t.Fatalf("a pretty-printed bulk order of 1000 devices takes %d bytes, over the cap %d", pretty.Len(), srv.BodyLimit(bulk))
		}
		// It is read and authenticated: the refusal is the business one
		// (unknown SIMs), not the body's.
		if _, code := post(h, bulk.Path, pretty.Bytes()); code == csss.CodeInvalid || code == csss.CodeSignature {
			t.Fatalf("bulk order of 1000 devices answered %s", code)
		}
	})

	t.Run("oversized", func(t *testing.T) {
		for _, path := range []string{"/package/orderPackage", bulk.Path, "/sms/sendSms"} {
			limit := srv.BodyLimit(route(t, path))
			// A body of the cap is read (and refused for its sign); one
			// byte more is refused as too large.
			if _, code := post(h, path, manyKeys(t, int(limit), wrongSign)); code != csss.CodeSignature {
				t.Errorf("%s: a body of the cap (%d bytes) answered %s, want %s", path, limit, code, csss.CodeSignature)
			}
			// With a Content-Length over the cap, nothing is read.
			big := &countingReader{r: bytes.NewReader(manyKeys(t, int(limit)+1, wrongSign))}
			rec := httptest.NewRecorder()
			req := httptest.NewRequest(http.MethodPost, path, big)
			req.ContentLength = limit + 1
			h.ServeHTTP(rec, req)
			checkTooLarge(t, path, rec, big, 0)
			// Without one (chunked), the body is read up to the cap and no
			// further.
			huge := &countingReader{r: io.MultiReader(strings.NewReader(`{"access_code":"P000270","k":"`), infinite('x'))}
			rec = httptest.NewRecorder()
			req = httptest.NewRequest(http.MethodPost, path, huge)
			req.ContentLength = -1
			h.ServeHTTP(rec, req)
			checkTooLarge(t, path, rec, huge, limit+1+32<<10)
		}
	})
}

// checkTooLarge checks the answer to an oversized body: 1001 naming the
// body, the connection closed, and at most read bytes of the body read.
func checkTooLarge(t *testing.T, path string, rec *httptest.ResponseRecorder, body *countingReader, read int64) {
	t.Helper()
	var env struct{ Code, Message string }
	if err := json.Unmarshal(rec.Body.Bytes(), &env); err != nil || env.Code != csss.CodeInvalid || !strings.Contains(env.Message, "body") {
		t.Errorf("%s: oversized body answered %d %s, want 1001 naming the body", path, rec.Code, rec.Body)
	}
	if rec.Header().Get("Connection") != "close" {
		t.Errorf("%s: oversized body answered without Connection: close", path)
	}
	if body.n > read {
		t.Errorf("%s: %d bytes of an oversized body read, want at most %d", path, body.n, read)
	}
}

// countingReader counts what is read from r.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// infinite is an endless stream of one byte.
type infinite byte

func (b infinite) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = byte(b)
	}
	return len(p), nil
}

// BenchmarkRefusal measures what refusing a bad request costs against
// serving a normal one, each through the whole CSSS handler (httptest, no
// network): cpu-ns/op is the process's CPU time (every goroutine, the
// garbage collector's too) per request. The bad bodies are as large as
// their route accepts and shaped to cost the most (manyKeys); P000270
// holds two secrets.
func BenchmarkRefusal(b *testing.B) {
	srv := limitsServer(b)
	h := srv.Handler()
	bulk := route(b, "/package/batchOrderPackages")
	order := route(b, "/package/orderPackage")
	maxBulk := manyKeys(b, int(srv.BodyLimit(bulk)), wrongSign)
	maxOrder := manyKeys(b, int(srv.BodyLimit(order)), wrongSign)
	devices := make([]string, srv.MaxBulk)
	for i := range devices {
		devices[i] = fmt.Sprintf("898520220180418%05d", 192+i)
	}
	bulkFields := bulkOrderFields(0)
	delete(bulkFields, "device_id")
	bulkFields["deviceList"] = devices
	realBulk := signed(b, bulkFields, 0, "not-the-secret")
	unknown := bytes.Replace(maxBulk, []byte(`"P000270"`), []byte(`"P999999"`), 1)
	malformed := append(bytes.Clone(maxBulk[:len(maxBulk)-1]), ']')

	// Every normal body is new (its own timestamp), across the runs of
	// -count too: a repeat would be answered from the replay guard.
	seq := 0
	b.Run("normal/orderPackage", func(b *testing.B) {
		bodies := make([][]byte, b.N)
		for i := range bodies {
			bodies[i] = signed(b, bulkOrderFields(i%10), seq, service.DemoSecret)
			seq++
		}
		i := 0
		run(b, func() {
			if _, code := post(h, order.Path, bodies[i]); code != csss.CodeOK {
				b.Fatalf("orderPackage answered %s", code)
			}
			i++
		})
	})
	b.Run("normal/queryDeviceInfo", func(b *testing.B) {
		bodies := make([][]byte, b.N)
		for i := range bodies {
			bodies[i] = signed(b, map[string]any{"device_id": "89852022018041800192"}, seq, service.DemoSecret)
			seq++
		}
		i := 0
		run(b, func() {
			if _, code := post(h, "/device/queryDeviceInfo", bodies[i]); code != csss.CodeOK {
				b.Fatalf("queryDeviceInfo answered %s", code)
			}
			i++
		})
	})
	for _, c := range []struct {
		name, path string
		body       []byte
		code       string
	}{
		{fmt.Sprintf("wrong-sign/batchOrderPackages-%dB-keys", len(maxBulk)), bulk.Path, maxBulk, csss.CodeSignature},
		{fmt.Sprintf("wrong-sign/batchOrderPackages-%dB-%d-devices", len(realBulk), len(devices)), bulk.Path, realBulk, csss.CodeSignature},
		{fmt.Sprintf("wrong-sign/orderPackage-%dB-keys", len(maxOrder)), order.Path, maxOrder, csss.CodeSignature},
		{fmt.Sprintf("unknown-access-code/batchOrderPackages-%dB", len(unknown)), bulk.Path, unknown, csss.CodeAccessCode},
		{fmt.Sprintf("malformed/batchOrderPackages-%dB", len(malformed)), bulk.Path, malformed, csss.CodeInvalid},
	} {
		b.Run(c.name, func(b *testing.B) {
			run(b, func() {
				if _, code := post(h, c.path, c.body); code != c.code {
					b.Fatalf("answered %s, want %s", code, c.code)
				}
			})
		})
	}
}

// run runs f b.N times and reports the CPU time it took per run.
func run(b *testing.B, f func()) {
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := processCPU()
	for range b.N {
		f()
	}
	b.StopTimer()
	if cpu := processCPU() - cpu0; cpu > 0 {
		b.ReportMetric(float64(cpu)/float64(b.N), "cpu-ns/op")
	}
}

// TestCanonicalLargeObjects: objects of many members, in any order and
// with duplicates, canonicalise as their keys sorted byte-wise with the
// last duplicate kept, whatever the sort does inside.
func TestCanonicalLargeObjects(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, n := range []int{0, 1, 2, 13, 100, 1000, 5000} {
		for _, keyLen := range []int{1, 3, 9, 20} {
			var b bytes.Buffer
			b.WriteByte('{')
			want := map[string]int{}
			for i := range n {
				// Few distinct keys when n is large, so that duplicates
				// abound; long keys share their first eight bytes.
				k := strings.Repeat("k", max(keyLen-4, 0)) + strconv.Itoa(rng.IntN(max(n/2, 1)))
				if rng.IntN(4) == 0 {
					k += "\x00"[:rng.IntN(2)] + "é"
				}
				if i > 0 {
					b.WriteByte(',')
				}
				kj, _ := json.Marshal(k)
				fmt.Fprintf(&b, "%s:%d", kj, i)
				want[k] = i
			}
			b.WriteByte('}')
			keys := make([]string, 0, len(want))
			for k := range want {
				keys = append(keys, k)
			}
			slices.Sort(keys)
			var w bytes.Buffer
			w.WriteByte('{')
			for i, k := range keys {
				if i > 0 {
					w.WriteByte(',')
				}
				kj, _ := csss.Marshal(k)
				fmt.Fprintf(&w, "%s:%d", kj, want[k])
			}
			w.WriteByte('}')
			got, err := csss.Canonical(b.Bytes())
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, w.Bytes()) {
				t.Fatalf("%d members, keys of %d: canonical form differs from the sorted keys", n, keyLen)
			}
		}
	}
}

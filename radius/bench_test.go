package radius

import (
	"context"
	"fmt"
	"net"
	"sync"
	"testing"
	"time"

	"layeh.com/radius"
	"layeh.com/radius/rfc2865"
	"layeh.com/radius/rfc2866"
	"layeh.com/radius/rfc2869"

	"github.com/opencube/opencube"
	"github.com/opencube/opencube/postgres"
	"github.com/opencube/opencube/postgres/pgtest"
	"github.com/opencube/opencube/seal"
	"github.com/opencube/opencube/service"
	"github.com/opencube/opencube/storetest"
)

// benchSIMs is how many SIMs (each with an in-use order) the accounting
// benchmark's records spread over.
const benchSIMs = 10000

// benchService returns a service over a fresh SQLite store holding
// benchSIMs active SIMs with an in-use monthly order each.
func benchService(b *testing.B) *service.Set {
	b.Helper()
	_, svc := storetest.Services(b, opencube.SystemClock)
	return benchLoad(b, svc)
}

// benchServicePostgres is benchService on a fresh schema of
// OPENCUBE_TEST_POSTGRES.
func benchServicePostgres(b *testing.B) *service.Set {
	b.Helper()
	store, err := postgres.Open(b.Context(), pgtest.Schema(b), postgres.Options{Masters: seal.Demo()})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { store.Close() })
	return benchLoad(b, service.New(store, opencube.SystemClock, service.NewIDGenerator(0)))
}

// benchLoad loads benchSIMs active SIMs with an in-use monthly order each
// through svc.
func benchLoad(b *testing.B, svc *service.Set) *service.Set {
	b.Helper()
	ctx := context.Background()
	svc.Orders.MaxBulk = 0
	if err := svc.Admin.CreateEnterprise(ctx, &opencube.Enterprise{AccessCode: "BENCH", Secrets: []string{"bench-secret"}}); err != nil {
		b.Fatal(err)
	}
	sims := make([]*opencube.SIM, benchSIMs)
	iccids := make([]string, benchSIMs)
	for i := range sims {
		sims[i] = &opencube.SIM{ICCID: fmt.Sprintf("8986%016d", i), IMSI: benchIMSI(i), EnterpriseCode: "BENCH"}
		iccids[i] = sims[i].ICCID
	}
	if err := svc.Admin.ImportSIMs(ctx, sims); err != nil {
		b.Fatal(err)
	}
	p := &opencube.Plan{Code: "M", Name: "monthly", Type: opencube.PlanMonthly, VolumeBytes: 1 << 40}
	if err := svc.Admin.CreatePlan(ctx, p); err != nil {
		b.Fatal(err)
	}
	if err := svc.Admin.GrantPlan(ctx, "BENCH", "M"); err != nil {
		b.Fatal(err)
	}
	_, err := svc.Orders.OrderPlans(opencube.NewContext(ctx, "BENCH"), opencube.BulkOrderRequest{ICCIDs: iccids, OrderRequest: opencube.OrderRequest{
		PlanCode: "M", PlanName: "monthly", PlanType: opencube.PlanMonthly, OrderPeriod: 12, Open: true, PayRst: "2"}})
	if err != nil {
		b.Fatal(err)
	}
	return svc
}

func benchIMSI(i int) string { return fmt.Sprintf("46001%010d", i) }

// benchRecord returns the i-th record of a realistic stream: every SIM has
// a session of ten records (Start, eight Interim-Updates, Stop) at a time,
// the SIMs' records interleaved, totals growing. A run of 10*benchSIMs
// records is one whole session of each SIM; a shorter run holds more
// Starts than the stream does.
func benchRecord(i int, t0 time.Time) *radius.Packet {
	sim, round := i%benchSIMs, i/benchSIMs
	step, session := round%10, round/10
	p := radius.New(radius.CodeAccountingRequest, []byte("bench"))
	switch step {
	case 0:
		rfc2866.AcctStatusType_Set(p, rfc2866.AcctStatusType_Value_Start)
	case 9:
		rfc2866.AcctStatusType_Set(p, rfc2866.AcctStatusType_Value_Stop)
	default:
		rfc2866.AcctStatusType_Set(p, rfc2866.AcctStatusType_Value_InterimUpdate)
	}
	rfc2866.AcctSessionID_SetString(p, fmt.Sprintf("%d-%d", sim, session))
	rfc2865.UserName_SetString(p, benchIMSI(sim))
	a, _ := New3GPPAttribute(attr3GPPIMSI, benchIMSI(sim))
	p.Add(rfc2865.VendorSpecific_Type, a)
	rfc2865.NASIPAddress_Set(p, net.IPv4(127, 0, 0, 1))
	rfc2866.AcctInputOctets_Set(p, rfc2866.AcctInputOctets(step*150_000))
	rfc2866.AcctOutputOctets_Set(p, rfc2866.AcctOutputOctets(step*40_000))
	rfc2869.EventTimestamp_Set(p, t0.Add(time.Duration(round)*time.Minute))
	return p
}

// BenchmarkAccounting measures accounting records ingested and rated per
// second on SQLite through the real UDP path: clients send
// Accounting-Requests to the server, which batches them into one store
// transaction and answers each after its commit.
//
//	go test ./radius -run XXX -bench Accounting -benchtime 200000x
func BenchmarkAccounting(b *testing.B) {
	benchAccounting(b, benchService(b))
}

// BenchmarkAccountingPostgres is BenchmarkAccounting on PostgreSQL
// (OPENCUBE_TEST_POSTGRES).
func BenchmarkAccountingPostgres(b *testing.B) {
	benchAccounting(b, benchServicePostgres(b))
}

func benchAccounting(b *testing.B, svc *service.Set) {
	srv := NewServer(svc.SIMs, "bench")
	srv.Logger = nil
	srv.Logger = slogDiscard()
	conn, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	go srv.ServeAccounting(conn)
	defer srv.Shutdown(context.Background())
	addr := conn.LocalAddr()

	const clients, window = 8, 64
	t0 := time.Date(2024, 3, 1, 10, 0, 0, 0, opencube.BusinessZone)
	// Encode every packet first: the clients only send and receive.
	raws := make([][][]byte, clients)
	for i := 0; i < b.N; i++ {
		c := i % clients
		p := benchRecord(i, t0)
		p.Identifier = byte(len(raws[c]))
		raw, err := p.Encode()
		if err != nil {
			b.Fatal(err)
		}
		raws[c] = append(raws[c], raw)
	}
	b.ResetTimer()
	start := time.Now()
	var wg sync.WaitGroup
	for c := 0; c < clients; c++ {
		wg.Add(1)
		go func(raws [][]byte) {
			defer wg.Done()
			if err := nasClient(addr.(*net.UDPAddr), raws, window); err != nil {
				b.Error(err)
			}
		}(raws[c])
	}
	wg.Wait()
	elapsed := time.Since(start)
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "records/s")
}

// nasClient sends raws (encoded Accounting-Requests whose identifiers
// cycle) with at most window unanswered, retransmitting what goes
// unanswered for 500 ms, as a NAS does, and returns once all are answered.
func nasClient(addr *net.UDPAddr, raws [][]byte, window int) error {
	uc, err := net.DialUDP("udp", nil, addr)
	if err != nil {
		return err
	}
	defer uc.Close()
	type sent struct {
		raw []byte
		at  time.Time
	}
	var (
		mu          sync.Mutex
		outstanding = map[byte]*sent{}
		free        = sync.NewCond(&mu)
		answered    int
	)
	done := make(chan error, 1)
	go func() {
		buf := make([]byte, radius.MaxPacketLength)
		for {
			uc.SetReadDeadline(time.Now().Add(500 * time.Millisecond))
			n, err := uc.Read(buf)
			mu.Lock()
			if err == nil && n >= 20 {
				if _, ok := outstanding[buf[1]]; ok {
					delete(outstanding, buf[1])
					answered++
					free.Broadcast()
				}
			}
			now := time.Now()
			for _, s := range outstanding {
				if now.Sub(s.at) > 500*time.Millisecond {
					s.at = now
					uc.Write(s.raw)
				}
			}
			all := answered == len(raws)
			mu.Unlock()
			if all {
				done <- nil
				return
			}
		}
	}()
	for _, raw := range raws {
		mu.Lock()
		// A NAS does not reuse an identifier still unanswered: the one
		// answer would count for both requests and the other never, and
		// the server drops a request whose identifier it is still
		// booking as a retransmission.
		for len(outstanding) >= window || outstanding[raw[1]] != nil {
			free.Wait()
		}
		outstanding[raw[1]] = &sent{raw: raw, at: time.Now()}
		mu.Unlock()
		if _, err := uc.Write(raw); err != nil {
			return err
		}
	}
	return <-done
}

// BenchmarkBookUsage measures the rating and storage part alone: records
// parsed from the same stream, booked in batches of 512 without the network.
func BenchmarkBookUsage(b *testing.B) {
	benchBookUsage(b, benchService(b))
}

// BenchmarkBookUsagePostgres is BenchmarkBookUsage on PostgreSQL
// (OPENCUBE_TEST_POSTGRES).
func BenchmarkBookUsagePostgres(b *testing.B) {
	benchBookUsage(b, benchServicePostgres(b))
}

func benchBookUsage(b *testing.B, svc *service.Set) {
	t0 := time.Date(2024, 3, 1, 10, 0, 0, 0, opencube.BusinessZone)
	from := &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)}
	recs := make([]*opencube.UsageRecord, b.N)
	for i := range recs {
		r, err := ParseAccounting(benchRecord(i, t0), from, t0)
		if err != nil {
			b.Fatal(err)
		}
		recs[i] = r
	}
	b.ResetTimer()
	start := time.Now()
	for i := 0; i < len(recs); i += 512 {
		if _, err := svc.SIMs.BookUsage(context.Background(), recs[i:min(i+512, len(recs))]); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "records/s")
}

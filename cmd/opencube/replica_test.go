package main

import (
	"context"
	"fmt"
	"io"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/opencube/opencube/client"
	"github.com/opencube/opencube/csss"
	"github.com/opencube/opencube/operator"
	"github.com/opencube/opencube/postgres/pgtest"
	"github.com/opencube/opencube/seal"
	"github.com/opencube/opencube/service"
)

// startReplicaNode runs one opencube node on the PostgreSQL primary at url
// whose lists read the replica at readURL.
func startReplicaNode(t *testing.T, url, readURL string, demo bool) *Main {
	t.Helper()
	m := NewMain()
	m.Masters = seal.Demo() // the published demo key: tests only
	m.Addr = "127.0.0.1:0"
	m.DB = url
	m.DBOptions.ReadURL = readURL
	m.AdminToken = "admin-token"
	m.Demo = demo
	m.SMS.Gateway = "sandbox"
	m.Stderr = io.Discard
	m.JobInterval = 0
	if err := m.Run(t.Context()); err != nil {
		t.Fatalf("Run: %v", err)
	}
	t.Cleanup(func() { closeMain(t, m) })
	return m
}

// TestReadReplicaTwoNodes runs the orderPackage load across two nodes on
// one primary, both reading their lists from a streaming replica: the
// lists converge to what the primary holds, say how current they are
// (as_of), and the replica stays a standby that the nodes read from.
func TestReadReplicaTwoNodes(t *testing.T) {
	primary, replica := pgtest.Replica(t)
	ctx := t.Context()
	a := startReplicaNode(t, primary, replica, true)
	b := startReplicaNode(t, primary, replica, false)
	nodes := []*Main{a, b}

	// The load: forty orders on ten SIMs, ten of them enabled at once, sent
	// to both nodes in turn.
	var wg sync.WaitGroup
	fail := make(chan string, 100)
	for i := range 40 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			p := withParams(planMonthly.order(simP(i%10), i < 10), "pay_amount", fmt.Sprintf("%d.00", i))
			resp, err := client.New(nodes[i%2].URL(), entP, service.DemoSecret).Do(ctx, "/package/orderPackage", p, nil)
			if err != nil || resp.Code != csss.CodeOK {
				fail <- fmt.Sprintf("order %d: %v %+v", i, err, resp)
			}
		}()
	}
	wg.Wait()
	close(fail)
	for f := range fail {
		t.Error(f)
	}

	// What the primary holds.
	pc, err := pgx.Connect(ctx, primary)
	if err != nil {
		t.Fatal(err)
	}
	defer pc.Close(context.Background())
	var orders, inUse int
	if err := pc.QueryRow(ctx, `SELECT count(*), count(*) FILTER (WHERE status = 2) FROM orders WHERE enterprise_code = $1`, entP).Scan(&orders, &inUse); err != nil {
		t.Fatal(err)
	}
	if orders < 40 || inUse < 10 {
		t.Fatalf("the primary holds %d orders, %d in use, after the load: want at least 40 and 10", orders, inUse)
	}

	// Each node's lists, read from the replica, reach the primary's counts.
	converge(t, nodes, orders, inUse)

	// With the replica's replay paused, an order the primary commits is
	// not in the lists: they come from the replica. Once replay goes on,
	// they show it.
	rc, err := pgx.Connect(ctx, replica)
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close(context.Background())
	if _, err := rc.Exec(ctx, `SELECT pg_wal_replay_pause()`); err != nil {
		t.Fatal(err)
	}
	for state := ""; state != "paused"; time.Sleep(10 * time.Millisecond) {
		if err := rc.QueryRow(ctx, `SELECT pg_get_wal_replay_pause_state()`).Scan(&state); err != nil {
			t.Fatal(err)
		}
	}
	resp, err := client.New(b.URL(), entP, service.DemoSecret).Do(ctx, "/package/orderPackage", withParams(planMonthly.order(simP(0), false), "pay_amount", "99.00"), nil)
	if err != nil || resp.Code != csss.CodeOK {
		t.Fatalf("order while replay is paused: %v %+v", err, resp)
	}
	for i, m := range nodes {
		l, err := client.NewAdmin(m.URL(), "admin-token").ListOrders(ctx, operator.OrderQuery{Enterprise: entP, Page: operator.Page{Count: true, Limit: 5}})
		if err != nil {
			t.Fatal(err)
		}
		if l.Total == nil || *l.Total != orders || l.AsOf == nil {
			t.Errorf("node %d, replay paused: the order list counts %s orders (as_of %v), want the replica's %d", i, count(l.Total), l.AsOf, orders)
		}
	}
	if _, err := rc.Exec(ctx, `SELECT pg_wal_replay_resume()`); err != nil {
		t.Fatal(err)
	}
	converge(t, nodes, orders+1, inUse)

	// The replica is still a standby (it takes no writes), and the nodes
	// read from it.
	var standby bool
	var conns int
	if err := rc.QueryRow(ctx, `SELECT pg_is_in_recovery(), (SELECT count(*) FROM pg_stat_activity WHERE application_name = 'opencube')`).Scan(&standby, &conns); err != nil {
		t.Fatal(err)
	}
	if !standby {
		t.Error("the replica left recovery: it is no longer a standby")
	}
	if conns == 0 {
		t.Error("no opencube connection on the replica: the lists did not read from it")
	}
	if _, err := rc.Exec(ctx, `CREATE TABLE written (id int)`); err == nil {
		t.Error("the replica took a write")
	}
}

// converge waits until the order list (admin API) and the in-use list
// (CSSS) of each node count orders and inUse, failing the test after 30
// seconds; every order list must say how current it is (as_of).
func converge(t *testing.T, nodes []*Main, orders, inUse int) {
	t.Helper()
	ctx := t.Context()
	deadline := time.Now().Add(30 * time.Second)
	for i, m := range nodes {
		ad := client.NewAdmin(m.URL(), "admin-token")
		for {
			l, err := ad.ListOrders(ctx, operator.OrderQuery{Enterprise: entP, Page: operator.Page{Count: true, Limit: 5}})
			if err != nil {
				t.Fatalf("node %d: ListOrders: %v", i, err)
			}
			if l.AsOf == nil {
				t.Fatalf("node %d: the order list has no as_of", i)
			}
			using, err := client.New(m.URL(), entP, service.DemoSecret).Do(ctx, "/device/queryUsingDeviceList", map[string]any{"page_no": 1, "page_size": 5}, nil)
			if err != nil || using.Code != csss.CodeOK {
				t.Fatalf("node %d: queryUsingDeviceList: %v %+v", i, err, using)
			}
			var d csss.DeviceListData
			if err := jsonUnmarshal(using.Data, &d); err != nil {
				t.Fatal(err)
			}
			if l.Total != nil && *l.Total == orders && d.Page.TotalCount == inUse {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("node %d: the lists read from the replica show %s orders and %d in use, the primary %d and %d", i, count(l.Total), d.Page.TotalCount, orders, inUse)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
}

// count prints a list's total.
func count(n *int) string {
	if n == nil {
		return "no total"
	}
	return fmt.Sprint(*n)
}
